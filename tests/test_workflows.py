"""The CI workflows keep their security properties (docs/ci.md); actionlint checks the rest."""

import re
from pathlib import Path

import pytest
import yaml

from inception_repro.evaluate import PROTOCOL_NAMES
from inception_repro.evaluate.report import load_reported

FOLDER = Path(__file__).parents[1] / ".github" / "workflows"
WORKFLOWS = sorted([*FOLDER.glob("*.yml"), *FOLDER.glob("*.yaml")])
GATE, GPU_EVAL, CANARY = (FOLDER / name for name in ("gate.yml", "gpu-eval.yml", "canary.yml"))
ROOT = FOLDER.parents[1]
PINNED = re.compile(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}")


def _load(path):
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True)  # YAML 1.1 reads the key `on` as true
    return workflow


def _steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_every_workflow_is_checked():
    assert {GATE, GPU_EVAL, CANARY} <= set(WORKFLOWS)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha(path):
    uses = [step["uses"] for step in _steps(_load(path)) if "uses" in step]
    assert uses
    assert [u for u in uses if not PINNED.fullmatch(u)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_least_privilege(path):
    workflow = _load(path)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for job in workflow["jobs"].values():
        granted = job.get("permissions", {})
        assert granted not in ("write-all", "read-all")
        assert [scope for scope, level in granted.items() if level == "write"] in ([], ["issues"])


def test_gpu_eval_never_runs_for_a_pull_request():
    workflow = _load(GPU_EVAL)
    assert set(workflow["on"]) == {"workflow_dispatch", "schedule"}
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"model", "protocol", "limit"}
    gated = {r.model for r in load_reported() if r.gated}
    assert set(inputs["model"]["options"]) == {"all", *gated}
    assert set(inputs["protocol"]["options"]) == {"all", *PROTOCOL_NAMES}
    assert {"self-hosted", "gpu"} <= set(workflow["jobs"]["eval"]["runs-on"])


def test_the_gate_runs_on_every_push_and_pull_request_and_only_on_hosted_runners():
    workflow = _load(GATE)
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert [job["runs-on"] for job in workflow["jobs"].values()] == ["ubuntu-24.04"] * len(
        workflow["jobs"]
    )


def test_the_gate_runs_the_structure_suite_on_the_keras_2_line_and_on_jax():
    """tox -e structure-tfkeras (tf_keras) and tox -e structure-jax (KERAS_BACKEND=jax)."""
    runs = [step.get("run", "") for step in _steps(_load(GATE))]
    for env in ("structure-tfkeras", "structure-jax"):
        assert any(f"tox -e {env}" in run for run in runs), env


def _runs(path):
    return [step.get("run", "") for step in _steps(_load(path))]


def test_the_gate_and_ci_install_the_lock():
    """The versions golden/ was made with: requirements/lock.txt, in the gate, .ci/run and tox."""
    installs = [r for r in _runs(GATE) if "pip install" in r and "-e " in r]
    assert installs and all("-c requirements/lock.txt" in r for r in installs)
    assert "-c requirements/lock.txt" in (ROOT / ".ci" / "run").read_text()
    assert "PIP_CONSTRAINT = {toxinidir}/requirements/lock.txt" in (ROOT / "tox.ini").read_text()
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    for pinned in ("keras==", "tensorflow==", "tf-keras==", "ruff==", "zizmor=="):
        assert f"\n{pinned}" in lock, pinned


def test_the_canary_runs_on_a_schedule_against_the_newest_releases():
    workflow = _load(CANARY)
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    runs = "\n".join(_runs(CANARY))
    assert "lock.txt" not in runs and "--upgrade" in runs
    assert "pytest -m structure" in runs and "tools/drift_report.py" in runs
    env = [step.get("env", {}) for step in _steps(workflow)]
    assert {"HYPOTHESIS_PROFILE": "thorough"} in env
    # only the job that files the issue may write, and only issues
    granted = {name: job.get("permissions", {}) for name, job in workflow["jobs"].items()}
    assert granted == {"canary": {}, "file-issue": {"issues": "write"}}


def test_the_gate_runs_the_lowest_versions_and_the_installed_wheel():
    """Every version pyproject.toml allows is one the gate has run (tox -e lowest, through
    requirements/lowest.txt), and the package works as a wheel outside the source tree."""
    jobs = _load(GATE)["jobs"]
    lowest = [step.get("run", "") for step in jobs["lowest"]["steps"]]
    wheel = [step.get("run", "") for step in jobs["wheel"]["steps"]]
    assert "tox -e lowest" in lowest
    assert any(run.startswith("tools/installed_wheel.sh ") for run in wheel)
    tox = (ROOT / "tox.ini").read_text()
    assert "PIP_CONSTRAINT = {toxinidir}/requirements/lowest.txt" in tox
    assert "--resolution lowest-direct" in tox and "-o requirements/lowest.txt" in tox


def test_the_canary_files_its_issue_whatever_failed():
    """The drift report runs on any failure, is told every step's outcome and reads their
    logs, and a stand-in report is written if it cannot run: the upload never finds nothing."""
    job = _load(CANARY)["jobs"]["canary"]
    drift = next(s for s in job["steps"] if s.get("name", "").startswith("Drift report"))
    assert drift["if"] == "failure()"
    steps = {s["id"] for s in job["steps"] if "id" in s}
    assert steps == {"install", "structure", "property", "jax"}
    assert all(f"{step}=${{{{ steps.{step}.outcome }}}}" in drift["env"]["STEPS"] for step in steps)
    assert "--logs logs" in drift["run"] and "drift/title.txt" in drift["run"]
    assert _load(CANARY).get("defaults", {}).get("run", {}).get("shell") == "bash"  # pipefail
