"""The paper's three networks, transcribed from the figures of arXiv 1602.07261.

Inception-v4: Figs 3-9. Inception-ResNet-v1: Figs 14, 10, 7, 11, 12, 13, 15. Inception-ResNet-v2:
Figs 3, 16, 7, 17, 18, 19, 15. Every layer cites its figure and the label printed there. Branches
are concatenated in the figure's left-to-right order and factorised kernels (1x7/7x1, 1x3/3x1)
follow the figure from input to output. Sec 3.1: a conv not marked V is same-padded.
Where a figure contradicts the rest of the paper the value comes from errata.py; where the paper
is silent, from the conventions below.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from inception_repro.networks import errata
from inception_repro.spec import (
    VALID,
    BatchNorm,
    Concat,
    Conv,
    Dense,
    Dropout,
    GlobalAvgPool,
    Network,
    Pool,
    Residual,
    Stage,
)

# ---- conventions where the paper is silent -------------------------------------------------

# Conv = Conv2D without bias -> BatchNormalization(scale=False, epsilon=1e-3) -> ReLU. The paper
# says only that batch norm sits on top of the traditional layers (Sec 3.2); this is the conv of
# the authors' released code (TF-Slim inception_utils.inception_arg_scope): BN's beta makes a
# conv bias redundant, and the following ReLU and conv can absorb BN's scale.
CONV_BN = BatchNorm(epsilon=1e-3, center=True, scale=False)

# Residual branch scale before the add: Sec 3.3 picks factors "between 0.1 and 0.3"; Fig 20's
# caption says "typically around 0.1". Every paper network takes `scale` to change it.
RESIDUAL_SCALE = 0.1

# "Avg Pooling" in Figs 4-6 has no window or stride: stride 1 and same padding are the only
# choice that keeps the grid for the concatenation; the 3x3 window is TF-Slim inception_v4.py's.
AVG_POOL = Pool("avg", 3, 1, "same")

# Head (Figs 9, 15): "Average Pooling" outputs a vector (1536, 1792), so it pools globally;
# "Dropout (keep 0.8)" drops 0.2; "Softmax" outputs 1000, so a Dense layer maps the pooled width
# to 1000 classes. No auxiliary classifier is drawn or described, so there is none.
DROPOUT_RATE = 0.2
CLASSES = 1000

V = VALID  # the figures' "V"


# ---- layers in the figures' notation -------------------------------------------------------


def _label(filters, kernel, stride, padding):
    """The figures' notation, e.g. 3x3 Conv (32 stride 2 V)."""
    words = [str(filters)] + [f"stride {stride}"] * (stride > 1) + ["V"] * (padding == V)
    return f"{kernel[0]}x{kernel[1]} Conv ({' '.join(words)})"


def conv(fig, filters, kernel=1, stride=1, padding="same", cite=None) -> Conv:
    k = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    cite = cite or f"{fig}: {_label(filters, k, stride, padding)}"
    return Conv(filters, k, stride, padding, bn=CONV_BN, cite=cite)


def up(fig, depth, cite=None) -> Conv:
    """The 1x1 filter expansion before the add, "Linear" in the figures: no activation. Without
    BN too, as TF-Slim's Conv2d_1x1 in its residual blocks (normalizer_fn=None), so with a bias."""
    cite = cite or f"{fig}: 1x1 Conv ({depth} Linear)"
    return Conv(depth, (1, 1), activation=None, bn=None, bias=True, cite=cite)


def maxpool(fig) -> Pool:
    return Pool("max", 3, 2, V, cite=f"{fig}: 3x3 MaxPool (stride 2 V)")


def avgpool(fig) -> Pool:
    return replace(AVG_POOL, cite=f"{fig}: Avg Pooling (window, stride not printed: AVG_POOL)")


def split(fig, *convs) -> Concat:
    """Convs side by side on one input, their outputs concatenated (Fig 6's forks)."""
    return Concat(tuple((c,) for c in convs), cite=f"{fig}: fork, outputs concatenated")


def residual(fig, branches, up_conv, scale) -> Residual:
    return Residual(
        branches,
        up_conv,
        scale,
        "relu",
        cite=f"{fig}: branches, Linear 1x1, scaled by {scale} (Fig 20), + input, Relu activation",
    )


