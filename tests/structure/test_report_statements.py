"""report.md's sections on the paper's statements, the stem's lineage and the training recipe."""

import re

import pytest
from support.groups import RELEASED, model_group

from inception_repro import paper_claims, report

# xdist: with the released model's other tests (the report reads the released model and
# Inception-v3 off their graphs)
pytestmark = [pytest.mark.structure, model_group(RELEASED)]


@pytest.fixture(scope="module")
def text():
    return report.render(repo="../")


def _section(text, heading):
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_new_sections_are_there(text):
    for heading in (
        "## The stem's lineage, layer by layer",
        "## The training recipe: the paper beside the released training code",
        "## The paper, statement by statement",
    ):
        assert f"\n{heading}\n" in text


def test_counts_per_verdict_then_one_table_per_kind(text):
    statements, _ = paper_claims.load()
    part = _section(text, "## The paper, statement by statement")
    for verdict, n in paper_claims.counts(statements).items():
        assert f"\n| **{verdict}** | {n} |\n" in part
    kinds = re.findall(r"\n### (.+) \((\d+)\)\n", part)
    assert [k for k, _ in kinds] == [k.capitalize() for k in paper_claims.KINDS]
    assert sum(int(n) for _, n in kinds) == len(statements)
    # verdict first, in the vocabulary's order within a kind
    rows = [line for line in part.splitlines() if line.startswith("| **")]
    assert len(rows) == len(statements) + len(paper_claims.counts(statements))


def test_every_link_lands(text):
    """Each section link names a heading of the report, each file link a file of this
    repository (the report written one folder below its root, as `--out out`)."""
    headings = {report.anchor(h) for h in re.findall(r"^#+ .+$", text, re.M)}
    anchors = re.findall(r"\]\((#[^)]+)\)", text)
    assert anchors and set(anchors) <= headings
    files = re.findall(r"\]\(\.\./([^)]+)\)", text)
    assert files
    missing = [f for f in set(files) if not (report.ROOT / f).is_file()]
    assert not missing


def test_anchor_is_githubs():
    # GitHub's anchor of the cost claims heading, as it links it
    assert report.anchor("## Cost claims of the paper (Sec 3.2) and of Google's release post") == (
        "#cost-claims-of-the-paper-sec-32-and-of-googles-release-post"
    )


def test_files_are_linked_only_inside_the_repository(tmp_path):
    assert report.repo_link(report.ROOT / "out") == "../"
    assert report.repo_link(report.ROOT / "out" / "deep") == "../../"
    assert report.repo_link(tmp_path) is None


def test_the_recipe_shows_both_sides_and_their_agreement(text):
    part = _section(text, "## The training recipe: the paper beside the released training code")
    assert "| RMSProp epsilon | 1.0 | 1.0 | **agree** |" in part
    assert "| initial learning rate | 0.045 | 0.01 | **differ** |" in part
    assert (
        "| batch-norm moving-average decay | *not stated* | 0.9997 | **the paper is silent** |"
        in (part)
    )


def test_the_lineage_table_is_in_the_report(text):
    part = _section(text, "## The stem's lineage, layer by layer")
    assert part.splitlines()[1].startswith("The released stem is Inception-v3's")
    assert "| 7 | `maxpool 3x3/2 V` | `-` | `256 3x3/2 V` | *agrees* |" in part
    assert "| branch 4 | `avgpool 3x3/1 -> 64 1x1` | `avgpool 3x3/1 -> 32 1x1` | differs |" in part


def test_quotes_are_marked_and_paraphrases_are_not(text):
    part = _section(text, "## The paper, statement by statement")
    statements, _ = paper_claims.load()
    for s in statements:
        shown = f'| "{s.statement}" |' in part
        assert shown == s.quoted, s.id
        if not s.quoted:
            assert f"| {s.statement} |" in part, s.id
