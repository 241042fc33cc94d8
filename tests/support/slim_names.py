"""The variables of TF-Slim's released checkpoints, names and shapes, listed for the tests.

Not read off the project's transcriptions: written from a separate reading of TF-Slim's
research/slim/nets/inception_v4.py and inception_resnet_v2.py and tf_slim's `repeat`, in the
shape of the scripts that converted these very checkpoints (Cadene/tensorflow-model-zoo.torch
inceptionv4/tensorflow_dump.py and inceptionresnetv2/tensorflow_dump.py, which walk the same
scopes). Each conv's shape is [kernel height, kernel width, input depth, depth]: the kernel its
TF-Slim name states (Conv2d_0b_1x7: 1 x 7; the two unnamed ones, the aux heads' Conv2d_2a, are
5x5 at 299: the aux map's size), its depth the `num_outputs` TF-Slim's code passes, its input
depth that of the tensor TF-Slim feeds it (a block's input, the conv before it in its branch).
Batch norm has no gamma (inception_arg_scope: scale=False); the classifiers are fully connected
(input depth x 1001). The real checkpoints cannot be downloaded here, so their own listing
cannot be compared; the names that issue threads quote from `inspect_checkpoint` dumps of them
are QUOTED below and checked too.
"""

from __future__ import annotations

BN = ("BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance")
CLASSES = 1001

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


Shapes = dict[str, tuple[int, ...]]


def _kernel(scope: str) -> tuple[int, int]:
    """The kernel a TF-Slim conv name states: ..._1x7 -> (1, 7)."""
    h, w = scope.rsplit("_", 1)[1].split("x")
    return int(h), int(w)


def _conv(scope, depth_in, depth, kernel=None) -> Shapes:
    """A conv with batch norm (beta, moving mean and variance; no bias)."""
    weights = (*(kernel or _kernel(scope)), depth_in, depth)
    return {f"{scope}/weights": weights, **{f"{scope}/{v}": (depth,) for v in BN}}


def _up(scope, depth_in, depth) -> Shapes:
    """A 1x1 conv with biases and no batch norm: a residual block's up-projection."""
    return {f"{scope}/weights": (1, 1, depth_in, depth), f"{scope}/biases": (depth,)}


def _dense(scope, depth_in) -> Shapes:
    """slim.fully_connected to the 1001 classes (0 = background)."""
    return {f"{scope}/weights": (depth_in, CLASSES), f"{scope}/biases": (CLASSES,)}


def _convs(prefix, depth_in, branches) -> Shapes:
    """branches: {branch number: [(conv name, depth), ...]}; each branch's first conv reads the
    block's input (depth_in), each next conv the one before it."""
    out = {}
    for b, convs in branches.items():
        d = depth_in
        for c, depth in convs:
            out |= _conv(f"{prefix}/Branch_{b}/Conv2d_{c}", d, depth)
            d = depth
    return out


def inception_v4() -> Shapes:
    t = "InceptionV4"
    s = _conv(f"{t}/Conv2d_1a_3x3", 3, 32) | _conv(f"{t}/Conv2d_2a_3x3", 32, 32)
    s |= _conv(f"{t}/Conv2d_2b_3x3", 32, 64)
    s |= _convs(f"{t}/Mixed_3a", 64, {1: [("0a_3x3", 96)]})  # 64 + 96 = 160
    s |= _convs(
        f"{t}/Mixed_4a",
        160,
        {
            0: [("0a_1x1", 64), ("1a_3x3", 96)],
            1: [("0a_1x1", 64), ("0b_1x7", 64), ("0c_7x1", 64), ("1a_3x3", 96)],
        },
    )  # 96 + 96 = 192
    s |= _convs(f"{t}/Mixed_5a", 192, {0: [("1a_3x3", 192)]})  # 192 + 192 = 384
    for m in "bcde":  # block_inception_a
        s |= _convs(
            f"{t}/Mixed_5{m}",
            384,
            {
                0: [("0a_1x1", 96)],
                1: [("0a_1x1", 64), ("0b_3x3", 96)],
                2: [("0a_1x1", 64), ("0b_3x3", 96), ("0c_3x3", 96)],
                3: [("0b_1x1", 96)],
            },
        )
    s |= _convs(  # block_reduction_a: 384 + 256 + 384 = 1024
        f"{t}/Mixed_6a",
        384,
        {0: [("1a_3x3", 384)], 1: [("0a_1x1", 192), ("0b_3x3", 224), ("1a_3x3", 256)]},
    )
    for m in "bcdefgh":  # block_inception_b
        s |= _convs(
            f"{t}/Mixed_6{m}",
            1024,
            {
                0: [("0a_1x1", 384)],
                1: [("0a_1x1", 192), ("0b_1x7", 224), ("0c_7x1", 256)],
                2: [("0a_1x1", 192), ("0b_7x1", 192), ("0c_1x7", 224), ("0d_7x1", 224),
                    ("0e_1x7", 256)],
                3: [("0b_1x1", 128)],
            },
        )  # fmt: skip
    s |= _convs(  # block_reduction_b: 192 + 320 + 1024 = 1536
        f"{t}/Mixed_7a",
        1024,
        {
            0: [("0a_1x1", 192), ("1a_3x3", 192)],
            1: [("0a_1x1", 256), ("0b_1x7", 256), ("0c_7x1", 320), ("1a_3x3", 320)],
        },
    )
    for m in "bcd":  # block_inception_c: two convs each read the same tensor, then concat
        b = f"{t}/Mixed_7{m}"
        s |= _convs(b, 1536, {0: [("0a_1x1", 256)], 1: [("0a_1x1", 384)]})
        s |= _conv(f"{b}/Branch_1/Conv2d_0b_1x3", 384, 256)
        s |= _conv(f"{b}/Branch_1/Conv2d_0c_3x1", 384, 256)
        s |= _convs(b, 1536, {2: [("0a_1x1", 384), ("0b_3x1", 448), ("0c_1x3", 512)]})
        s |= _conv(f"{b}/Branch_2/Conv2d_0d_1x3", 512, 256)
        s |= _conv(f"{b}/Branch_2/Conv2d_0e_3x1", 512, 256)
        s |= _convs(b, 1536, {3: [("0b_1x1", 256)]})
    s |= _conv(f"{t}/AuxLogits/Conv2d_1b_1x1", 1024, 128)  # on Mixed_6h
    s |= _conv(f"{t}/AuxLogits/Conv2d_2a", 128, 768, kernel=(5, 5))
    return s | _dense(f"{t}/AuxLogits/Aux_logits", 768) | _dense(f"{t}/Logits/Logits", 1536)