def head(fig):
    return (
        GlobalAvgPool(cite=f"{fig}: Average Pooling, global (a vector is printed)"),
        Dropout(DROPOUT_RATE, cite=f"{fig}: Dropout (keep 0.8)"),
        Dense(CLASSES, "softmax", cite=f"{fig}: Softmax (Output: {CLASSES})"),
    )


# ---- stems ---------------------------------------------------------------------------------


def stem_fig3() -> Stage:
    f = "Fig 3"
    stride, pool = errata.FIG3_CONV_STRIDE, errata.FIG3_POOL_SIZE
    return Stage(
        "stem",
        (
            conv(f, 32, 3, 2, V),
            conv(f, 32, 3, 1, V),
            conv(f, 64, 3),
            Concat(((maxpool(f),), (conv(f, 96, 3, 2, V),)), cite=f"{f}: Filter concat 73x73x160"),
            Concat(
                (
                    (conv(f, 64), conv(f, 96, 3, 1, V)),
                    (conv(f, 64), conv(f, 64, (7, 1)), conv(f, 64, (1, 7)), conv(f, 96, 3, 1, V)),
                ),
                cite=f"{f}: Filter concat 71x71x192",
            ),
            Concat(
                (
                    (conv(f, 192, 3, stride.used, V, cite=stride.cite()),),
                    (Pool("max", pool.used, 2, V, cite=pool.cite()),),
                ),
                cite=f"{f}: Filter concat 35x35x384",
            ),
        ),
        cite=f"{f}: stem of Inception-v4 and Inception-ResNet-v2",
    )


def stem_fig14() -> Stage:
    f = "Fig 14"
    return Stage(
        "stem",
        (
            conv(f, 32, 3, 2, V),
            conv(f, 32, 3, 1, V),
            conv(f, 64, 3),
            maxpool(f),
            conv(f, 80, 1),
            conv(f, 192, 3, 1, V),
            conv(f, 256, 3, 2, V),
        ),
        cite=f"{f}: stem of Inception-ResNet-v1",
    )


# ---- Inception-v4 blocks -------------------------------------------------------------------


def inception_a() -> Concat:
    f = "Fig 4"
    return Concat(
        (
            (avgpool(f), conv(f, 96)),
            (conv(f, 96),),
            (conv(f, 64), conv(f, 96, 3)),
            (conv(f, 64), conv(f, 96, 3), conv(f, 96, 3)),
        ),
        cite=f"{f}: Inception-A, Filter concat",
    )


def inception_b(as_printed: Collection[str] = ()) -> Concat:
    f, second = "Fig 5", errata.FIG5_KERNEL
    return Concat(
        (
            (avgpool(f), conv(f, 128)),
            (conv(f, 384),),
            (
                conv(f, 192),
                conv(f, 224, (1, 7)),
                conv(f, 256, second.value(as_printed), cite=second.cite(as_printed)),
            ),
            (
                conv(f, 192),
                conv(f, 192, (1, 7)),
                conv(f, 224, (7, 1)),
                conv(f, 224, (1, 7)),
                conv(f, 256, (7, 1)),
            ),
        ),
        cite=f"{f}: Inception-B, Filter concat",
    )


def inception_c() -> Concat:
    f = "Fig 6"
    return Concat(
        (
            (avgpool(f), conv(f, 256)),
            (conv(f, 256),),
            (conv(f, 384), split(f, conv(f, 256, (1, 3)), conv(f, 256, (3, 1)))),
            (
                conv(f, 384),
                conv(f, 448, (1, 3)),
                conv(f, 512, (3, 1)),
                split(f, conv(f, 256, (3, 1)), conv(f, 256, (1, 3))),
            ),
        ),
        cite=f"{f}: Inception-C, Filter concat",
    )


