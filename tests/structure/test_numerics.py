"""The arithmetic, pinned: every model's numeric fingerprint under deterministic weights.

The weights come from numerics.deterministic_weights (NumPy alone, from seed, canonical layer
index and variable index); the input is numerics.fixed_image, scaled by the model's own
preprocessing. A change that keeps every layer's settings but computes something else (a
residual scaled on the wrong side, another preprocess_input mode) moves these numbers and fails
here naming the model and the first stage that moved (test_numeric_drift.py shows it). Accept a
deliberate change with `pytest --update-golden -m structure`.
"""

import keras
import numpy as np
import pytest
from support.golden import fingerprint_path, fingerprint_problem, load_yaml, write_fingerprint
from support.groups import RELEASED, model_group, per_model

from inception_repro import numerics, registry, summary

pytestmark = pytest.mark.structure

# tfkeras-inception-resnet-v2 is held to keras-inception-resnet-v2's file by test_tfkeras.py.
MODELS = [m for m in registry.ENTRIES if not m.startswith("tfkeras-")]


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_fingerprint_matches_golden(model_id, fingerprint_of, update_golden):
    live = fingerprint_of(model_id)
    if update_golden:
        write_fingerprint(model_id, live)
        return
    problem = fingerprint_problem(model_id, live)
    assert problem is None, problem


# A sane band for every stage's output under the deterministic weights: neither dying (all zero
# or nearly constant) nor blowing up through the residual stacks. Measured: stds 0.58 to 3.6,
# max |x| at most 19 (golden/fingerprints/).
STD_BAND = (0.1, 10.0)
MAX_ABS = 100.0


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_activations_stay_order_one_through_every_stage(model_id, fingerprint_of):
    record = fingerprint_of(model_id)
    for stage in record["stages"]:
        values = [stage["mean"], stage["std"], stage["max_abs"], *stage["samples"]]
        assert np.isfinite(values).all(), f"{model_id} {stage['stage']}: not finite"
        if stage["stage"] == "head" and "top" in record:  # softmax: not saturated on one class
            assert stage["max_abs"] < 0.99, f"{model_id} {stage['stage']}: saturated softmax"
            continue
        low, high = STD_BAND
        assert low <= stage["std"] <= high, f"{model_id} {stage['stage']}: std {stage['std']}"
        assert stage["max_abs"] <= MAX_ABS, f"{model_id} {stage['stage']}: {stage['max_abs']}"
    # the classifier spreads its mass: ten classes hold less than all of it
    assert sum(v for _, v in record["top"]) < 0.99


@model_group(RELEASED)
def test_deterministic_weights_follow_the_documented_formula(loaded):
    """The stem's first conv kernel (canonical layer 1, variable 0), recomputed from the
    formula in numerics' docstring, with NumPy alone."""
    model = loaded("keras-inception-resnet-v2").model
    kernel = summary.canonical_order(model)[1].get_weights()[0]
    u = np.random.default_rng([numerics.SEED, 1, 0]).random((3, 3, 3, 32), dtype=np.float32)
    expected = (2 * u - 1) * np.float32(np.sqrt(3)) * np.float32(np.sqrt(2 / 27))
    np.testing.assert_array_equal(kernel, expected)


def _small_model():
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False)(inputs)
    x = keras.layers.BatchNormalization(scale=False)(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.Conv2D(4, 1)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(5)(x))


def test_deterministic_weights_ignore_keras_initializers_and_random_state():
    """Two builds with other initial weights (another Keras seed) get the same weights."""
    keras.utils.set_random_seed(1)
    a = _small_model()
    keras.utils.set_random_seed(2)
    b = _small_model()
    assert not np.array_equal(a.get_weights()[0], b.get_weights()[0])
    wa, wb = numerics.deterministic_weights(a), numerics.deterministic_weights(b)
    assert [len(x) for x in wa] == [0, 1, 3, 0, 2, 0, 2]  # input, conv, bn, relu, conv, pool, dense
    pairs = [(x, y) for la, lb in zip(wa, wb, strict=True) for x, y in zip(la, lb, strict=True)]
    assert all(np.array_equal(x, y) for x, y in pairs)


