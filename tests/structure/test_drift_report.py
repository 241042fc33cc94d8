"""tools/drift_report.py, the upstream canary's issue body: one line per changed layer setting or
pinned number, against the real golden files, and the commands that accept the change; and,
whatever broke (the install, an import, a private name, a model's build, a golden file, a test
step), a report that names it."""

import copy
import sys

import drift_report
import pytest
from support.groups import RELEASED, model_group

from inception_repro import numerics, registry, upstream

# the released model's fingerprint: computed in its group
pytestmark = [pytest.mark.structure, model_group(RELEASED)]

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
    assert drift_report.title(found, ["a: one"], []) == (
        "Upstream drift: keras 3.99.0, tensorflow 2.99.0 change what golden/ pins"
    )
    assert drift_report.title(found, [], []) == (
        "Upstream canary failed with keras 3.99.0, tensorflow 2.99.0; golden/ still matches"
    )
    assert drift_report.title(found, [], ["x: ImportError: y"]) == (
        "Upstream canary broke with keras 3.99.0, tensorflow 2.99.0: x: ImportError: y"
    )
    assert "still matches golden/" in drift_report.report(found, [], [])
    body = drift_report.report(found, ["a: one", "b: two"], []).splitlines()
    assert body[0] == "Installed: keras 3.99.0, tensorflow 2.99.0."
    assert body[2] == "2 pinned values differ from golden/:"
    assert body[4:6] == ["- a: one", "- b: two"]
    assert "tox -e lock" in body[-1] and "pytest --update-golden -m structure" in body[-1]


def run(tmp_path, *argv) -> tuple[int, str, str]:
    """drift_report's main as the canary runs it; its exit status and the two files it wrote."""
    out = tmp_path / "drift"
    status = drift_report.main(["--out", str(out), *argv])
    return status, (out / "title.txt").read_text(), (out / "report.md").read_text()


@pytest.fixture
def no_models(monkeypatch):
    """Each model's drift is not computed (the builds are what other tests check)."""
    monkeypatch.setattr(drift_report, "model_drift", lambda model_id: [])


def test_a_private_name_that_moved_is_named_in_the_report(tmp_path, monkeypatch, no_models):
    monkeypatch.setitem(sys.modules, upstream.GLOBAL_STATE, None)  # as a Keras that moved it
    upstream.forget()
    try:
        status, title, body = run(tmp_path, "--model", IRV2)
    finally:
        monkeypatch.undo()
        upstream.forget()
    assert status == 1
    assert title.startswith("Upstream canary broke with keras ")
    assert f"a private upstream name moved: keras {upstream.version('keras')}: " in title
    assert f"- a private upstream name moved: keras {upstream.version('keras')}: " in body
    assert f"{upstream.GLOBAL_STATE} cannot be imported" in body


def test_a_model_that_fails_to_build_is_named_and_the_others_still_compared(tmp_path, monkeypatch):
    def build(model_id, *args, **kwargs):
        raise ValueError(f"simulated: {model_id} no longer builds")

    monkeypatch.setattr(registry, "for_weights", build)
    status, title, body = run(tmp_path, "--model", IRV2, "--model", "paper-inception-v4")
    assert status == 1
    assert f"- {IRV2}: ValueError: simulated: {IRV2} no longer builds" in body
    assert "- paper-inception-v4: ValueError: simulated: paper-inception-v4" in body
    assert title.endswith(f"{IRV2}: ValueError: simulated: {IRV2} no longer builds\n")


def test_an_unreadable_golden_file_is_named(tmp_path, monkeypatch):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / f"{IRV2}.json").write_text("{not json")
    monkeypatch.setattr(drift_report, "golden", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(
        drift_report, "model_drift", lambda m: drift_report.summary_drift(m, True, {})
    )
    status, _, body = run(tmp_path, "--model", IRV2)
    assert status == 1
    path = tmp_path / "models" / f"{IRV2}.json"
    assert (
        f"- {IRV2}: GoldenUnreadable: {path} cannot be read: JSONDecodeError: Expecting "
        "property name enclosed in double quotes: line 1 column 2 (char 1)"
    ) in body


def test_an_import_that_fails_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "inception_repro.pinned", None)
    status, title, body = run(tmp_path)
    assert status == 1
    assert "`import inception_repro` failed: ModuleNotFoundError: import of " in title
    assert "- `import inception_repro` failed: ModuleNotFoundError: import of " in body


def test_a_failed_install_and_a_failed_step_are_named_with_their_last_error(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "install.log").write_text(
        "Collecting keras\nERROR: No matching distribution found for keras>=9\nbye\n"
    )
    status, title, body = run(
        tmp_path, "--logs", str(logs), "--steps", "checkout=success install=failure jax=skipped"
    )
    assert status == 1
    line = "the `install` step failed: ERROR: No matching distribution found for keras>=9"
    assert title.endswith(f": {line}\n") and f"- {line}" in body
    assert "jax" not in body  # skipped, not failed


def test_a_numpy_stream_that_changed_is_named(tmp_path, monkeypatch, no_models):
    monkeypatch.setattr(numerics, "STREAM", [0.0, 0.0, 0.0, 0.0])
    status, _, body = run(tmp_path, "--model", IRV2)
    assert status == 1
    assert f"- NumPy {numerics.np.__version__} draws other numbers than the NumPy" in body


def test_nothing_broke_and_nothing_drifted_exits_0(tmp_path, no_models):
    status, title, _ = run(tmp_path, "--model", IRV2)
    assert status == 0 and title.startswith("Upstream canary failed with keras ")
