"""The pure-Python calculus agrees exactly with Keras, layer by layer."""

import pytest
from support.groups import per_model

from inception_repro import calculus, registry
from inception_repro.networks import released

pytestmark = pytest.mark.structure

SPEC_MODELS = [m for m, e in registry.ENTRIES.items() if e.network]
# Other sizes: the property tests compare every stage with Keras at hundreds of sizes.
SIZES = [(299, 299)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("model_id", per_model(SPEC_MODELS))
def test_every_layer_shape_and_count_matches_keras(model_id, size, summary_of):
    s = summary_of(model_id, size)
    predicted = calculus.trace(registry.entry(model_id).network(), size).layers
    layers = s["layers"][1:]  # the calculus has no input layer
    assert len(predicted) == len(layers)
    for p, k in zip(predicted, layers, strict=True):
        where = f"{model_id} at {size}: layer {k['index']} {p.name}"
        assert p.kind == k["type"], where
        assert list(p.shape) == k["output_shape"], where
        assert [p.trainable, p.non_trainable] == k["params"], where
    trace = calculus.trace(registry.entry(model_id).network(), size)
    assert trace.params("keras") == s["params"]["total"]
    assert [[n, list(shape)] for n, shape in trace.stages] == [
        [st["name"], st["output_shape"]] for st in s["stages"]
    ]


def test_conventions_differ_by_one_number_per_bn_channel():
    # keras: BN beta + moving mean + moving variance; pytorch: BN gamma + beta.
    t = calculus.trace(released.slim_body_keras_head())
    bn_channels = sum(x.shape[-1] for x in t.layers if x.kind == "batch_norm")
    assert t.params("keras") - t.params("pytorch") == bn_channels == 30_272
    # timm's port of the same weights: results/results-imagenet.csv, inception_resnet_v2.tf_in1k,
    # param_count 55.84 (millions).
    assert round(t.params("pytorch") / 1e6, 2) == 55.84
    with pytest.raises(ValueError, match="unknown convention"):
        t.params("caffe")
