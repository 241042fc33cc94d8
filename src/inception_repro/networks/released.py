"""The released Inception-ResNet-v2, transcribed from TF-Slim's inception_resnet_v2.py.

Keras's keras/src/applications/inception_resnet_v2.py is a port of the same code; layer names
are Keras's (mixed_5b, block35_1_conv, conv_7b, ...) so that the transcription with the Keras
head rebuilds keras.applications.InceptionResNetV2 exactly, name for name.
Conv convention (slim arg scope / Keras conv2d_bn): Conv2D without bias, BatchNormalization
(scale=False, epsilon=0.001), ReLU; slim.conv2d pads SAME unless told otherwise.
"""

from __future__ import annotations

from inception_repro.networks.slim_aux import slim_aux_head
from inception_repro.spec import (
    Concat,
    Conv,
    Dense,
    Dropout,
    GlobalAvgPool,
    Network,
    Pool,
    Residual,
    Stage,
    repeat,
)

SLIM = "slim inception_resnet_v2.py"
KERAS = "keras inception_resnet_v2.py"


def conv(filters, kernel, stride=1, padding="same", scope="", name=None, stored=None):
    """slim.conv2d under variable scope `scope`, as the code names it (and cites it). In a
    repeated block, `stored` is the block's scope in the checkpoint, which takes the place of
    the code's block scope (Block35/Branch_0/... -> Repeat/block35_3/Branch_0/...)."""
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    return Conv(
        filters, k, stride, padding, cite=f"{SLIM} {scope}", name=name, scope=_in(stored, scope)
    )


def _in(stored, scope):
    return scope if stored is None else f"{stored}/{scope.split('/', 1)[1]}"


def stored_block(function, i, repeated):
    """A block's variable scope. slim.repeat(net, n, block35) opens variable scope "Repeat"
    (uniquified by TF: Repeat, Repeat_1, Repeat_2 for its 1st, 2nd and 3rd call) and calls
    block35 with scope "block35_1" .. "block35_n" (tf_slim layers.py, repeat: layer.__name__ +
    "_" + str(i + 1)); the block called on its own keeps its default scope ("Block8")."""
    calls = {"block35": "Repeat", "block17": "Repeat_1", "block8": "Repeat_2"}
    return f"{calls[function]}/{function}_{i}" if repeated else function.capitalize()


def maxpool(scope):
    return Pool("max", 3, 2, "valid", cite=f"{SLIM} {scope}")


def _up(depth, scope, stored):
    """The linear 1x1 projection back to the input depth: bias, no BN, no activation."""
    return Conv(
        depth,
        (1, 1),
        activation=None,
        bn=None,
        bias=True,
        cite=f"{SLIM} {scope}",
        scope=_in(stored, scope),
    )


def stem():
    return Stage(
        "stem",
        (
            conv(32, 3, 2, "valid", "Conv2d_1a_3x3"),
            conv(32, 3, 1, "valid", "Conv2d_2a_3x3"),
            conv(64, 3, 1, "same", "Conv2d_2b_3x3"),
            maxpool("MaxPool_3a_3x3"),
            conv(80, 1, 1, "valid", "Conv2d_3b_1x1"),
            conv(192, 3, 1, "valid", "Conv2d_4a_3x3"),
            maxpool("MaxPool_5a_3x3"),
            Concat(
                (
                    (conv(96, 1, scope="Mixed_5b/Branch_0/Conv2d_1x1"),),
                    (
                        conv(48, 1, scope="Mixed_5b/Branch_1/Conv2d_0a_1x1"),
                        conv(64, 5, scope="Mixed_5b/Branch_1/Conv2d_0b_5x5"),
                    ),
                    (
                        conv(64, 1, scope="Mixed_5b/Branch_2/Conv2d_0a_1x1"),
                        conv(96, 3, scope="Mixed_5b/Branch_2/Conv2d_0b_3x3"),
                        conv(96, 3, scope="Mixed_5b/Branch_2/Conv2d_0c_3x3"),
                    ),
                    (
                        Pool("avg", 3, 1, "same", cite=f"{SLIM} Mixed_5b/Branch_3/AvgPool_0a_3x3"),
                        conv(64, 1, scope="Mixed_5b/Branch_3/Conv2d_0b_1x1"),
                    ),
                ),
                cite=f"{SLIM} Mixed_5b; {KERAS} mixed_5b",
                name="mixed_5b",
            ),
        ),
        cite=f"{SLIM} inception_resnet_v2_base up to Mixed_5b (Inception-v3 stem + Mixed_5b)",
    )


