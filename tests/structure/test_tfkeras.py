"""Drift across Keras lines: tf_keras (the Keras 2 line, package tf-keras) builds the released
Inception-ResNet-v2 with exactly the canonical summary of Keras 3, layer for layer, at every size
checked. No difference between the two lines is known, so none is pinned: any that appears fails
here with the layer, the setting and both values."""

from collections import Counter

import keras
import numpy as np
import pytest
import tf_keras
from support.golden import fingerprint_problem
from support.groups import TFKERAS_OTHER_SIZES, model_group
from support.published import RELEASED_PARAMS

from inception_repro import numerics, registry, summary, upstream
from inception_repro.errors import UsageError

pytestmark = pytest.mark.structure

# tf_keras's residual layer, from the module that defines its InceptionResNetV2
CustomScaleLayer = upstream.defining_module(
    tf_keras.applications.InceptionResNetV2
).CustomScaleLayer

KERAS3, KERAS2 = "keras-inception-resnet-v2", "tfkeras-inception-resnet-v2"


# Measured (docs/numerics.md, with how): the two lines' stage outputs differ by at most 9.3e-7 of
# their largest value at 299 with the top, 8.1e-7 without, 7.8e-7 at 257x401, on the same
# TensorFlow 2.21 CPU kernels; the tolerance leaves a factor of 20 over the largest of these.
KERAS_LINES_RTOL = 2e-5

# xdist: tf_keras's model at 299 with the top is built in the released model's group (its
# numbers are compared there); at the other sizes, in a group of its own (support.groups).
AT_299 = model_group(KERAS2)

# 299 with and without the top, and a non-square size.
CASES = [
    pytest.param((299, 299), True, marks=AT_299),
    pytest.param((299, 299), False, marks=TFKERAS_OTHER_SIZES),
    pytest.param((257, 401), True, marks=TFKERAS_OTHER_SIZES),
]


@AT_299
def test_the_keras2_entry_is_built_by_tf_keras():
    model = registry.build(KERAS2).model
    assert isinstance(model, tf_keras.Model)
    assert not isinstance(model, keras.Model)


@pytest.mark.parametrize("size,include_top", CASES, ids=lambda c: str(c))
def test_both_keras_lines_give_the_same_canonical_summary(size, include_top, summary_of):
    keras3 = summary_of(KERAS3, size, include_top)
    keras2 = summary_of(KERAS2, size, include_top)
    assert keras2 == keras3, "\n".join(summary.differences(keras3, keras2))


@pytest.mark.parametrize(
    "include_top",
    [pytest.param(True, marks=AT_299), pytest.param(False, marks=TFKERAS_OTHER_SIZES)],
    ids=["top", "no-top"],
)
def test_keras2_parameter_counts_are_the_installed_keras3s(include_top, summary_of):
    p = summary_of(KERAS2, include_top=include_top)["params"]
    assert (p["total"], p["trainable"], p["non_trainable"]) == RELEASED_PARAMS[include_top]


@AT_299
def test_installed_keras2_scales_residuals_with_custom_scale_layer():
    """One per residual block: 10 block35 + 20 block17 + 10 block8 (inception_resnet_v2.py)."""
    classes = Counter(type(x).__name__ for x in registry.build(KERAS2).model.layers)
    assert (classes["CustomScaleLayer"], classes["Lambda"]) == (40, 0)


def _one_block(residual_add):
    """input -> conv -> 1x1 "up" -> residual_add([x, up]) -> relu, built with tf_keras."""
    inputs = tf_keras.Input((8, 8, 4))
    x = tf_keras.layers.Conv2D(4, 1, name="stem_conv")(inputs)
    up = tf_keras.layers.Conv2D(4, 1, name="block35_1_conv")(x)
    x = residual_add([x, up])
    x = tf_keras.layers.Activation("relu", name="block35_1_ac")(x)
    return summary.summarise(tf_keras.Model(inputs, x))