def reduction_a(k, l, m, n, network) -> Concat:  # noqa: E741 (Table 1's names)
    f, t = "Fig 7", f"Table 1 {network}"
    return Concat(
        (
            (maxpool(f),),
            (conv(f, n, 3, 2, V, cite=f"{f}: 3x3 Conv (n stride 2 V), n = {n} ({t})"),),
            (
                conv(f, k, 1, cite=f"{f}: 1x1 Conv (k), k = {k} ({t})"),
                conv(f, l, 3, cite=f"{f}: 3x3 Conv (l), l = {l} ({t})"),
                conv(f, m, 3, 2, V, cite=f"{f}: 3x3 Conv (m stride 2 V), m = {m} ({t})"),
            ),
        ),
        cite=f"{f}: Reduction-A, Filter concat; {t}: k, l, m, n = {k}, {l}, {m}, {n}",
    )


def reduction_b_v4() -> Concat:
    f = "Fig 8"
    return Concat(
        (
            (maxpool(f),),
            (conv(f, 192), conv(f, 192, 3, 2, V)),
            (conv(f, 256), conv(f, 256, (1, 7)), conv(f, 320, (7, 1)), conv(f, 320, 3, 2, V)),
        ),
        cite=f"{f}: Reduction-B of Inception-v4, Filter concat",
    )


# ---- Inception-ResNet-v1 blocks ------------------------------------------------------------


def resnet_a_v1(scale) -> Residual:
    f = "Fig 10"
    return residual(
        f,
        (
            (conv(f, 32),),
            (conv(f, 32), conv(f, 32, 3)),
            (conv(f, 32), conv(f, 32, 3), conv(f, 32, 3)),
        ),
        up(f, 256),
        scale,
    )


def resnet_b_v1(scale) -> Residual:
    f = "Fig 11"
    return residual(
        f,
        ((conv(f, 128),), (conv(f, 128), conv(f, 128, (1, 7)), conv(f, 128, (7, 1)))),
        up(f, 896),
        scale,
    )


def reduction_b_v1() -> Concat:
    f = "Fig 12"
    return Concat(
        (
            (maxpool(f),),
            (conv(f, 256), conv(f, 384, 3, 2, V)),
            (conv(f, 256), conv(f, 256, 3, 2, V)),
            (conv(f, 256), conv(f, 256, 3), conv(f, 256, 3, 2, V)),
        ),
        cite=f"{f}: Reduction-B of Inception-ResNet-v1, Filter concat",
    )


def resnet_c_v1(scale) -> Residual:
    f = "Fig 13"
    return residual(
        f,
        ((conv(f, 192),), (conv(f, 192), conv(f, 192, (1, 3)), conv(f, 192, (3, 1)))),
        up(f, 1792),
        scale,
    )


# ---- Inception-ResNet-v2 blocks ------------------------------------------------------------


def resnet_a_v2(scale) -> Residual:
    f = "Fig 16"
    return residual(
        f,
        (
            (conv(f, 32),),
            (conv(f, 32), conv(f, 32, 3)),
            (conv(f, 32), conv(f, 48, 3), conv(f, 64, 3)),
        ),
        up(f, 384),
        scale,
    )


def _up_erratum(e: errata.Erratum, as_printed) -> Conv:
    return up(e.figure, e.value(as_printed), cite=e.cite(as_printed))


def resnet_b_v2(scale, as_printed: Collection[str] = ()) -> Residual:
    f = "Fig 17"
    return residual(
        f,
        ((conv(f, 192),), (conv(f, 128), conv(f, 160, (1, 7)), conv(f, 192, (7, 1)))),
        _up_erratum(errata.FIG17_UP_WIDTH, as_printed),
        scale,
    )


def reduction_b_v2() -> Concat:
    f = "Fig 18"
    return Concat(
        (
            (maxpool(f),),
            (conv(f, 256), conv(f, 384, 3, 2, V)),
            (conv(f, 256), conv(f, 288, 3, 2, V)),
            (conv(f, 256), conv(f, 288, 3), conv(f, 320, 3, 2, V)),
        ),
        cite=errata.FIG18_CAPTION.cite(),
    )


def resnet_c_v2(scale, as_printed: Collection[str] = ()) -> Residual:
    f = "Fig 19"
    return residual(
        f,
        ((conv(f, 192),), (conv(f, 192), conv(f, 224, (1, 3)), conv(f, 256, (3, 1)))),
        _up_erratum(errata.FIG19_UP_WIDTH, as_printed),
        scale,
    )


# ---- networks ------------------------------------------------------------------------------