def block35(i, scale=0.17, depth=320):
    s, at = "Block35", stored_block("block35", i, repeated=True)
    return Residual(
        (
            (conv(32, 1, scope=f"{s}/Branch_0/Conv2d_1x1", stored=at),),
            (
                conv(32, 1, scope=f"{s}/Branch_1/Conv2d_0a_1x1", stored=at),
                conv(32, 3, scope=f"{s}/Branch_1/Conv2d_0b_3x3", stored=at),
            ),
            (
                conv(32, 1, scope=f"{s}/Branch_2/Conv2d_0a_1x1", stored=at),
                conv(48, 3, scope=f"{s}/Branch_2/Conv2d_0b_3x3", stored=at),
                conv(64, 3, scope=f"{s}/Branch_2/Conv2d_0c_3x3", stored=at),
            ),
        ),
        _up(depth, f"{s}/Conv2d_1x1", at),
        scale,
        cite=f"{SLIM} block35, slim.repeat(net, 10, block35, scale=0.17)",
        name=f"block35_{i}",
    )


def block17(i, scale=0.1, depth=1088):
    s, at = "Block17", stored_block("block17", i, repeated=True)
    return Residual(
        (
            (conv(192, 1, scope=f"{s}/Branch_0/Conv2d_1x1", stored=at),),
            (
                conv(128, 1, scope=f"{s}/Branch_1/Conv2d_0a_1x1", stored=at),
                conv(160, (1, 7), scope=f"{s}/Branch_1/Conv2d_0b_1x7", stored=at),
                conv(192, (7, 1), scope=f"{s}/Branch_1/Conv2d_0c_7x1", stored=at),
            ),
        ),
        _up(depth, f"{s}/Conv2d_1x1", at),
        scale,
        cite=f"{SLIM} block17, slim.repeat(net, 20, block17, scale=0.10)",
        name=f"block17_{i}",
    )


def block8(i, scale=0.2, activation="relu", depth=2080):
    s, at = "Block8", stored_block("block8", i, repeated=activation is not None)
    return Residual(
        (
            (conv(192, 1, scope=f"{s}/Branch_0/Conv2d_1x1", stored=at),),
            (
                conv(192, 1, scope=f"{s}/Branch_1/Conv2d_0a_1x1", stored=at),
                conv(224, (1, 3), scope=f"{s}/Branch_1/Conv2d_0b_1x3", stored=at),
                conv(256, (3, 1), scope=f"{s}/Branch_1/Conv2d_0c_3x1", stored=at),
            ),
        ),
        _up(depth, f"{s}/Conv2d_1x1", at),
        scale,
        activation,
        cite=(
            f"{SLIM} block8, slim.repeat(net, 9, block8, scale=0.20)"
            if activation
            else f"{SLIM} block8(net, activation_fn=None): scale 1.0, no activation"
        ),
        name=f"block8_{i}",
    )


