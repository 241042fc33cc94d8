"""The same weights give the same numbers: pairs of models that the structure tests prove equal
in settings, compared in arithmetic, stage end by stage end and at the output.

One side holds numerics' deterministic weights; numerics.copy_weights carries them to the other
through the canonical order; both get the same input. Tolerance, measured (docs/numerics.md):
models made of the same Keras layers run the same kernels in the same order, so their outputs
are equal bit for bit, and these tests demand exactly that.
"""

import keras
import numpy as np
import pytest
from support.groups import RELEASED, RELEASED_OTHER_SIZES, model_group

from inception_repro import build, numerics, registry, summary
from inception_repro.evaluate import protocols

pytestmark = pytest.mark.structure

IRV2 = "keras-inception-resnet-v2"


def _first_difference(a, b):
    first = numerics.first_difference(a, b, 0.0)
    return None if first is None else f"first stage that differs: {first[0]} ({first[1]})"


# 299 with and without the top, and a non-square size with the top. The released model at 299
# with the top is built in its own xdist group; at the other sizes it is needed here alone.
CASES = [
    pytest.param((299, 299), True, marks=model_group(RELEASED)),
    pytest.param((299, 299), False, marks=RELEASED_OTHER_SIZES),
    pytest.param((257, 401), True, marks=RELEASED_OTHER_SIZES),
]


@pytest.mark.parametrize("size,include_top", CASES, ids=lambda c: str(c))
def test_transcription_computes_what_the_released_model_computes(
    size, include_top, loaded, outputs_of, transcription_outputs
):
    copied, ours = transcription_outputs(size, include_top)
    assert copied == loaded(IRV2, size, include_top).model.count_params()
    _, theirs = outputs_of(IRV2, size, include_top)
    stages = ["stem", "blocks_a", "reduction_a", "blocks_b", "reduction_b", "blocks_c", "head"]
    assert list(theirs) == list(ours) == stages
    problem = _first_difference(theirs, ours)
    assert problem is None, problem


def _prefix(built, last, stages=None):
    """The model up to layer `last`, with its stage ends up to there (or just one stage)."""
    model = built.model
    sub = keras.Model(model.inputs[0], model.get_layer(last).output)
    return build.Built(sub, stages or (("stem", last),))


def _other_weights(model):
    """Every variable set to seeded values unlike numerics' deterministic ones (positive, so
    that a moving variance stays one)."""
    rng = np.random.default_rng(7)
    for v in model.variables:
        v.assign(rng.uniform(0.01, 0.1, v.shape).astype(v.dtype))


@model_group(RELEASED)
def test_released_stem_computes_what_inception_v3s_stem_computes(loaded):
    """The first 18 layers (to the 35x35x192 max pool), numerically: copy_weights carries the
    released stem's weights into a new Inception-v3 that holds other weights; each of its
    weights changes to the source's, and the two stems give the same numbers."""
    irv2, v3 = loaded(IRV2), registry.for_weights("keras-inception-v3")
    _other_weights(v3.model)
    end = 17  # canonical index: the input is layer 0
    a = summary.canonical_order(irv2.model)[end]
    b = summary.canonical_order(v3.model)[end]
    assert (type(a).__name__, tuple(a.output.shape[1:])) == ("MaxPooling2D", (35, 35, 192))
    stem_irv2, stem_v3 = _prefix(irv2, a.name), _prefix(v3, b.name)
    pairs = [
        (src, dst)
        for src, dst in zip(
            summary.canonical_order(stem_irv2.model),
            summary.canonical_order(stem_v3.model),
            strict=True,
        )
        if src.weights
    ]
    assert len(pairs) == 10  # 5 convs, 5 batch norms
    for src, dst in pairs:
        for x, y in zip(src.get_weights(), dst.get_weights(), strict=True):
            assert not np.any(x == y), dst.name  # every value differs before the copy
    copied = numerics.copy_weights(stem_irv2.model, stem_v3.model)
    assert copied == stem_irv2.model.count_params() > 0
    for src, dst in pairs:
        for x, y in zip(src.get_weights(), dst.get_weights(), strict=True):
            np.testing.assert_array_equal(y, x, err_msg=dst.name)
    x = numerics.slim_scale(numerics.fixed_image())
    problem = _first_difference(
        numerics.stage_outputs(stem_irv2, x), numerics.stage_outputs(stem_v3, x)
    )
    assert problem is None, problem


@model_group(RELEASED)
def test_slim_trunk_computes_what_the_keras_trunk_computes(loaded):
    """TF-Slim's model (aux head, 1001 classes) and the Keras one, up to conv_7b's activation.
    (Both hold the same deterministic weights there, so the copy changes nothing: the stem's
    test shows copy_weights carrying weights a model did not hold.)"""
    keras_model, slim = loaded(IRV2), loaded("slim-inception-resnet-v2")
    trunk_stages = (*keras_model.stage_ends, ("head", "conv_7b_ac"))
    assert [s for s, _ in slim.stage_ends][:6] == [s for s, _ in keras_model.stage_ends]
    trunk_keras = _prefix(keras_model, "conv_7b_ac", trunk_stages)
    trunk_slim = _prefix(slim, "conv_7b_ac", (*slim.stage_ends[:6], ("head", "conv_7b_ac")))
    numerics.copy_weights(trunk_keras.model, trunk_slim.model)
    x = numerics.slim_scale(numerics.fixed_image())
    problem = _first_difference(
        numerics.stage_outputs(trunk_keras, x), numerics.stage_outputs(trunk_slim, x)
    )
    assert problem is None, problem


EVERY_LEVEL = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1).repeat(3, axis=-1)


@pytest.mark.parametrize(
    "preprocess_input",
    [
        "keras.applications.inception_resnet_v2.preprocess_input",
        "keras.applications.inception_v3.preprocess_input",
    ],
)
def test_keras_applications_protocol_scales_as_keras_preprocess_input(preprocess_input):
    """Every uint8 level, bit for bit: the protocol's normalisation is Keras's own."""
    keras_way = numerics.preprocess(preprocess_input)(EVERY_LEVEL)
    ours = np.asarray(protocols.get("keras-applications").normalize(EVERY_LEVEL.astype("float32")))
    assert keras_way.dtype == ours.dtype == np.float32
    bad = np.flatnonzero(keras_way != ours)
    assert bad.size == 0, (
        f"preprocessing: the keras-applications protocol differs from {preprocess_input} at grey "
        f"levels {bad[:5] // 3}: {ours.reshape(-1)[bad[:5]]} vs {keras_way.reshape(-1)[bad[:5]]}"
    )