def _id(name, as_printed):
    return f"{name} as printed ({', '.join(sorted(as_printed))})" if as_printed else name


def inception_v4(as_printed: Collection[str] = ()) -> Network:
    """Fig 9. `as_printed` may hold fig5-second-1x7 (a valid network, not the paper's intent)."""
    errata.check_as_printed(as_printed, (errata.FIG5_KERNEL,))
    s = "Fig 9:"
    return Network(
        _id("paper-inception-v4", as_printed),
        (
            stem_fig3(),
            Stage("blocks_a", (inception_a(),) * 4, cite=f"{s} 4 x Inception-A (Fig 4)"),
            Stage(
                "reduction_a",
                (reduction_a(192, 224, 256, 384, "Inception-v4"),),
                cite=f"{s} Reduction-A (Fig 7)",
            ),
            Stage("blocks_b", (inception_b(as_printed),) * 7, cite=f"{s} 7 x Inception-B (Fig 5)"),
            Stage("reduction_b", (reduction_b_v4(),), cite=f"{s} Reduction-B (Fig 8)"),
            Stage("blocks_c", (inception_c(),) * 3, cite=f"{s} 3 x Inception-C (Fig 6)"),
        ),
        head("Fig 9"),
        CLASSES,
        cite="arXiv 1602.07261 Fig 9 (Figs 3-8)",
    )


def inception_resnet_v1(scale: float = RESIDUAL_SCALE) -> Network:
    """Fig 15 with Figs 14, 10, 7, 11, 12, 13."""
    s = "Fig 15:"
    return Network(
        "paper-inception-resnet-v1",
        (
            stem_fig14(),
            Stage(
                "blocks_a", (resnet_a_v1(scale),) * 5, cite=f"{s} 5 x Inception-resnet-A (Fig 10)"
            ),
            Stage(
                "reduction_a",
                (reduction_a(192, 192, 256, 384, "Inception-ResNet-v1"),),
                cite=f"{s} Reduction-A (Fig 7)",
            ),
            Stage(
                "blocks_b", (resnet_b_v1(scale),) * 10, cite=f"{s} 10 x Inception-resnet-B (Fig 11)"
            ),
            Stage("reduction_b", (reduction_b_v1(),), cite=f"{s} Reduction-B (Fig 12)"),
            Stage(
                "blocks_c", (resnet_c_v1(scale),) * 5, cite=f"{s} 5 x Inception-resnet-C (Fig 13)"
            ),
        ),
        head("Fig 15"),
        CLASSES,
        cite="arXiv 1602.07261 Fig 15 (Figs 14, 10, 7, 11, 12, 13)",
    )


def inception_resnet_v2(scale: float = RESIDUAL_SCALE, as_printed: Collection[str] = ()) -> Network:
    """Fig 15 with Figs 3, 16, 7, 17, 18, 19. `as_printed` may hold fig17-up-width and
    fig19-up-width: the printed widths cannot be added to the block input (SpecError)."""
    errata.check_as_printed(as_printed, (errata.FIG17_UP_WIDTH, errata.FIG19_UP_WIDTH))
    s = "Fig 15:"
    return Network(
        _id("paper-inception-resnet-v2", as_printed),
        (
            stem_fig3(),
            Stage(
                "blocks_a", (resnet_a_v2(scale),) * 5, cite=f"{s} 5 x Inception-resnet-A (Fig 16)"
            ),
            Stage(
                "reduction_a",
                (reduction_a(256, 256, 384, 384, "Inception-ResNet-v2"),),
                cite=f"{s} Reduction-A (Fig 7)",
            ),
            Stage(
                "blocks_b",
                (resnet_b_v2(scale, as_printed),) * 10,
                cite=f"{s} 10 x Inception-resnet-B (Fig 17)",
            ),
            Stage("reduction_b", (reduction_b_v2(),), cite=f"{s} Reduction-B (Fig 18)"),
            Stage(
                "blocks_c",
                (resnet_c_v2(scale, as_printed),) * 5,
                cite=f"{s} 5 x Inception-resnet-C (Fig 19)",
            ),
        ),
        head("Fig 15"),
        CLASSES,
        cite="arXiv 1602.07261 Fig 15 (Figs 3, 16, 7, 17, 18, 19)",
    )
