"""Models built once with unknown spatial size; Keras's own shape inference at any size."""

import functools

import keras

from inception_repro import registry


def dynamic(model_id):
    """Keras apps accept an unknown size only without the top; the same holds for aux heads."""
    e = registry.entry(model_id)
    return e.keras_app is None and not e.network().aux


@functools.cache
def probe(model_id):
    """One model per id for every input size; its outputs are the stage ends."""
    # whole, not registry.graph: test_forward.py computes with it
    built = registry.build(model_id, (None, None), include_top=dynamic(model_id))
    m = built.model
    stages = [s for s, _ in built.stage_ends]
    outputs = [m.get_layer(name).output for _, name in built.stage_ends]
    return built, stages, type(m)(m.input, outputs)  # keras or tf_keras, as the model is


def output_shapes(model, size, batch=1) -> list[tuple]:
    """Keras's own symbolic shape inference (Keras 3 or the Keras 2 line), no computation."""
    if hasattr(model, "compute_output_spec") and type(model).__module__.startswith("keras"):
        specs = model.compute_output_spec(keras.KerasTensor((batch, *size, 3)))
    else:
        specs = model.compute_output_shape((batch, *size, 3))
    specs = specs if isinstance(specs, (list, tuple)) else [specs]
    return [tuple(getattr(s, "shape", s)) for s in specs]


def keras_stage_shapes(model_id, size, batch=1):
    _, stages, p = probe(model_id)
    shapes = output_shapes(p, size, batch)
    return {s: tuple(shape[1:]) for s, shape in zip(stages, shapes, strict=True)}