def test_a_keras2_lambda_residual_reads_as_the_scaled_add():
    """Keras 2 before 2.12 wrote the residual add as Lambda(inputs[0] + inputs[1] * scale,
    arguments={"scale": s}) named after its block (keras/applications/inception_resnet_v2.py at
    v2.11.0; docs/sources.md); it reads as the same
    scaled_residual_add. Such a Keras cannot be installed here to check its model whole: it needs
    TensorFlow <= 2.11, which has no wheels for Python 3.11 (PyPI lists 2.12.0 onwards), and it is
    the package `keras` itself, which Keras 3 occupies; so the layer is built by hand."""
    add = tf_keras.layers.Lambda(
        lambda inputs, scale: inputs[0] + inputs[1] * scale,
        arguments={"scale": 0.17},
        name="block35_1",
    )
    old, new = _one_block(add), _one_block(CustomScaleLayer(0.17))
    residual = old["layers"][3]
    assert (residual["type"], residual["config"], residual["inputs"]) == (
        "scaled_residual_add",
        {"scale": 0.17},
        [1, 2],
    )
    # the Lambda carries its block's name, CustomScaleLayer is left unnamed; nothing else differs
    assert (residual["name"], new["layers"][3]["name"]) == ("block35_1", None)
    assert [{**x, "name": None} for x in old["layers"]] == [
        {**x, "name": None} for x in new["layers"]
    ]


def test_any_other_lambda_is_refused_by_name():
    inputs = tf_keras.Input((8, 8, 4))
    doubled = tf_keras.layers.Lambda(lambda t: 2 * t, name="double")(inputs)
    with pytest.raises(UsageError, match="'double' has type Lambda"):
        summary.summarise(tf_keras.Model(inputs, doubled))


@pytest.fixture(scope="module")
def keras2_with_keras3_weights(loaded, outputs_of):
    """The tf_keras model at 299 with the top, holding the Keras 3 model's deterministic weights
    (copied through the canonical order), the number of values copied, and its stage outputs
    on the Keras 3 model's input."""
    keras2 = registry.build(KERAS2)
    copied = numerics.copy_weights(loaded(KERAS3).model, keras2.model)
    x, _ = outputs_of(KERAS3)
    return keras2, copied, numerics.stage_outputs(keras2, x)


@AT_299
def test_both_keras_lines_compute_the_same_numbers(keras2_with_keras3_weights, outputs_of):
    """The Keras 3 model's weights in the tf_keras model, the same input: equal at every stage
    end within KERAS_LINES_RTOL of each stage's largest value. (The settings are equal at three
    sizes, above; the numbers are compared at 299 with the top.)"""
    keras2, copied, keras2_out = keras2_with_keras3_weights
    assert copied == RELEASED_PARAMS[True][0]
    _, keras3_out = outputs_of(KERAS3)
    assert list(keras2_out) == list(keras3_out)
    first = numerics.first_difference(keras3_out, keras2_out, KERAS_LINES_RTOL)
    assert first is None, f"first stage that differs: {first[0]} (max |diff| {first[1]:.3g})"


@AT_299
def test_keras2_fingerprint_is_the_keras3_golden_fingerprint(
    keras2_with_keras3_weights, input_for, outputs_of
):
    """tf_keras's model and its own preprocess_input, with the deterministic weights, give the
    numbers pinned for Keras 3's (golden/fingerprints/keras-inception-resnet-v2.yaml). Its
    preprocess_input scales the fixed image as Keras 3's does, bit for bit, so the stage outputs
    above are those of its own input."""
    keras2, _, keras2_out = keras2_with_keras3_weights
    x = input_for(KERAS2)
    assert np.array_equal(x, outputs_of(KERAS3)[0]), "the two preprocess_input scale differently"
    live = numerics.record(x, keras2_out, numerics.main_stage(keras2))
    problem = fingerprint_problem(KERAS2, live, golden_id=KERAS3)
    assert problem is None, problem
