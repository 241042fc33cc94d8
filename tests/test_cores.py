"""support.cores: a worker's share of the cores, set before TensorFlow starts; and so no
conftest may import TensorFlow."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import cores

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("machine_cores,workers,threads", [(2, 2, "1"), (8, 2, "4"), (2, 4, "1")])
def test_a_worker_gets_its_share_of_the_cores(monkeypatch, machine_cores, workers, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: machine_cores)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    environ = {}
    cores.share_the_cores(workers, environ)
    assert environ == dict.fromkeys(cores.THREAD_VARIABLES, threads)


def test_a_thread_count_already_set_is_kept(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    environ = {"TF_NUM_INTRAOP_THREADS": "3"}
    cores.share_the_cores(2, environ)
    assert environ["TF_NUM_INTRAOP_THREADS"] == "3"


def test_too_late_once_tensorflow_is_imported():
    """TensorFlow reads the variables when it starts: this test process has imported it."""
    import tensorflow  # noqa: F401

    with pytest.raises(RuntimeError, match="already imported"):
        cores.share_the_cores(2, {})


LOAD_CONFTEST = """
import importlib.util, sys
sys.path[:0] = ["tests", "tools"]
spec = importlib.util.spec_from_file_location("conftest_under_test", sys.argv[1])
sys.modules[spec.name] = module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print("tensorflow" in sys.modules)
"""


CONFTESTS = [ROOT / "conftest.py", *sorted(ROOT.glob("tests/**/conftest.py"))]


@pytest.mark.parametrize("conftest", [str(p.relative_to(ROOT)) for p in CONFTESTS])
def test_no_conftest_imports_tensorflow(conftest):
    """pytest loads the conftest files of the paths it is given before any worker's
    pytest_configure: one that imported TensorFlow would start it before share_the_cores (which
    then stops the run)."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_CONFTEST, conftest], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "False", f"{conftest} imports TensorFlow"
