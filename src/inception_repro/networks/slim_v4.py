"""TF-Slim's Inception-v4, transcribed from research/slim/nets/inception_v4.py.

The code the slim checkpoint inception_v4_2016_09_09 was trained with: the paper's Inception-v4
(Figs 3-9) with other factorisation orders in Mixed_4a (Fig 3), Inception-B (Fig 5) and
Inception-C (Fig 6), an auxiliary head on Mixed_6h, and 1001 classes (0 = background).
End points carry slim's names (Conv2d_1a_3x3, Mixed_3a ... Mixed_7d, AuxLogits, Logits).
Conv convention (inception_utils.inception_arg_scope): Conv2D without bias, BatchNormalization
(scale=False, epsilon=0.001), ReLU; every block's arg scope pads SAME unless told otherwise.
"""

from __future__ import annotations

from inception_repro.networks.slim_aux import slim_aux_head
from inception_repro.spec import (
    SAME,
    VALID,
    AuxHead,
    Concat,
    Conv,
    Dense,
    Dropout,
    GlobalAvgPool,
    Network,
    Pool,
    Stage,
)

SLIM = "slim inception_v4.py"
V = VALID  # TF-Slim's padding="VALID"


def conv(filters, kernel, scope, stride=1, padding=SAME, name=None, cite=None) -> Conv:
    """slim.conv2d under variable scope `scope` (spec.SLIM_SCOPE)."""
    k = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    return Conv(filters, k, stride, padding, cite=f"{SLIM} {cite or scope}", name=name, scope=scope)


def block_conv(block, function):
    """conv() inside a block function: `function` opens variable scope `block` (Mixed_5b)."""

    def make(filters, kernel, scope, stride=1, padding=SAME) -> Conv:
        cited = f"{block} ({function}) {scope}"
        return conv(filters, kernel, f"{block}/{scope}", stride, padding, cite=cited)

    return make


def maxpool(scope) -> Pool:
    return Pool("max", 3, 2, "valid", cite=f"{SLIM} {scope} (max_pool2d [3, 3], stride 2, VALID)")


def avgpool(scope) -> Pool:
    return Pool("avg", 3, 1, "same", cite=f"{SLIM} {scope} (avg_pool2d [3, 3], arg scope SAME)")


def fork(scope, *convs) -> Concat:
    """tf.concat of convs applied to the same input (Inception-C's forks)."""
    return Concat(tuple((c,) for c in convs), cite=f"{SLIM} {scope} tf.concat")


def stem() -> Stage:
    return Stage(
        "stem",
        (
            conv(32, 3, "Conv2d_1a_3x3", 2, V, name="Conv2d_1a_3x3"),
            conv(32, 3, "Conv2d_2a_3x3", padding=V, name="Conv2d_2a_3x3"),
            conv(64, 3, "Conv2d_2b_3x3", name="Conv2d_2b_3x3"),
            Concat(
                (
                    (maxpool("Mixed_3a/Branch_0/MaxPool_0a_3x3"),),
                    (conv(96, 3, "Mixed_3a/Branch_1/Conv2d_0a_3x3", 2, V),),
                ),
                cite=f"{SLIM} Mixed_3a",
                name="Mixed_3a",
            ),
            Concat(
                (
                    (
                        conv(64, 1, "Mixed_4a/Branch_0/Conv2d_0a_1x1"),
                        conv(96, 3, "Mixed_4a/Branch_0/Conv2d_1a_3x3", padding=V),
                    ),
                    (
                        conv(64, 1, "Mixed_4a/Branch_1/Conv2d_0a_1x1"),
                        conv(64, (1, 7), "Mixed_4a/Branch_1/Conv2d_0b_1x7"),
                        conv(64, (7, 1), "Mixed_4a/Branch_1/Conv2d_0c_7x1"),
                        conv(96, 3, "Mixed_4a/Branch_1/Conv2d_1a_3x3", padding=V),
                    ),
                ),
                cite=f"{SLIM} Mixed_4a",
                name="Mixed_4a",
            ),
            Concat(
                (
                    (conv(192, 3, "Mixed_5a/Branch_0/Conv2d_1a_3x3", 2, V),),
                    (maxpool("Mixed_5a/Branch_1/MaxPool_1a_3x3"),),
                ),
                cite=f"{SLIM} Mixed_5a",
                name="Mixed_5a",
            ),
        ),
        cite=f"{SLIM} inception_v4_base up to Mixed_5a",
    )


def block_inception_a(scope) -> Concat:
    s = f"{scope} (block_inception_a)"
    c = block_conv(scope, "block_inception_a")
    return Concat(
        (
            (c(96, 1, "Branch_0/Conv2d_0a_1x1"),),
            (
                c(64, 1, "Branch_1/Conv2d_0a_1x1"),
                c(96, 3, "Branch_1/Conv2d_0b_3x3"),
            ),
            (
                c(64, 1, "Branch_2/Conv2d_0a_1x1"),
                c(96, 3, "Branch_2/Conv2d_0b_3x3"),
                c(96, 3, "Branch_2/Conv2d_0c_3x3"),
            ),
            (avgpool(f"{s} Branch_3/AvgPool_0a_3x3"), c(96, 1, "Branch_3/Conv2d_0b_1x1")),
        ),
        cite=f"{SLIM} {s}",
        name=scope,
    )


def block_reduction_a(scope) -> Concat:
    s = f"{scope} (block_reduction_a)"
    c = block_conv(scope, "block_reduction_a")
    return Concat(
        (
            (c(384, 3, "Branch_0/Conv2d_1a_3x3", 2, V),),
            (
                c(192, 1, "Branch_1/Conv2d_0a_1x1"),
                c(224, 3, "Branch_1/Conv2d_0b_3x3"),
                c(256, 3, "Branch_1/Conv2d_1a_3x3", 2, V),
            ),
            (maxpool(f"{s} Branch_2/MaxPool_1a_3x3"),),
        ),
        cite=f"{SLIM} {s}",
        name=scope,
    )


