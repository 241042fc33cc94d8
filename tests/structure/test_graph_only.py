"""upstream.graph_only: the graph without the weights, and nothing left for later;
registry.graph; and zero_filled (registry.for_weights): a graph filled with zeros computes as
the built model once its weights are set."""

import keras
import numpy as np
import pytest

from inception_repro import build, numerics, registry, summary, upstream
from inception_repro.upstream import graph_only, zero_filled

pytestmark = pytest.mark.structure


def small(width):
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(width, 3, name="c")(inputs)
    x = keras.layers.BatchNormalization(scale=False, name="c_bn")(x)
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(x))


def test_the_summary_is_the_built_models_and_no_weight_is_initialised():
    with graph_only():
        graph = small(8)
        assert upstream.deferred()  # Keras deferred them here
    assert summary.summarise(graph) == summary.summarise(small(8))
    assert upstream.deferred() == []
    assert not any(upstream.has_value(v) for v in graph.weights)  # never initialised, even later


def test_a_zero_filled_model_computes_as_the_built_one_once_its_weights_are_set():
    """Every variable made, none left deferred, each holding zeros; once the deterministic
    weights are set, its outputs equal those of the model built with Keras's initial weights,
    bit for bit."""
    filled = zero_filled(lambda: build.Built(small(8), ())).model
    assert upstream.deferred() == []
    # conv kernel and bias, BN beta, moving mean and variance
    assert [float(np.abs(v.numpy()).max()) for v in filled.variables] == [0.0] * 5
    built = small(8)
    for model in (filled, built):
        numerics.set_deterministic_weights(model)
    x = numerics.fixed_image((32, 32)).astype("float32") / 255
    np.testing.assert_array_equal(filled(x, training=False), built(x, training=False))


def test_the_registry_graph_is_the_built_model_without_its_weights():
    """registry.graph, what the command line and the report summarise: the summary of the
    registry's whole build, no variable holding a value, one object per set of arguments."""
    args = ("paper-inception-resnet-v1", (75, 75), False)
    graph = registry.graph(*args)
    assert registry.graph(*args) is graph
    assert not any(upstream.has_value(v) for v in graph.model.variables)
    whole = registry.build(*args)
    assert all(upstream.has_value(v) for v in whole.model.variables)
    assert summary.summarise(graph.model, graph.stage_ends) == summary.summarise(
        whole.model, whole.stage_ends
    )


def test_a_model_for_weights_is_new_each_time_zero_filled_and_the_registry_model():
    """registry.for_weights, what a checkpoint or weights file is loaded into (the eval,
    compare-weights): a new model at each call, zeros in every variable, and the registry
    model's summary. (A Keras 2 model is built whole: tf_keras has no graph-only build.)"""
    args = ("paper-inception-resnet-v1", (75, 75), False)
    built = registry.for_weights(*args)
    assert registry.for_weights(*args).model is not built.model
    assert not any(np.any(v.numpy()) for v in built.model.weights)
    graph = registry.graph(*args)
    assert summary.summarise(built.model, built.stage_ends) == summary.summarise(
        graph.model, graph.stage_ends
    )
