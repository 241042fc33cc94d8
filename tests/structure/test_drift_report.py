"""tools/drift_report.py, the upstream canary's issue body: one line per changed layer setting or
pinned number, against the real golden files, and the commands that accept the change."""

import copy

import drift_report
import pytest

pytestmark = pytest.mark.structure

IRV2 = "keras-inception-resnet-v2"


def test_an_unchanged_model_reports_nothing(summary_of, fingerprint_of):
    assert drift_report.summary_drift(IRV2, True, summary_of(IRV2)) == []
    assert drift_report.number_drift(IRV2, fingerprint_of(IRV2)) == []


def test_a_changed_layer_gives_one_line_per_changed_setting(summary_of):
    live = copy.deepcopy(summary_of(IRV2, include_top=False))
    layer = next(x for x in live["layers"] if x["name"] == "conv_7b")
    layer["config"]["filters"], layer["config"]["kernel_size"] = 1537, [3, 3]
    lines = drift_report.summary_drift(IRV2, False, live)
    where = f"{IRV2} (no top): layer {layer['index']} (head conv_7b, conv2d)"
    assert lines == [
        f"{where}: filters expected 1536, got 1537",
        f"{where}: kernel_size expected [1, 1], got [3, 3]",
    ]


def test_moved_numbers_give_one_line_each_naming_the_stage(fingerprint_of):
    live = copy.deepcopy(fingerprint_of(IRV2))
    blocks_a = next(s for s in live["stages"] if s["stage"] == "blocks_a")
    blocks_a["mean"] *= 1.5
    blocks_a["samples"][3] += 1.0
    lines = drift_report.number_drift(IRV2, live)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{IRV2}: stage blocks_a: mean expected ")
    assert lines[1].startswith(f"{IRV2}: stage blocks_a: sample 3 expected ")
    assert all("of the stage's scale" in line for line in lines)


def test_the_issue_names_the_versions_and_how_to_accept():
    found = {"keras": "3.99.0", "tensorflow": "2.99.0"}
    assert drift_report.title(found, ["a: one"]) == (
        "Upstream drift: keras 3.99.0, tensorflow 2.99.0 change what golden/ pins"
    )
    assert drift_report.title(found, []) == (
        "Upstream canary failed with keras 3.99.0, tensorflow 2.99.0; golden/ still matches"
    )
    assert "still matches golden/" in drift_report.report(found, [])
    body = drift_report.report(found, ["a: one", "b: two"]).splitlines()
    assert body[0].endswith("2 pinned values differ from golden/:")
    assert body[2:4] == ["- a: one", "- b: two"]
    assert "tox -e lock" in body[-1] and "pytest --update-golden -m structure" in body[-1]
