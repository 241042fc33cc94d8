"""`inception-repro diff` and `inception-repro report`: the user-facing answer."""

import itertools
import json
import re

import pytest
import yaml
from support.golden import ROOT as GOLDEN
from support.groups import RELEASED, model_group
from support.published import KERAS_IO, RELEASED_PARAMS, TIMM

from inception_repro import cli, report

# xdist: with the released model's other tests (the report builds the released model and
# Inception-v3 itself, not through the shared summaries)
pytestmark = [pytest.mark.structure, model_group(RELEASED)]


def test_diff_json_lists_every_discrepancy_with_both_citations(capsys):
    code = cli.main(["diff", "paper-inception-resnet-v2", "keras-inception-resnet-v2", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["stage"] for r in d["stages"]] == [
        "stem",
        "blocks_a",
        "reduction_a",
        "blocks_b",
        "reduction_b",
        "blocks_c",
        "head",
    ]
    ids = {x["id"] for x in d["discrepancies"]}
    assert {"stem.layout", "blocks_a.repeat", "blocks_c.scale", "head.layout"} <= ids
    assert all(x["a_cite"] and x["b_cite"] for x in d["discrepancies"])
    assert d["params"]["b"]["keras"] == RELEASED_PARAMS[True][0]  # the installed Keras's count
    assert (report.KERAS_IO, report.TIMM) == (KERAS_IO, TIMM)  # as printed


def test_diff_text_names_both_models(capsys):
    assert cli.main(["diff", "paper-inception-v4", "slim-inception-v4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("paper-inception-v4 (A) vs slim-inception-v4 (B)")
    assert "aux_head.present" in out


def test_diff_of_a_model_without_spec_is_a_clear_error(capsys):
    assert cli.main(["diff", "keras-inception-v3", "paper-inception-v4"]) == 2
    assert "keras-inception-v3 has no spec to compare" in capsys.readouterr().err


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return cli.main(["report", "--out", str(out)]), (out / "report.md").read_text()


def test_report_writes_every_section(written, capsys):
    code, text = written
    assert code == 0
    for heading in (
        "## Stages at 299x299, computed from both networks",
        "## The ledger: 16 differences, each cited to the paper's figures and the released code",
        "## Where the paper contradicts itself: its own figures and captions",
        "## The stems: Fig 3 against the released code",
        "## Parameters, against keras.io and timm",
        "## Cost claims of the paper (Sec 3.2) and of Google's release post, at 299x299",
    ):
        assert heading in text
    assert (
        "**55,873,736**, the installed Keras's own count (`model.count_params()`) = 55.9M; "
        "keras.io prints 55.9M: equal to the tenth." in text
    )
    assert "= 55.84M; timm's results CSV lists 55.84M for its port: equal to the hundredth." in text
    assert "**does not hold**" in text and "**holds**" in text
    assert "\n| `blocks_a.repeat` |" in text
    assert "35x35x192. The released stem is Inception-v3's." in text


def test_report_prints_where_it_wrote_and_a_digest(tmp_path, capsys):
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        f"wrote {tmp_path / 'report.md'}: 16 differences between the paper and the released "
        "code, 6 errata in the paper, 5 cost claims (verdicts: 4 holds, 1 does not hold)\n"
    )


def _table(text, heading):
    section = text.split(heading)[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = (re.split(r"(?<!\\)\|", row.strip()[1:-1]) for row in rows[2:])  # not at "\|"
    return [[c.strip() for c in row] for row in cells]


def test_stage_totals_are_the_sums_and_the_models_totals(written):
    rows = _table(written[1], "## Stages at 299x299")
    *stages, total = rows
    assert total[0] == "**total**" and len(stages) == 7

    def number(cell):
        return float(cell.strip("*").replace(",", ""))

    for column in range(5, 9):
        assert number(total[column]) == pytest.approx(
            sum(number(r[column]) for r in stages), abs=2e-3
        )
    assert [total[5], total[6]] == ["**32,450,360**", f"**{RELEASED_PARAMS[True][0]:,}**"]
    assert all(number(r[7]) > 0 for r in stages)  # the paper's head: 0.002, not 0.00


def test_errata_say_what_kind_of_value_changed(written):
    rows = {r[0]: r for r in _table(written[1], "## Where the paper contradicts itself")}
    assert [
        rows[k][3] for k in ("`fig3-conv-stride`", "`fig5-second-1x7`", "`fig17-up-width`")
    ] == [
        "stride",
        "kernel shape",
        "channels",
    ]


def test_a_citation_is_written_once_for_consecutive_rows(written):
    rows = _table(written[1], "## The ledger")
    cites = [[cell.split("<br>")[1] for cell in row[2:]] for row in rows]
    assert "*(source as above)*" in {c for pair in cites for c in pair}
    for above, below in itertools.pairwise(cites):
        assert all(b == "*(source as above)*" or b != a for a, b in zip(above, below, strict=True))


def _mermaid_blocks(text):
    return re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)


NODE = re.compile(r"\s*(n\d+)(\[\".*\"\]|\(\[\".*\"\]\)|\{\{\".*\"\}\})$")
EDGE = re.compile(r"\s*(\w+) (-->|~~~) (\w+)$")


def test_the_stems_are_one_well_formed_flowchart_side_by_side(written):
    """A check of the flowchart's syntax as this report writes it (mermaid itself judges in
    tox -e report-preview): every line a subgraph, end, direction, node or link; every link
    between defined nodes or subgraphs; both stems in one diagram, linked so they sit side by
    side, each ending in its output shape."""
    (flowchart,) = [b for b in _mermaid_blocks(written[1]) if b.startswith("flowchart LR")]
    nodes, subgraphs, links, depth = set(), [], [], 0
    for line in flowchart.splitlines()[1:]:
        if m := re.fullmatch(r'\s*subgraph (s\d+)\["[^"]+"\]', line):
            subgraphs.append(m.group(1))
            depth += 1
        elif line.strip() == "end":
            depth -= 1
        elif line.strip() == "direction TB":
            assert depth == 1
        elif m := NODE.fullmatch(line):
            nodes.add(m.group(1))
        else:
            m = EDGE.fullmatch(line)
            assert m, f"not a mermaid flowchart line: {line!r}"
            links.append(m.groups())
    assert depth == 0 and len(subgraphs) == 2
    for a, arrow, b in links:
        known = subgraphs if arrow == "~~~" else nodes
        assert a in known and b in known, (a, arrow, b)
    assert (subgraphs[0], "~~~", subgraphs[1]) in links
    assert '(["output 35x35x384"])' in flowchart and '(["output 35x35x320"])' in flowchart
    assert flowchart.index("paper, Fig 3") < flowchart.index("released: Inception-v3 stem")


def _pinned_macs(model_id):
    """{stage: multiply-adds} pinned in golden/models/<id>.params.yaml (test_golden.py holds
    them to the model's summary and to the calculus)."""
    params = yaml.safe_load((GOLDEN / "models" / f"{model_id}.params.yaml").read_text())
    return {stage: c["macs"] for stage, c in params["top"].items() if stage != "total"}


def test_the_chart_shows_each_stages_pinned_multiply_adds(written):
    (chart,) = [b for b in _mermaid_blocks(written[1]) if b.startswith("xychart-beta")]
    released, paper = _pinned_macs(RELEASED), _pinned_macs("paper-inception-resnet-v2")
    assert re.search(r"x-axis \[(.*)\]", chart).group(1).split(", ") == list(released)
    assert list(paper) == list(released)
    for series, pinned in (("bar", released), ("line", paper)):
        shown = re.search(rf"{series} \[(.*)\]", chart).group(1).split(", ")
        assert shown == [f"{macs / 1e9:.3f}" for macs in pinned.values()], series
    # the axis ends at the first whole billion above the largest stage, blocks_b (6.499)
    assert re.search(r"y-axis \"GMACs\" 0 --> (\d+)", chart).group(1) == "7"
