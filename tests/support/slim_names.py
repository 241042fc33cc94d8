"""The variable names of TF-Slim's released checkpoints, listed for the tests.

Not read off the project's transcriptions: written from a separate reading of TF-Slim's
research/slim/nets/inception_v4.py and inception_resnet_v2.py and tf_slim's `repeat`, in the
shape of the scripts that converted these very checkpoints (Cadene/tensorflow-model-zoo.torch
inceptionv4/tensorflow_dump.py and inceptionresnetv2/tensorflow_dump.py, which walk the same
scopes). The real checkpoints cannot be downloaded here, so their own listing cannot be
compared; the names that issue threads quote from `inspect_checkpoint` dumps of them are
QUOTED below and checked too.
"""

from __future__ import annotations

BN = ("BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance")

# Quoted from dumps of the real files.
QUOTED = {
    # tensorflow/models#929, inspect_checkpoint of inception_v4.ckpt
    "slim-inception-v4": (
        "InceptionV4/Mixed_4a/Branch_0/Conv2d_0a_1x1/BatchNorm/beta",
        "InceptionV4/Mixed_4a/Branch_0/Conv2d_0a_1x1/BatchNorm/moving_mean",
        "InceptionV4/Mixed_4a/Branch_0/Conv2d_0a_1x1/BatchNorm/moving_variance",
        "InceptionV4/Mixed_4a/Branch_0/Conv2d_0a_1x1/weights",
    ),
    # tensorflow/models#1146 and #2073: scopes of inception_resnet_v2_2016_08_30.ckpt
    "slim-inception-resnet-v2": (
        "InceptionResnetV2/Conv2d_2b_3x3/weights",
        "InceptionResnetV2/Repeat_1/block17_10/Branch_1/Conv2d_0b_1x7/weights",
        "InceptionResnetV2/Block8/Branch_0/Conv2d_1x1/weights",
    ),
}


def _conv(scope):
    return [f"{scope}/weights", *(f"{scope}/{v}" for v in BN)]


def _up(scope):
    return [f"{scope}/weights", f"{scope}/biases"]


def _convs(prefix, branches):
    """branches: {branch number: [conv scope names]}."""
    out = []
    for b, convs in branches.items():
        for c in convs:
            out += _conv(f"{prefix}/Branch_{b}/Conv2d_{c}")
    return out


def inception_v4() -> list[str]:
    t = "InceptionV4"
    names = []
    for c in ("1a_3x3", "2a_3x3", "2b_3x3"):
        names += _conv(f"{t}/Conv2d_{c}")
    names += _convs(f"{t}/Mixed_3a", {1: ["0a_3x3"]})
    names += _convs(
        f"{t}/Mixed_4a", {0: ["0a_1x1", "1a_3x3"], 1: ["0a_1x1", "0b_1x7", "0c_7x1", "1a_3x3"]}
    )
    names += _convs(f"{t}/Mixed_5a", {0: ["1a_3x3"]})
    for m in "bcde":
        names += _convs(
            f"{t}/Mixed_5{m}",
            {
                0: ["0a_1x1"],
                1: ["0a_1x1", "0b_3x3"],
                2: ["0a_1x1", "0b_3x3", "0c_3x3"],
                3: ["0b_1x1"],
            },
        )
    names += _convs(f"{t}/Mixed_6a", {0: ["1a_3x3"], 1: ["0a_1x1", "0b_3x3", "1a_3x3"]})
    for m in "bcdefgh":
        names += _convs(
            f"{t}/Mixed_6{m}",
            {
                0: ["0a_1x1"],
                1: ["0a_1x1", "0b_1x7", "0c_7x1"],
                2: ["0a_1x1", "0b_7x1", "0c_1x7", "0d_7x1", "0e_1x7"],
                3: ["0b_1x1"],
            },
        )
    names += _convs(
        f"{t}/Mixed_7a", {0: ["0a_1x1", "1a_3x3"], 1: ["0a_1x1", "0b_1x7", "0c_7x1", "1a_3x3"]}
    )
    for m in "bcd":
        names += _convs(
            f"{t}/Mixed_7{m}",
            {
                0: ["0a_1x1"],
                1: ["0a_1x1", "0b_1x3", "0c_3x1"],
                2: ["0a_1x1", "0b_3x1", "0c_1x3", "0d_1x3", "0e_3x1"],
                3: ["0b_1x1"],
            },
        )
    names += _conv(f"{t}/AuxLogits/Conv2d_1b_1x1") + _conv(f"{t}/AuxLogits/Conv2d_2a")
    names += _up(f"{t}/AuxLogits/Aux_logits") + _up(f"{t}/Logits/Logits")
    return names


def inception_resnet_v2() -> list[str]:
    t = "InceptionResnetV2"
    names = []
    for c in ("1a_3x3", "2a_3x3", "2b_3x3", "3b_1x1", "4a_3x3"):
        names += _conv(f"{t}/Conv2d_{c}")
    names += _convs(
        f"{t}/Mixed_5b",
        {0: ["1x1"], 1: ["0a_1x1", "0b_5x5"], 2: ["0a_1x1", "0b_3x3", "0c_3x3"], 3: ["0b_1x1"]},
    )
    for i in range(1, 11):
        b = f"{t}/Repeat/block35_{i}"
        names += _convs(b, {0: ["1x1"], 1: ["0a_1x1", "0b_3x3"], 2: ["0a_1x1", "0b_3x3", "0c_3x3"]})
        names += _up(f"{b}/Conv2d_1x1")
    names += _convs(f"{t}/Mixed_6a", {0: ["1a_3x3"], 1: ["0a_1x1", "0b_3x3", "1a_3x3"]})
    for i in range(1, 21):
        b = f"{t}/Repeat_1/block17_{i}"
        names += _convs(b, {0: ["1x1"], 1: ["0a_1x1", "0b_1x7", "0c_7x1"]})
        names += _up(f"{b}/Conv2d_1x1")
    names += _convs(
        f"{t}/Mixed_7a",
        {0: ["0a_1x1", "1a_3x3"], 1: ["0a_1x1", "1a_3x3"], 2: ["0a_1x1", "0b_3x3", "1a_3x3"]},
    )
    for b in [f"{t}/Repeat_2/block8_{i}" for i in range(1, 10)] + [f"{t}/Block8"]:
        names += _convs(b, {0: ["1x1"], 1: ["0a_1x1", "0b_1x3", "0c_3x1"]})
        names += _up(f"{b}/Conv2d_1x1")
    names += _conv(f"{t}/Conv2d_7b_1x1")
    names += _conv(f"{t}/AuxLogits/Conv2d_1b_1x1") + _conv(f"{t}/AuxLogits/Conv2d_2a_5x5")
    names += _up(f"{t}/AuxLogits/Logits") + _up(f"{t}/Logits/Logits")
    return names


NAMES = {"slim-inception-v4": inception_v4, "slim-inception-resnet-v2": inception_resnet_v2}
# Counted from TF-Slim's code: convs with batch norm x 4, up-projections and classifiers x 2.
COUNTS = {"slim-inception-v4": 151 * 4 + 2 * 2, "slim-inception-resnet-v2": 206 * 4 + 42 * 2}
