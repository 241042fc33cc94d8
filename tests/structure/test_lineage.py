"""The released stem's lineage (src/inception_repro/lineage.py), pinned layer by layer.

The expected tables are written from the paper's Figs 3 and 14 (with Fig 3's errata resolved,
errata.py) and from keras/src/applications/inception_v3.py and inception_resnet_v2.py as
released, not from the code under test; the code reads the installed Keras graphs.
"""

import pytest
from support.groups import RELEASED, model_group

from inception_repro import diff, lineage
from inception_repro.networks import released

# xdist: with the released model's tests (its summary and Inception-v3's are read here)
pytestmark = [pytest.mark.structure, model_group(RELEASED)]

A = lineage.AGREES
MIXED_5B = "[96 1x1 | 48 1x1 -> 64 5x5 | 64 1x1 -> 96 3x3 -> 96 3x3 | avgpool 3x3/1 -> 64 1x1]"
MIXED0 = "[64 1x1 | 48 1x1 -> 64 5x5 | 64 1x1 -> 96 3x3 -> 96 3x3 | avgpool 3x3/1 -> 32 1x1]"
STEM = [
    ["1", "32 3x3/2 V", A, A, A],
    ["2", "32 3x3 V", A, A, A],
    ["3", "64 3x3", A, A, A],
    ["4", "maxpool 3x3/2 V", "[maxpool 3x3/2 V | 96 3x3/2 V]", A, A],
    ["5", "80 1x1 V", "[64 1x1 -> 96 3x3 V | 64 1x1 -> 64 7x1 -> 64 1x7 -> 96 3x3 V]", A, A],
    ["6", "192 3x3 V", "[192 3x3/2 V | maxpool 3x3/2 V]", A, A],
    ["7", "maxpool 3x3/2 V", "-", "256 3x3/2 V", A],
    ["8", MIXED_5B, "-", "-", MIXED0],
]
BLOCK = [
    ["branch 1", "96 1x1", "64 1x1", "differs"],
    ["branch 2", "48 1x1 -> 64 5x5", "48 1x1 -> 64 5x5", A],
    ["branch 3", "64 1x1 -> 96 3x3 -> 96 3x3", "64 1x1 -> 96 3x3 -> 96 3x3", A],
    ["branch 4", "avgpool 3x3/1 -> 64 1x1", "avgpool 3x3/1 -> 32 1x1", "differs"],
    ["output", "35x35x320", "35x35x256", "differs"],
]


@pytest.fixture(scope="module")
def graphs(summary_of):
    return summary_of(lineage.RELEASED), summary_of(lineage.V3)


def test_the_stem_layer_by_layer(graphs):
    assert lineage.stem_rows(*graphs) == STEM


def test_mixed_5b_against_mixed0_branch_by_branch(graphs):
    assert lineage.block_rows(*graphs) == BLOCK


def test_the_verdict_in_one_sentence(graphs):
    sentence = lineage.verdict(lineage.stem_rows(*graphs), lineage.block_rows(*graphs))
    assert sentence.startswith("The released stem is Inception-v3's: it has Inception-v3's 7 ")
    assert "Fig 14's first 6 (layer 7 is a maxpool 3x3/2 V where Fig 14 has 256 3x3/2 V)" in (
        sentence
    )
    assert "Fig 3's first 3" in sentence and sentence.endswith("35x35x320 instead of 35x35x256.")


def test_the_steps_read_off_keras_are_the_transcription_of_tf_slim(graphs):
    """Two readings of the released stem: the installed Keras graph, and networks/released.py."""
    from_keras = [lineage.text(s) for s in lineage.steps(graphs[0], lineage.RELEASED_END)]
    assert from_keras == [diff.sig(n) for n in released.stem().nodes]


def test_a_candidate_that_differs_shows_what_it_has(graphs):
    """The table can show a difference: Inception-v3 with 48 filters in its first conv."""
    r, v3 = graphs
    layers = [dict(x) for x in v3["layers"]]
    first = next(x for x in layers if x["type"] == "conv2d")
    first["config"] = {**first["config"], "filters": 48}
    rows = lineage.stem_rows(r, {**v3, "layers": layers})
    assert rows[0] == ["1", "32 3x3/2 V", A, A, "48 3x3/2 V"]
    assert lineage.leading_agreement(rows, "Inception-v3") == 0
