"""The installed pytest and pytest-xdist keep an xdist group in one worker under `--dist
loadgroup`, as conftest.py relies on (each model's numeric tests build it once per run). pytest
9.2 silently broke that (pytest-dev/pytest-xdist#1386); this runs two grouped tests and two
ungrouped ones in a throwaway project with two workers and reads where each ran."""

import json
import subprocess
import sys

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


def test_a_group_runs_in_one_worker(tmp_path):
    (tmp_path / "test_groups.py").write_text(TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2"]
        + ["--dist", "loadgroup", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {p.stem[4:]: json.loads(p.read_text()) for p in tmp_path.glob("ran-*.json")}
    assert len(workers) == 8
    grouped = {w for name, w in workers.items() if name.startswith("grouped")}
    assert len(grouped) == 1, f"the group was split across workers: {workers}"
