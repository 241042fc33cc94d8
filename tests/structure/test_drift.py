"""The gate catches drift: alter one setting of the installed Keras model and the comparison
with the transcription names the layer, the setting, and both values."""

import functools
import types

import keras
import pytest
from support.alter import Altered
from support.models import TRANSCRIPTION

from inception_repro import registry, summary, upstream
from inception_repro.upstream import graph_only

pytestmark = pytest.mark.structure

# keras/src/applications/inception_resnet_v2.py, reached through the public function
KERAS_IRV2 = upstream.defining_module(keras.applications.InceptionResNetV2)


def _conv2d_bn_changing(original, filters_from, **override):
    """conv2d_bn, with the settings of its first call that asks for `filters_from` filters
    overridden (a filter count is overridden in that call only)."""

    def conv2d_bn(x, filters, kernel_size, **kwargs):
        if filters == filters_from:
            filters = override.pop("filters", filters)
            kwargs.update(override)
        return original(x, filters, kernel_size, **kwargs)

    return conv2d_bn


def _block_scale(original, block_type, scale):
    def block(x, **kwargs):
        if kwargs["block_type"] == block_type:
            kwargs["scale"] = scale
        return original(x, **kwargs)

    return block


def _the_module(monkeypatch):
    return KERAS_IRV2


def _its_layers(monkeypatch):
    """A copy of the `layers` the module builds with, put in its place: altering a layer class
    there alters it for this module alone."""
    copy = types.SimpleNamespace(
        **{n: getattr(KERAS_IRV2.layers, n) for n in dir(KERAS_IRV2.layers)}
    )
    monkeypatch.setattr(KERAS_IRV2, "layers", copy)
    return copy


# mutation: (where the helper is, its name, its replacement given the original, the stage and
# the message expected)
MUTATIONS = {
    "filter count": (
        _the_module,
        "conv2d_bn",
        lambda original: _conv2d_bn_changing(original, 160, filters=161),
        "blocks_b",
        "filters expected 160, got 161",
    ),
    "padding": (
        _the_module,
        "conv2d_bn",
        lambda original: _conv2d_bn_changing(original, 80, padding="same"),
        "stem",
        "padding expected valid, got same",
    ),
    "activation": (
        _the_module,
        "conv2d_bn",
        lambda original: _conv2d_bn_changing(original, 1536, activation="relu6"),
        "head conv_7b_ac",
        "activation expected relu, got relu6",
    ),
    "residual scale": (
        _the_module,
        "inception_resnet_block",
        lambda original: _block_scale(original, "block17", 0.11),
        "blocks_b",
        "scale expected 0.1, got 0.11",
    ),
    "BN epsilon": (
        _its_layers,
        "BatchNormalization",
        lambda original: functools.partial(original, epsilon=1e-5),
        "stem",
        "epsilon expected 0.001, got 1e-05",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_an_altered_released_model_fails_naming_layer_and_setting(
    mutation, monkeypatch, summary_of
):
    owner_of, name, replacement, where, what = MUTATIONS[mutation]
    owner = owner_of(monkeypatch)
    altered = Altered(monkeypatch, owner, name, replacement(getattr(owner, name)))
    with graph_only():
        model = keras.applications.InceptionResNetV2(weights=None)
    altered.reached()
    altered = summary.summarise(model, summary.resolve_stage_ends(model, registry.IRV2_STAGES))
    found = summary.differences(summary_of(TRANSCRIPTION), altered)
    assert any(where in line and what in line for line in found), "\n".join(found)


def test_an_alteration_keras_never_reaches_fails_naming_the_helper(monkeypatch):
    """If Keras built the model without the helper a drift test alters, that test would compare
    an unaltered model: Altered.reached fails instead, naming the helper."""
    altered = Altered(monkeypatch, KERAS_IRV2, "decode_predictions", lambda *a, **k: None)
    with graph_only():
        keras.applications.InceptionResNetV2(
            weights=None, include_top=False, input_shape=(75, 75, 3)
        )
    with pytest.raises(
        pytest.fail.Exception, match=r"inception_resnet_v2\.decode_predictions was never called"
    ):
        altered.reached()