def block_inception_b(scope) -> Concat:
    s = f"{scope} (block_inception_b)"
    c = block_conv(scope, "block_inception_b")
    return Concat(
        (
            (c(384, 1, "Branch_0/Conv2d_0a_1x1"),),
            (
                c(192, 1, "Branch_1/Conv2d_0a_1x1"),
                c(224, (1, 7), "Branch_1/Conv2d_0b_1x7"),
                c(256, (7, 1), "Branch_1/Conv2d_0c_7x1"),
            ),
            (
                c(192, 1, "Branch_2/Conv2d_0a_1x1"),
                c(192, (7, 1), "Branch_2/Conv2d_0b_7x1"),
                c(224, (1, 7), "Branch_2/Conv2d_0c_1x7"),
                c(224, (7, 1), "Branch_2/Conv2d_0d_7x1"),
                c(256, (1, 7), "Branch_2/Conv2d_0e_1x7"),
            ),
            (avgpool(f"{s} Branch_3/AvgPool_0a_3x3"), c(128, 1, "Branch_3/Conv2d_0b_1x1")),
        ),
        cite=f"{SLIM} {s}",
        name=scope,
    )


def block_reduction_b(scope) -> Concat:
    s = f"{scope} (block_reduction_b)"
    c = block_conv(scope, "block_reduction_b")
    return Concat(
        (
            (
                c(192, 1, "Branch_0/Conv2d_0a_1x1"),
                c(192, 3, "Branch_0/Conv2d_1a_3x3", 2, V),
            ),
            (
                c(256, 1, "Branch_1/Conv2d_0a_1x1"),
                c(256, (1, 7), "Branch_1/Conv2d_0b_1x7"),
                c(320, (7, 1), "Branch_1/Conv2d_0c_7x1"),
                c(320, 3, "Branch_1/Conv2d_1a_3x3", 2, V),
            ),
            (maxpool(f"{s} Branch_2/MaxPool_1a_3x3"),),
        ),
        cite=f"{SLIM} {s}",
        name=scope,
    )


def block_inception_c(scope) -> Concat:
    s = f"{scope} (block_inception_c)"
    c = block_conv(scope, "block_inception_c")
    return Concat(
        (
            (c(256, 1, "Branch_0/Conv2d_0a_1x1"),),
            (
                c(384, 1, "Branch_1/Conv2d_0a_1x1"),
                fork(
                    f"{s} Branch_1",
                    c(256, (1, 3), "Branch_1/Conv2d_0b_1x3"),
                    c(256, (3, 1), "Branch_1/Conv2d_0c_3x1"),
                ),
            ),
            (
                c(384, 1, "Branch_2/Conv2d_0a_1x1"),
                c(448, (3, 1), "Branch_2/Conv2d_0b_3x1"),
                c(512, (1, 3), "Branch_2/Conv2d_0c_1x3"),
                fork(
                    f"{s} Branch_2",
                    c(256, (1, 3), "Branch_2/Conv2d_0d_1x3"),
                    c(256, (3, 1), "Branch_2/Conv2d_0e_3x1"),
                ),
            ),
            (avgpool(f"{s} Branch_3/AvgPool_0a_3x3"), c(256, 1, "Branch_3/Conv2d_0b_1x1")),
        ),
        cite=f"{SLIM} {s}",
        name=scope,
    )


def _mixed(block, grid, first, count):
    """slim's block loops: scopes 'Mixed_' + grid + chr(ord(first) + idx)."""
    return tuple(block(f"Mixed_{grid}{chr(ord(first) + i)}") for i in range(count))


def body_stages() -> tuple[Stage, ...]:
    return (
        stem(),
        Stage("blocks_a", _mixed(block_inception_a, 5, "b", 4), cite=f"{SLIM} 4 x Inception-A"),
        Stage("reduction_a", (block_reduction_a("Mixed_6a"),), cite=f"{SLIM} Reduction-A"),
        Stage("blocks_b", _mixed(block_inception_b, 6, "b", 7), cite=f"{SLIM} 7 x Inception-B"),
        Stage("reduction_b", (block_reduction_b("Mixed_7a"),), cite=f"{SLIM} Reduction-B"),
        Stage("blocks_c", _mixed(block_inception_c, 7, "b", 3), cite=f"{SLIM} 3 x Inception-C"),
    )


def top(classes=1001):
    return (
        GlobalAvgPool(
            cite=f"{SLIM} Logits/AvgPool_1a (kernel = map size, VALID), end point global_pool",
            name="global_pool",
        ),
        Dropout(0.2, cite=f"{SLIM} Logits/Dropout_1b, dropout_keep_prob=0.8", name="Dropout_1b"),
        Dense(
            classes,
            "softmax",
            cite=f"{SLIM} Logits/Logits (fully_connected) + Predictions (softmax)",
            name="Logits",
            scope="Logits/Logits",
        ),
    )


def aux(classes=1001) -> AuxHead:
    return slim_aux_head(
        SLIM,
        "Mixed_6h",
        "AvgPool_1a_5x5 (stride 3, VALID)",
        "Conv2d_2a",
        "Aux_logits",
        classes,
        logits_name="AuxLogits",
    )


def slim_inception_v4() -> Network:
    return Network(
        "slim-inception-v4",
        body_stages(),
        top(),
        1001,
        cite=f"{SLIM} inception_v4(num_classes=1001, dropout_keep_prob=0.8, create_aux_logits)",
        aux=aux(),
    )
