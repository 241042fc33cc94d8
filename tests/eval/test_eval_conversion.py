"""`inception-repro compare-weights`: the Keras .h5 against the TF-Slim checkpoint.

A synthetic Inception-ResNet-v2 checkpoint, and a .h5 converted from it here as its Keras
port's author describes the conversion (yuyang-huang/keras-inception-resnet-v2: the aux head
and the background row dropped), written in the released file's legacy format. The conversion
puts each variable where tests/support/keras_slim_pairing.py says, a table written from Keras's
and TF-Slim's code by their names, apart from the canonical order that compare-weights pairs
the two models through: were that order to pair two layers wrongly, the comparison would see
two different variables.
"""

import json

import numpy as np
import pytest
from support import keras_slim_pairing, slim_names
from support.groups import SLIM_CHECKPOINTS

from fixtures import legacy_weights, slim_checkpoint
from inception_repro import cli, numerics, registry
from inception_repro.evaluate import checkpoints, conversion, weights

pytestmark = [pytest.mark.eval, SLIM_CHECKPOINTS]

SLIM, KERAS = "slim-inception-resnet-v2", "keras-inception-resnet-v2"
AUX_VARIABLES = 2 * 4 + 2  # two convs with batch norm, one classifier
PERTURBED = "InceptionResnetV2/Repeat_1/block17_7/Branch_1/Conv2d_0c_7x1/weights"
LOGITS = "InceptionResnetV2/Logits/Logits/"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """(checkpoint path, its values, the .h5 converted from it, the two loaded models)."""
    folder = tmp_path_factory.mktemp("conversion")
    values = slim_checkpoint.variables(slim_names.SHAPES[SLIM]())
    path = slim_checkpoint.write(folder / "irv2.ckpt", values)
    slim = registry.for_weights(SLIM).model
    checkpoints.load(slim, checkpoints.resolve(SLIM, path), SLIM)
    keras = registry.for_weights(KERAS).model
    held = {layer.name: layer.get_weights() for layer in keras.layers}
    for name, (layer, at) in keras_slim_pairing.pairing(keras).items():
        value = values[name]
        if name.startswith(LOGITS):
            value = value[..., 1:]  # the background class, output 0
        held[layer.name][at] = value
    for layer in keras.layers:
        layer.set_weights(held[layer.name])
    h5 = legacy_weights.write_legacy_h5(keras, folder / "converted.h5")
    return path, values, h5, slim, keras


def test_the_pairing_fills_every_keras_weight_once(converted):
    _, values, _, _, keras = converted
    pairs = keras_slim_pairing.pairing(keras)
    assert len(pairs) == 908 - AUX_VARIABLES == len(keras.weights)
    assert len({(id(layer), at) for layer, at in pairs.values()}) == len(pairs)
    for name, (layer, at) in pairs.items():  # TF-Slim's shape is its Keras weight's
        expected = values[name][..., 1:] if name.startswith(LOGITS) else values[name]
        assert layer.get_weights()[at].shape == expected.shape, name


def test_the_converted_model_computes_tf_slims_logits_without_the_background(converted):
    """One fixed image: the Keras model loaded from the converted .h5 gives 1000 probabilities
    that are TF-Slim's 1001 with output 0 (the background) removed and the rest renormalised;
    in log space, TF-Slim's logits 1..1000 up to a constant."""
    _, _, h5, slim, _ = converted
    keras = registry.for_weights(KERAS).model
    weights.load(keras, weights.resolve(KERAS, h5), KERAS)
    x = numerics.slim_scale(numerics.fixed_image())
    theirs = np.asarray(keras(x, training=False), dtype=np.float64)[0]
    ours = np.asarray(slim(x, training=False)[0], dtype=np.float64)[0]
    assert theirs.shape == (1000,) and ours.shape == (1001,)
    logits = np.log(ours)  # TF-Slim's logits, up to a constant
    expected = logits[1:] - logits[1:].mean()
    np.testing.assert_allclose(np.log(theirs) - np.log(theirs).mean(), expected, atol=1e-4)
    assert np.ptp(expected) > 0.1  # the classes differ enough for the check to see an offset


def test_a_faithful_conversion_is_equal_bit_for_bit(converted, tmp_path, capsys):
    path, _, h5, _, _ = converted
    out = tmp_path / "comparison.json"
    assert cli.main(["compare-weights", str(path), str(h5), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["identical"] and result["largest_difference"] == 0.0
    assert result["checkpoint_variables_read"] == 908
    assert result["compared_variables"] == 908 - AUX_VARIABLES
    assert len(result["left_out"]["aux_head"]) == AUX_VARIABLES
    assert all("/AuxLogits/" in n for n in result["left_out"]["aux_head"])
    text = capsys.readouterr().out
    assert "equal, bit for bit" in text and f"{AUX_VARIABLES} AuxLogits variables" in text


def test_a_changed_weight_is_named_and_the_background_row_is_not_compared(converted):
    _, values, _, slim, keras = converted
    layer = {n: (layer, i) for layer, ns in checkpoints.variable_names(slim, SLIM)
             for i, n in enumerate(ns)}  # fmt: skip
    logits = "InceptionResnetV2/Logits/Logits"
    before = {n: layer[n][0].get_weights() for n in (PERTURBED, f"{logits}/weights")}
    perturbed, at = layer[PERTURBED]
    changed = perturbed.get_weights()
    changed[at][0, 0, 5, 7] += 0.25
    perturbed.set_weights(changed)
    classifier = layer[f"{logits}/weights"][0]
    kernel, bias = classifier.get_weights()
    kernel[:, 0], bias[0] = 9.0, 9.0  # the background row: no Keras counterpart
    classifier.set_weights([kernel, bias])
    try:
        result = conversion.compare_models(slim, keras)
    finally:
        for n, w in before.items():
            layer[n][0].set_weights(w)
    assert result["largest_at"] == PERTURBED and not result["identical"]
    assert result["largest_difference"] == pytest.approx(0.25)
    assert [d["variable"] for d in result["differing"]] == [PERTURBED]
    assert f"DIFFERENT: largest difference 0.25 at {PERTURBED}" in conversion.render(
        {**result, "keras_weights": {"path": "k.h5"}, "checkpoint": {"path": "c.ckpt"}}
    )


def test_a_keras_file_of_another_model_is_refused_in_one_line(converted, tmp_path, capsys):
    path = converted[0]
    code = cli.main(["compare-weights", str(path), str(tmp_path / "nothing.h5")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "nothing.h5 not found" in err[0]
