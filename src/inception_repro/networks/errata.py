"""Where arXiv 1602.07261 contradicts itself: each inconsistency as data.

An entry records the figure, the value as printed, the value the paper specs use and why. The
specs in paper.py read every such value from here, and cite the entry beside the layer it sets.
A network built with the printed value instead (`as_printed`) shows what the paper says as is:
the printed residual widths of Figs 17 and 19 fail spec validation (spec.check_depths).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

# Erratum.field -> the kind of value, as a reader would name it
KINDS = {
    "stride": "stride",
    "size": "pool window",
    "kernel": "kernel shape",
    "filters": "channels",
    None: "network named in the caption",
}


@dataclass(frozen=True)
class Erratum:
    id: str
    figure: str
    label: str  # the figure's text as printed
    field: str | None  # the spec field the value sets (Conv.filters, Pool.size...); None: none
    printed: object  # None: not printed
    used: object
    reason: str

    @property
    def kind(self) -> str:
        """What kind of value the figure got wrong, in words."""
        return KINDS[self.field]

    def value(self, as_printed: Collection[str] = ()):
        return self.printed if self.id in as_printed else self.used

    def cite(self, as_printed: Collection[str] = ()) -> str:
        if self.id in as_printed:
            return f"{self.figure}: {self.label} as printed"
        setting = f"{self.field} {self.used}" if self.field else self.used
        return f"{self.figure}: {self.label}; erratum {self.id}: {setting} used"


FIG3_CONV_STRIDE = Erratum(
    "fig3-conv-stride",
    "Fig 3",
    "3x3 Conv (192 V)",
    "stride",
    printed=1,
    used=2,
    reason=(
        "the last concatenation joins this conv with a stride 2 pool and Fig 3 prints its output "
        "as 35x35x384; from 71x71 only a stride 2 valid 3x3 conv gives 35x35 (a stride 1 one "
        "gives 69x69, which cannot be concatenated); TF-Slim inception_v4.py Mixed_5a uses "
        "stride 2 VALID"
    ),
)

FIG3_POOL_SIZE = Erratum(
    "fig3-pool-size",
    "Fig 3",
    "MaxPool (stride=2 V)",
    "size",
    printed=None,
    used=3,
    reason=(
        "the window is not printed and the printed 35x35 does not decide it (2x2 and 3x3 both "
        "give 35 from 71); every other max pool of Figs 3, 7, 8, 12, 14 and 18 is 3x3, and "
        "TF-Slim inception_v4.py Mixed_5a uses max_pool2d [3, 3] stride 2 VALID"
    ),
)

FIG5_KERNEL = Erratum(
    "fig5-second-1x7",
    "Fig 5",
    "1x7 Conv (256) after 1x7 Conv (224)",
    "kernel",
    printed=(1, 7),
    used=(7, 1),
    reason=(
        "two 1x7 convs in a row cover a 1x13 window, not 7x7: every other 7x7 factorisation "
        "of the paper pairs 1x7 with 7x1 (Figs 3, 5's last branch, 8, 11, 17); TF-Slim "
        "inception_v4.py Mixed_6b..6h Branch_1/Conv2d_0c_7x1 uses [7, 1]"
    ),
)

FIG17_UP_WIDTH = Erratum(
    "fig17-up-width",
    "Fig 17",
    "1x1 Conv (1154 Linear)",
    "filters",
    printed=1154,
    used=1152,
    reason=(
        "the up-projection is added to the block input (Sec 3.2: it scales the filter bank "
        "up 'to match the depth of the input'), whose depth is 1152: Fig 3's stem gives 384 and "
        "Fig 7 with Table 1's n = m = 384 adds 768"
    ),
)

FIG18_CAPTION = Erratum(
    "fig18-caption",
    "Fig 18",
    "Reduction-B module used by the wider Inception-ResNet-v1 network in Figure 15",
    None,
    printed="Inception-ResNet-v1",
    used="Inception-ResNet-v2",
    reason=(
        "Fig 15's caption assigns Fig 18 to Inception-ResNet-v2 and Fig 12 (captioned 'the "
        "smaller Inception-ResNet-v1') to v1; 'wider' fits v2"
    ),
)

FIG19_UP_WIDTH = Erratum(
    "fig19-up-width",
    "Fig 19",
    "1x1 Conv (2048 Linear)",
    "filters",
    printed=2048,
    used=2144,
    reason=(
        "the up-projection is added to the block input, whose depth is 2144: Fig 18 adds "
        "384 + 288 + 320 to the 1152 of its input"
    ),
)

ERRATA = (
    FIG3_CONV_STRIDE,
    FIG3_POOL_SIZE,
    FIG5_KERNEL,
    FIG17_UP_WIDTH,
    FIG18_CAPTION,
    FIG19_UP_WIDTH,
)
BY_ID = {e.id: e for e in ERRATA}


def check_as_printed(as_printed: Collection[str], allowed: Collection[Erratum]) -> None:
    """A network builds as printed only the errata it names: those whose printed value is a
    layer setting of that network (Fig 3's printed stride gives no valid shape at all)."""
    wrong = sorted(set(as_printed) - {e.id for e in allowed})
    if wrong:
        known = ", ".join(e.id for e in allowed) or "none"
        raise ValueError(f"cannot build {', '.join(wrong)} as printed here; allowed: {known}")
