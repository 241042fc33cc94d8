"""support.shared: what the xdist workers of one run share (conftest.py wires it in)."""

import os
import sys

import pytest
from support import shared


@pytest.mark.parametrize("cores,workers,threads", [(2, 2, "1"), (8, 2, "4"), (2, 4, "1")])
def test_a_worker_gets_its_share_of_the_cores(monkeypatch, cores, workers, threads):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    environ = {}
    shared.share_the_cores(workers, environ)
    assert environ == dict.fromkeys(shared.THREAD_VARIABLES, threads)


def test_a_thread_count_already_set_is_kept(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    environ = {"TF_NUM_INTRAOP_THREADS": "3"}
    shared.share_the_cores(2, environ)
    assert environ["TF_NUM_INTRAOP_THREADS"] == "3"


def test_too_late_once_tensorflow_is_imported():
    """TensorFlow reads the variables when it starts: this test process has imported it."""
    import tensorflow  # noqa: F401

    with pytest.raises(RuntimeError, match="already imported"):
        shared.share_the_cores(2, {})


def test_one_worker_computes_the_others_read(tmp_path, monkeypatch):
    monkeypatch.setattr(shared, "folder", [tmp_path])
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    assert shared.shared("k", compute) == shared.shared("k", compute) == {"n": 1}
    assert calls == [1] and (tmp_path / "k.json").exists()
