"""Top-1 / top-5 counts over every evaluated image and over the non-blacklisted subset.

An image is a top-k hit when its label is among the model's k highest scores, ties broken
towards the lower class index (tf.math.top_k's order). Percentages are of the images counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOP_K = 5


@dataclass(frozen=True)
class Counts:
    n: int
    top1_hits: int
    top5_hits: int

    @property
    def top1(self) -> float:
        return 100.0 * self.top1_hits / self.n if self.n else float("nan")

    @property
    def top5(self) -> float:
        return 100.0 * self.top5_hits / self.n if self.n else float("nan")

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "top1": self.top1,
            "top5": self.top5,
            "top1_hits": self.top1_hits,
            "top5_hits": self.top5_hits,
        }


class Accumulator:
    """Collects per-image hits; `blacklist` holds 1-based validation indices to leave out of
    the subset counts."""

    def __init__(self, blacklist: frozenset[int] | None = None):
        self._blacklist = None if blacklist is None else np.array(sorted(blacklist))
        self._indices: list[np.ndarray] = []
        self._top1: list[np.ndarray] = []
        self._top5: list[np.ndarray] = []

    def update(self, labels, top5, indices) -> None:
        """labels [B], top5 [B, 5] class indices (best first), indices [B]: 1-based image ids;
        labels and top5 must use the same class numbering."""
        labels = np.asarray(labels).reshape(-1, 1)
        top5 = np.asarray(top5)[:, :TOP_K]
        self._indices.append(np.asarray(indices).reshape(-1))
        self._top1.append(top5[:, 0] == labels[:, 0])
        self._top5.append((top5 == labels).any(axis=1))

    def _arrays(self):
        if not self._indices:
            return np.zeros(0, int), np.zeros(0, bool), np.zeros(0, bool)
        return tuple(np.concatenate(a) for a in (self._indices, self._top1, self._top5))

    def counts(self) -> Counts:
        _, top1, top5 = self._arrays()
        return Counts(int(top1.size), int(top1.sum()), int(top5.sum()))

    def subset_counts(self) -> Counts | None:
        """Counts over the images not on the blacklist; None without a blacklist."""
        if self._blacklist is None:
            return None
        indices, top1, top5 = self._arrays()
        keep = ~np.isin(indices, self._blacklist)
        return Counts(int(keep.sum()), int(top1[keep].sum()), int(top5[keep].sum()))

    def missing(self, total: int) -> list[int]:
        """The indices 1..total not counted yet."""
        indices, _, _ = self._arrays()
        return sorted(set(range(1, total + 1)).difference(indices.tolist()))

    def duplicates(self) -> int:
        indices, _, _ = self._arrays()
        return int(indices.size - np.unique(indices).size)