def mixed_6a():
    s = "Mixed_6a"
    return Concat(
        (
            (conv(384, 3, 2, "valid", f"{s}/Branch_0/Conv2d_1a_3x3"),),
            (
                conv(256, 1, scope=f"{s}/Branch_1/Conv2d_0a_1x1"),
                conv(256, 3, scope=f"{s}/Branch_1/Conv2d_0b_3x3"),
                conv(384, 3, 2, "valid", f"{s}/Branch_1/Conv2d_1a_3x3"),
            ),
            (maxpool(f"{s}/Branch_2/MaxPool_1a_3x3"),),
        ),
        cite=f"{SLIM} Mixed_6a (Reduction-A, k,l,m,n = 256,256,384,384)",
        name="mixed_6a",
    )


def mixed_7a():
    s = "Mixed_7a"
    return Concat(
        (
            (
                conv(256, 1, scope=f"{s}/Branch_0/Conv2d_0a_1x1"),
                conv(384, 3, 2, "valid", f"{s}/Branch_0/Conv2d_1a_3x3"),
            ),
            (
                conv(256, 1, scope=f"{s}/Branch_1/Conv2d_0a_1x1"),
                conv(288, 3, 2, "valid", f"{s}/Branch_1/Conv2d_1a_3x3"),
            ),
            (
                conv(256, 1, scope=f"{s}/Branch_2/Conv2d_0a_1x1"),
                conv(288, 3, scope=f"{s}/Branch_2/Conv2d_0b_3x3"),
                conv(320, 3, 2, "valid", f"{s}/Branch_2/Conv2d_1a_3x3"),
            ),
            (maxpool(f"{s}/Branch_3/MaxPool_1a_3x3"),),
        ),
        cite=f"{SLIM} Mixed_7a (Reduction-B)",
        name="mixed_7a",
    )


def body_stages() -> tuple[Stage, ...]:
    return (
        stem(),
        Stage("blocks_a", repeat(block35, 10), cite=f"{SLIM} 10 x block35"),
        Stage("reduction_a", (mixed_6a(),)),
        Stage("blocks_b", repeat(block17, 20), cite=f"{SLIM} 20 x block17 (PreAuxLogits)"),
        Stage("reduction_b", (mixed_7a(),)),
        Stage(
            "blocks_c",
            repeat(block8, 9) + (block8(10, scale=1.0, activation=None),),
            cite=f"{SLIM} 9 x block8 + block8(activation_fn=None)",
        ),
        Stage(
            "head",
            (conv(1536, 1, scope="Conv2d_7b_1x1", name="conv_7b"),),
            cite=f"{SLIM} Conv2d_7b_1x1: 1536 1x1, absent from the paper",
        ),
    )


def slim_top(classes=1001):
    return (
        GlobalAvgPool(cite=f"{SLIM} Logits/AvgPool_1a_8x8 (kernel = map size, VALID) + flatten"),
        Dropout(0.2, cite=f"{SLIM} Logits/Dropout, dropout_keep_prob=0.8"),
        Dense(
            classes,
            "softmax",
            cite=f"{SLIM} Logits/Logits + Predictions softmax",
            scope="Logits/Logits",
        ),
    )


def slim_aux(classes=1001):
    return slim_aux_head(
        SLIM,
        "PreAuxLogits",
        "Conv2d_1a_3x3 (avg_pool2d 5, stride 3)",
        "Conv2d_2a_5x5",
        "Logits",
        classes,
    )


def keras_top(classes=1000):
    return (
        GlobalAvgPool(cite=f"{KERAS} avg_pool", name="avg_pool"),
        Dense(classes, "softmax", cite=f"{KERAS} predictions", name="predictions"),
    )


def slim_inception_resnet_v2() -> Network:
    return Network(
        "slim-inception-resnet-v2",
        body_stages(),
        slim_top(),
        1001,
        cite=f"{SLIM} inception_resnet_v2(num_classes=1001, create_aux_logits=True)",
        aux=slim_aux(),
    )


def slim_body_keras_head() -> Network:
    """The slim transcription with Keras's head: must equal keras.applications' model."""
    return slim_inception_resnet_v2().with_top(
        keras_top(), 1000, aux=None, id="slim-inception-resnet-v2+keras-head"
    )
