"""The released Inception-ResNet-v2: pinned numbers, and the transcription rebuilds it exactly."""

import keras
import pytest
from support.groups import RELEASED, RELEASED_OTHER_SIZES, model_group
from support.models import TRANSCRIPTION
from support.published import KERAS_IO, RELEASED_PARAMS

from inception_repro import calculus, registry, summary
from inception_repro.networks import released
from inception_repro.upstream import graph_only

pytestmark = pytest.mark.structure

IRV2 = "keras-inception-resnet-v2"

# Stage outputs at 299, from the shapes TF-Slim's nets/inception_resnet_v2_test.py pins
# (testBuildEndPoints; docs/sources.md).
PINNED_STAGES = [
    ("stem", [35, 35, 320]),
    ("blocks_a", [35, 35, 320]),
    ("reduction_a", [17, 17, 1088]),
    ("blocks_b", [17, 17, 1088]),
    ("reduction_b", [8, 8, 2080]),
    ("blocks_c", [8, 8, 2080]),
]


@pytest.mark.parametrize("include_top", [True, False], ids=["top", "no-top"])
def test_parameter_counts_as_pinned(include_top, summary_of):
    """The installed Keras's own counts (support.published), and with the top, keras.io's."""
    p = summary_of(IRV2, include_top=include_top)["params"]
    assert (p["total"], p["trainable"], p["non_trainable"]) == RELEASED_PARAMS[include_top]
    if include_top:
        assert f"{p['total'] / 1e6:.1f}M" == KERAS_IO


def test_stage_shapes_as_published(summary_of):
    stages = summary_of(IRV2)["stages"]
    assert [(s["name"], s["output_shape"]) for s in stages[:6]] == PINNED_STAGES
    assert stages[6] == {"name": "head", "output_shape": [1000]}


# 299 with and without the top, plus a small and a non-square size. xdist: where the parity tests
# build the transcription at that size (support.groups), its summary costs nothing.
CASES = [
    pytest.param((299, 299), True, marks=model_group(RELEASED)),
    pytest.param((299, 299), False, marks=RELEASED_OTHER_SIZES),
    ((75, 75), False),
    pytest.param((257, 401), True, marks=RELEASED_OTHER_SIZES),
]


@pytest.mark.parametrize("size,include_top", CASES, ids=lambda c: str(c))
def test_slim_transcription_rebuilds_the_keras_model(size, include_top, summary_of):
    ours = summary_of(TRANSCRIPTION, size, include_top)
    theirs = summary_of(IRV2, size, include_top)
    assert ours == theirs, "\n".join(summary.differences(theirs, ours))


def test_slim_parameter_count_is_the_sum_of_its_parts(summary_of):
    s = summary_of("slim-inception-resnet-v2")
    t = calculus.trace(released.slim_inception_resnet_v2())
    by_stage = {}
    for layer in s["layers"]:
        by_stage[layer["stage"]] = by_stage.get(layer["stage"], 0) + sum(layer["params"])
    assert s["params"]["total"] == t.params() == sum(by_stage.values()) == 59_244_594
    # conv_7b (2080*1536 kernel + 3*1536 BN) and 1001-way logits (1536*1001 + 1001)
    assert by_stage["head"] == 3_194_880 + 4_608 + 1_538_537
    # aux: 1x1 128 (1088*128 + 3*128), 5x5 768 (5*5*128*768 + 3*768), logits (768*1001 + 1001)
    assert by_stage["aux_head"] == 139_648 + 2_459_904 + 769_769
    # = the Keras model + the aux head + the background class's 1536 weights and bias
    assert s["params"]["total"] == RELEASED_PARAMS[True][0] + by_stage["aux_head"] + 1_537
    assert [st["name"] for st in s["stages"]][-2:] == ["head", "aux_head"]
    assert s["stages"][-1]["output_shape"] == [1001]


def test_stem_is_inception_v3s_stem(summary_of):
    """Up to the 35x35x192 max pool the released network is keras's InceptionV3, layer for layer."""
    irv2, v3 = summary_of(IRV2)["layers"], summary_of("keras-inception-v3")["layers"]
    end = next(x["index"] for x in irv2 if x["output_shape"] == [35, 35, 192])
    assert irv2[end]["type"] == "max_pool"
    keys = ("type", "config", "output_shape", "params", "inputs")
    assert [[x[k] for k in keys] for x in irv2[: end + 1]] == [
        [x[k] for k in keys] for x in v3[: end + 1]
    ]
    # then mixed_5b (96-wide first branch) and Inception-v3's mixed0 (64) part ways
    assert (irv2[end + 1]["config"]["filters"], v3[end + 1]["config"]["filters"]) == (96, 64)


def test_summary_is_the_same_for_a_second_build_in_the_same_process(summary_of):
    for _ in range(3):  # advance Keras's name counters of every layer type the model uses
        (
            keras.layers.Conv2D(1, 1),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
        )
    with graph_only():
        again = keras.applications.InceptionResNetV2(weights=None)
    stages = summary.resolve_stage_ends(again, registry.IRV2_STAGES)
    assert summary.summarise(again, stages) == summary_of(IRV2)


BLOCK_STAGES = ("blocks_a", "blocks_b", "blocks_c")


def test_block_counts_read_off_the_keras_graph(summary_of):
    """Repeat counts from the installed model's own graph (cut points), not from any spec."""
    layers = summary_of(IRV2)["layers"]
    counts = {s: max(x["block"] or 0 for x in layers if x["stage"] == s) for s in BLOCK_STAGES}
    assert counts == {"blocks_a": 10, "blocks_b": 20, "blocks_c": 10}  # the paper: 5, 10, 5
    last = [x for x in layers if x["stage"] == "blocks_c"][-1]
    assert (last["block"], last["type"], last["config"]) == (
        10,
        "scaled_residual_add",
        {"scale": 1.0},
    )