@model_group(RELEASED)
def test_every_moving_variance_is_positive(loaded):
    model = loaded("keras-inception-resnet-v2").model
    variances = [
        layer.get_weights()[-1]
        for layer in summary.canonical_order(model)
        if type(layer).__name__ == "BatchNormalization"
    ]
    # one per conv2d_bn call of keras inception_resnet_v2.py: stem 5, mixed_5b 7, block35 6 x 10,
    # mixed_6a 4, block17 4 x 20, mixed_7a 7, block8 4 x 10, conv_7b 1
    assert len(variances) == 204
    assert min(v.min() for v in variances) > 0


@model_group(RELEASED)
def test_weights_do_not_carry_over_between_different_networks(loaded):
    source = loaded("keras-inception-resnet-v2").model
    target = _small_model()
    with pytest.raises(numerics.WeightsMismatch, match=r"differ at layer \d+ \("):
        numerics.copy_weights(source, target)


@model_group(RELEASED)
def test_a_fingerprint_through_a_stage_is_compared_up_to_that_stage(fingerprint_of):
    """numerics.fingerprint(..., through=stage) is held to the golden stages up to that one; a
    fingerprint that lacks stages without saying so fails on the first missing one."""
    golden = load_yaml(fingerprint_path("keras-inception-resnet-v2"))
    full = fingerprint_of("keras-inception-resnet-v2")
    first_three = full["stages"][:3]  # input, stem, blocks_a
    assert numerics.compare(golden, {"stages": first_three, "through": "blocks_a"}) is None
    assert numerics.compare(golden, {"stages": first_three}) == (
        "stage reduction_a: shape expected [17, 17, 1088], got None"
    )


@model_group(RELEASED)
def test_a_model_and_its_outputs_are_made_once_however_the_arguments_are_spelled(
    loaded, outputs_of
):
    """The session fixtures key their caches by the arguments as read (support.models): keyed
    as called, outputs_of(m) and outputs_of(m, (299, 299), True) ran the model twice, and the
    deterministic weights were set twice."""
    irv2 = "keras-inception-resnet-v2"
    assert loaded(irv2) is loaded(irv2, [299, 299], 1) is loaded(irv2, include_top=True)
    assert outputs_of(irv2) is outputs_of(irv2, (299, 299), True)


def test_numpy_draws_the_pinned_numbers():
    """Every deterministic weight and the fixed image come from NumPy's Generator streams,
    which NumPy does not promise to keep across versions: the first values are pinned
    (numerics.STREAM, IMAGE_PIXELS), so that a changed stream is named as NumPy's."""
    assert numerics.stream_problem() is None
    # and the weights are that stream: a stem conv kernel's first values, as NumPy 2.4.6 drew them
    inputs = keras.Input((8, 8, 3))
    conv = keras.Model(
        inputs, keras.layers.Conv2D(32, 3, use_bias=False, activation="relu")(inputs)
    )
    kernel = numerics.deterministic_weights(conv)
    assert kernel[1][0].ravel()[:3].tolist() == [
        -0.24324947595596313,
        0.21981048583984375,
        0.034074265509843826,
    ]


def test_a_changed_numpy_stream_fails_naming_numpy(monkeypatch):
    """As a NumPy whose Generator draws other numbers would: the stream check names NumPy, and
    so does a fingerprint that moved."""
    rng = np.random.default_rng

    def another_stream(seed=None):
        return rng(np.random.Philox(seed))

    monkeypatch.setattr(np.random, "default_rng", another_stream)
    problem = numerics.stream_problem()
    assert problem.startswith(f"NumPy {np.__version__} draws other numbers than the NumPy")
    moved = {"stages": [{"stage": "input", "mean": 1.0}]}
    monkeypatch.setattr(numerics, "compare", lambda golden, live: "stage input: moved")
    found = fingerprint_problem("paper-inception-v4", moved)
    assert found.endswith(f"The cause: {problem}"), found
