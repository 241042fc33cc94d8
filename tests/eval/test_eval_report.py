"""golden/accuracy.yaml, the gate rule, and the reported-vs-measured table."""

from pathlib import Path

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, report

pytestmark = pytest.mark.eval

ROOT = Path(__file__).resolve().parents[2]


def sources_table() -> dict[str, tuple[float, float]]:
    """docs/sources.md, "Reported accuracy": {id: (top-1, top-5)}, each row citing its primary
    source. The golden file must hold exactly these numbers."""
    text = (ROOT / "docs" / "sources.md").read_text().split("## Reported accuracy")[1]
    rows = [line.split("|")[1:-1] for line in text.split("\n## ")[0].splitlines()]
    rows = [[cell.strip() for cell in row] for row in rows if len(row) == 5]
    assert rows[0][:4] == ["id", "model", "top-1", "top-5"] and rows[1][0].startswith("---")
    return {row[0]: (float(row[2]), float(row[3])) for row in rows[2:]}


GATED = {
    "keras-applications-readme": "keras-inception-resnet-v2",
    "slim-readme": "keras-inception-resnet-v2",
    "timm-results": "keras-inception-resnet-v2",
    "slim-readme-checkpoint": "slim-inception-resnet-v2",
    "slim-readme-inception-v4": "slim-inception-v4",
    "timm-results-inception-v4": "slim-inception-v4",
}


@pytest.fixture(scope="module")
def reported():
    return report.load_reported(ROOT / "golden" / "accuracy.yaml")


def test_every_reported_number_is_pinned_with_its_source(reported):
    assert {r.id: (r.top1, r.top5) for r in reported} == sources_table()
    assert len(reported) == 11
    for r in reported:
        assert r.source and r.reported_model
        assert r.evaluation_set in (report.FULL, report.SUBSET)
        assert r.protocol in (*PROTOCOL_NAMES, None)
        assert r.protocol is not None or r.protocol_note


def test_gated_numbers_have_a_tolerance_and_its_reason(reported):
    assert {r.id: r.model for r in reported if r.gated} == GATED
    for r in reported:
        if r.gated:
            assert r.evaluation_set == report.FULL
            assert 0 < r.tolerance_pp <= 0.5 and r.tolerance_reason
        else:
            assert r.not_gated_reason


def test_paper_number_is_compared_on_the_subset_and_not_gated(reported):
    (paper,) = [r for r in reported if r.id == "paper-table-2"]
    assert paper.evaluation_set == report.SUBSET and not paper.gated


def results(protocol="slim", top1=80.4, top5=95.3, n=50_000, subset=None):
    counts = {"n": n, "top1": top1, "top5": top5}
    return {
        "model": "keras-inception-resnet-v2",
        "protocol": {"name": protocol},
        "n": n,
        "top1": top1,
        "top5": top5,
        "all": counts,
        "non_blacklisted": subset,
        "full_validation_set": n == 50_000,
        "images_per_s": 1000.0,
        "devices": {"gpus": ["NVIDIA H100"], "cpu": "x"},
        "weights": {"md5": "e693bd0210a403b3192acc6073ad2e96", "matches_released": True},
    }


def test_gate_passes_within_tolerance(reported):
    assert report.gate_failures(results(top1=80.2, top5=95.5), reported) == []


def test_gate_fails_outside_tolerance_naming_the_source(reported):
    (failure,) = report.gate_failures(results(top1=79.9), reported)
    assert failure.startswith("slim-readme: top1 measured 79.900 vs reported 80.4 (-0.500 pp")
    assert "tensorflow/models research/slim README.md" in failure


def test_gate_needs_the_full_validation_set(reported):
    (failure,) = report.gate_failures(results(n=49_999), reported)
    assert "needs all 50,000" in failure


def test_table_shows_reported_measured_and_delta(reported):
    subset = {"n": 48_238, "top1": 80.5, "top5": 95.4}
    table = report.markdown(results(top1=80.5, subset=subset), reported)
    assert "| slim-readme | full: 50,000 | 80.4 | 80.500 | +0.100 | 95.3 | 95.300 | +0.000 |" in (
        table
    )
    assert "| paper-table-2 | non_blacklisted: 48,238 | 80.1 | 80.500 | +0.400 |" in table
    assert "reported, not gated" in table and "pass (±0.3 pp)" in table
    assert "keras-applications-readme" not in table  # another protocol


def test_table_without_reported_numbers_still_shows_the_measurement():
    table = report.markdown(results(protocol="timm", top1=1.0), [])
    assert "(no reported number" in table and "1.000" in table


def test_job_summary_only_under_github_actions(tmp_path, monkeypatch):
    path = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert not report.append_job_summary("table") and not path.exists()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert report.append_job_summary("table")
    assert report.append_job_summary("again")
    assert path.read_text() == "table\nagain\n"