def inception_resnet_v2() -> Shapes:
    t = "InceptionResnetV2"
    s = _conv(f"{t}/Conv2d_1a_3x3", 3, 32) | _conv(f"{t}/Conv2d_2a_3x3", 32, 32)
    s |= _conv(f"{t}/Conv2d_2b_3x3", 32, 64) | _conv(f"{t}/Conv2d_3b_1x1", 64, 80)
    s |= _conv(f"{t}/Conv2d_4a_3x3", 80, 192)
    s |= _convs(  # 96 + 64 + 96 + 64 = 320
        f"{t}/Mixed_5b",
        192,
        {
            0: [("1x1", 96)],
            1: [("0a_1x1", 48), ("0b_5x5", 64)],
            2: [("0a_1x1", 64), ("0b_3x3", 96), ("0c_3x3", 96)],
            3: [("0b_1x1", 64)],
        },
    )
    for i in range(1, 11):
        b = f"{t}/Repeat/block35_{i}"
        s |= _convs(
            b,
            320,
            {
                0: [("1x1", 32)],
                1: [("0a_1x1", 32), ("0b_3x3", 32)],
                2: [("0a_1x1", 32), ("0b_3x3", 48), ("0c_3x3", 64)],
            },
        )
        s |= _up(f"{b}/Conv2d_1x1", 32 + 32 + 64, 320)
    s |= _convs(  # 384 + 384 + 320 = 1088
        f"{t}/Mixed_6a",
        320,
        {0: [("1a_3x3", 384)], 1: [("0a_1x1", 256), ("0b_3x3", 256), ("1a_3x3", 384)]},
    )
    for i in range(1, 21):
        b = f"{t}/Repeat_1/block17_{i}"
        s |= _convs(
            b, 1088, {0: [("1x1", 192)], 1: [("0a_1x1", 128), ("0b_1x7", 160), ("0c_7x1", 192)]}
        )
        s |= _up(f"{b}/Conv2d_1x1", 192 + 192, 1088)
    s |= _convs(  # 384 + 288 + 320 + 1088 = 2080
        f"{t}/Mixed_7a",
        1088,
        {
            0: [("0a_1x1", 256), ("1a_3x3", 384)],
            1: [("0a_1x1", 256), ("1a_3x3", 288)],
            2: [("0a_1x1", 256), ("0b_3x3", 288), ("1a_3x3", 320)],
        },
    )
    for b in [f"{t}/Repeat_2/block8_{i}" for i in range(1, 10)] + [f"{t}/Block8"]:
        s |= _convs(
            b, 2080, {0: [("1x1", 192)], 1: [("0a_1x1", 192), ("0b_1x3", 224), ("0c_3x1", 256)]}
        )
        s |= _up(f"{b}/Conv2d_1x1", 192 + 256, 2080)
    s |= _conv(f"{t}/Conv2d_7b_1x1", 2080, 1536)
    s |= _conv(f"{t}/AuxLogits/Conv2d_1b_1x1", 1088, 128)  # on PreAuxLogits
    s |= _conv(f"{t}/AuxLogits/Conv2d_2a_5x5", 128, 768)
    return s | _dense(f"{t}/AuxLogits/Logits", 768) | _dense(f"{t}/Logits/Logits", 1536)


SHAPES = {"slim-inception-v4": inception_v4, "slim-inception-resnet-v2": inception_resnet_v2}
NAMES = {model_id: (lambda shapes=shapes: list(shapes())) for model_id, shapes in SHAPES.items()}
# Counted from TF-Slim's code: convs with batch norm x 4, up-projections and classifiers x 2.
COUNTS = {"slim-inception-v4": 151 * 4 + 2 * 2, "slim-inception-resnet-v2": 206 * 4 + 42 * 2}
