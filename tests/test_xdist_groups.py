"""xdist groups (support.groups), on which conftest.py relies to build each model once per run.

The installed pytest and pytest-xdist keep a group in one worker under `--dist loadgroup` (pytest
9.2 silently broke that: pytest-dev/pytest-xdist#1386): a throwaway project runs under `-n 2`,
and each test records where it ran. And a test is in one group at most."""

import importlib.metadata
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from support.groups import RELEASED, RELEASED_OTHER_SIZES, check_declared, group_of, model_group
from support.pytest_internals import CONTROLLER_PLUGIN

# which process runs tests, as conftest.py tells it (support.pytest_internals)
CONFTEST = """
import json, os, pytest
from support.pytest_internals import runs_tests

@pytest.hookimpl(trylast=True)  # as conftest.py's: after xdist has made its controller session
def pytest_configure(config):
    with open(f"runs-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'controller')}.json", "w") as f:
        json.dump(runs_tests(config), f)
"""

TESTS = """
import os, json, pytest

def record(name):
    with open(f"ran-{name}.json", "w") as f:
        json.dump(os.environ["PYTEST_XDIST_WORKER"], f)

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("i", range(4))
def test_grouped(i):
    record(f"grouped-{i}")

@pytest.mark.parametrize("i", range(4))
def test_free(i):
    record(f"free-{i}")
"""


def test_a_group_runs_in_one_worker_and_only_workers_run_tests(tmp_path):
    (tmp_path / "test_groups.py").write_text(TESTS)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
        + ["--dist", "loadgroup", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={  # not this run's worker variables, when it runs in one
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")},
            "PYTHONPATH": str(Path(__file__).parent),
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {p.stem[4:]: json.loads(p.read_text()) for p in tmp_path.glob("ran-*.json")}
    assert len(workers) == 8
    grouped = {w for name, w in workers.items() if name.startswith("grouped")}
    assert len(grouped) == 1, f"the group was split across workers: {workers}"
    runs = {p.stem[11:]: json.loads(p.read_text()) for p in tmp_path.glob("runs-tests-*.json")}
    assert runs == {"controller": False, "gw0": True, "gw1": True}, (
        f"pytest-xdist {importlib.metadata.version('pytest-xdist')} no longer registers its "
        f"controller as the plugin {CONTROLLER_PLUGIN!r} (support/pytest_internals.py): {runs}"
    )


class _Item:
    nodeid = "tests/test_x.py::test_x"

    def __init__(self, *marks, fixturenames=(), params=None):
        self.marks = marks
        self.fixturenames = fixturenames
        if params is not None:
            self.callspec = types.SimpleNamespace(params=params)

    def iter_markers(self, name):
        return (m.mark for m in self.marks if m.mark.name == name)


def test_a_test_in_two_groups_is_refused():
    """xdist would join the two names into a third group (support.groups.group_of)."""
    assert group_of(_Item()) is None
    assert group_of(_Item(RELEASED_OTHER_SIZES, pytest.mark.structure)) == "released-other-sizes"
    with pytest.raises(pytest.UsageError, match="two xdist groups"):
        group_of(_Item(model_group(RELEASED), RELEASED_OTHER_SIZES))


def test_a_test_that_computes_names_its_group_or_is_refused():
    """Nothing is inferred (docs/testing.md): at collection, a test that uses a fixture that
    computes, or is parametrized by model_id, and is in no group is refused, naming the line to
    add (support.groups.check_declared, called by conftest.py)."""
    check_declared(_Item(fixturenames=("summary_of",)))  # reads summaries: any worker
    check_declared(_Item(model_group(RELEASED), fixturenames=("loaded",)))
    check_declared(_Item(model_group(RELEASED), params={"model_id": RELEASED}))
    with pytest.raises(pytest.UsageError, match=r"computes with a model \(loaded\) but names no"):
        check_declared(_Item(fixturenames=("loaded", "summary_of")))
    with pytest.raises(pytest.UsageError, match=r"in no group: parametrize it with .*per_model"):
        check_declared(_Item(params={"model_id": RELEASED}))
