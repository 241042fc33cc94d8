"""The gate catches drift: alter one setting of the installed Keras model and the comparison
with the transcription names the layer, the setting, and both values."""

import functools
import types

import keras
import pytest
from keras.src import layers
from keras.src.applications import inception_resnet_v2 as keras_irv2

from inception_repro import registry, summary
from inception_repro.graph_only import graph_only

pytestmark = pytest.mark.structure


def _conv2d_bn_changing(filters_from, **override):
    original = keras_irv2.conv2d_bn

    def conv2d_bn(x, filters, kernel_size, **kwargs):
        if filters == filters_from:
            filters = override.pop("filters", filters)
            kwargs.update(override)
        return original(x, filters, kernel_size, **kwargs)

    return conv2d_bn


def _block_scale(block_type, scale):
    original = keras_irv2.inception_resnet_block

    def block(x, **kwargs):
        if kwargs["block_type"] == block_type:
            kwargs["scale"] = scale
        return original(x, **kwargs)

    return block


def _bn_epsilon(epsilon):
    patched = types.SimpleNamespace(**{n: getattr(layers, n) for n in dir(layers)})
    patched.BatchNormalization = functools.partial(layers.BatchNormalization, epsilon=epsilon)
    return patched


MUTATIONS = {
    "filter count": (
        "conv2d_bn",
        lambda: _conv2d_bn_changing(160, filters=161),
        "blocks_b",
        "filters expected 160, got 161",
    ),
    "padding": (
        "conv2d_bn",
        lambda: _conv2d_bn_changing(80, padding="same"),
        "stem",
        "padding expected valid, got same",
    ),
    "activation": (
        "conv2d_bn",
        lambda: _conv2d_bn_changing(1536, activation="relu6"),
        "head conv_7b_ac",
        "activation expected relu, got relu6",
    ),
    "residual scale": (
        "inception_resnet_block",
        lambda: _block_scale("block17", 0.11),
        "blocks_b",
        "scale expected 0.1, got 0.11",
    ),
    "BN epsilon": (
        "layers",
        lambda: _bn_epsilon(1e-5),
        "stem",
        "epsilon expected 0.001, got 1e-05",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_an_altered_released_model_fails_naming_layer_and_setting(
    mutation, monkeypatch, transcription_of
):
    attribute, patch, where, what = MUTATIONS[mutation]
    monkeypatch.setattr(keras_irv2, attribute, patch())
    with graph_only():
        model = keras.applications.InceptionResNetV2(weights=None)
    altered = summary.summarise(model, summary.resolve_stage_ends(model, registry.IRV2_STAGES))
    found = summary.differences(transcription_of(), altered)
    assert any(where in line and what in line for line in found), "\n".join(found)
