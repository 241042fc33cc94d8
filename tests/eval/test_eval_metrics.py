"""Top-k counting, with and without the blacklist."""

import numpy as np
import pytest

from inception_repro.evaluate.metrics import Accumulator, Counts

pytestmark = pytest.mark.eval


def test_counts_top1_and_top5_hits():
    acc = Accumulator(frozenset({2}))
    top5 = np.array([[7, 1, 2, 3, 4], [1, 7, 2, 3, 4], [1, 2, 3, 4, 5], [7, 0, 0, 0, 0]])
    acc.update(labels=np.array([7, 7, 7, 9]), top5=top5, indices=np.array([1, 2, 3, 4]))
    assert acc.counts() == Counts(n=4, top1_hits=1, top5_hits=2)
    assert acc.subset_counts() == Counts(n=3, top1_hits=1, top5_hits=1)
    assert acc.counts().top1 == 25.0 and acc.counts().top5 == 50.0


def test_batches_accumulate_and_duplicates_are_seen():
    acc = Accumulator()
    for _ in range(2):
        acc.update(np.array([0]), np.array([[0, 1, 2, 3, 4]]), np.array([5]))
    assert acc.counts() == Counts(2, 2, 2)
    assert acc.subset_counts() is None
    assert acc.duplicates() == 1


def test_missing_lists_the_indices_not_counted_yet():
    acc = Accumulator()
    assert acc.missing(3) == [1, 2, 3]
    acc.update(np.array([0, 0]), np.zeros((2, 5), int), np.array([3, 1]))
    assert acc.missing(4) == [2, 4]


def test_no_images_gives_nan_not_an_error():
    assert np.isnan(Accumulator().counts().top1)
