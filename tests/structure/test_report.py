"""`inception-repro diff` and `inception-repro report`: the user-facing answer."""

import json
import time

import pytest
from support.published import RELEASED_PARAMS

from inception_repro import cli, report

pytestmark = pytest.mark.structure


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
    assert d["params"]["b"]["keras"] == report.KERAS_IO == RELEASED_PARAMS[True][0]


def test_diff_text_names_both_models(capsys):
    assert cli.main(["diff", "paper-inception-v4", "slim-inception-v4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("paper-inception-v4 (A) vs slim-inception-v4 (B)")
    assert "aux_head.present" in out


def test_diff_of_a_model_without_spec_is_a_clear_error(capsys):
    assert cli.main(["diff", "keras-inception-v3", "paper-inception-v4"]) == 2
    assert "keras-inception-v3 has no spec to compare" in capsys.readouterr().err


def test_report_writes_every_section_quickly(tmp_path, capsys):
    start = time.perf_counter()
    assert cli.main(["report", "--out", str(tmp_path)]) == 0
    elapsed = time.perf_counter() - start
    text = (tmp_path / "report.md").read_text()
    for heading in (
        "## Stages at 299x299",
        "## The ledger",
        "## Where the paper contradicts",
        "## The stems",
        "## Parameters, reconciled",
        "## The paper's cost claims",
    ):
        assert heading in text
    assert text.count("```mermaid") == 1 and text.count("subgraph") == 2
    assert "keras.io lists 55,873,736: equal" in text and "timm lists 55.84M: equal" in text
    assert "**does not hold**" in text and "**holds**" in text
    assert "\n| `blocks_a.repeat` |" in text
    assert elapsed < 30, f"report took {elapsed:.1f} s; the budget is 30 s"
