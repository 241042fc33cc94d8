"""What the xdist workers of one run share: the machine's cores, and what one of them computes,
as JSON files in one folder made by the controller and removed at its end (conftest.py). A file
lock makes a second worker wait for the first rather than compute again. Serially there is no
folder and nothing to share."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from filelock import FileLock

KEY = "inception_repro_shared"  # the folder's key in xdist's workerinput
folder: list[Path] = []  # the run's folder, in a worker; empty when the run is serial


def shared(key: str, compute):
    """compute() in one process of the run; the others read its JSON."""
    if not folder:
        return compute()
    path = folder[0] / f"{key}.json"
    with FileLock(f"{path}.lock"):
        if not path.exists():
            path.write_text(json.dumps(compute()))
        return json.loads(path.read_text())


THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def share_the_cores(workers: int, environ=os.environ) -> None:
    """An xdist worker's TensorFlow gets its share of the cores rather than all of them. Each
    process's thread pools default to every core, so two workers ran twice as many busy threads
    as the machine has: measured on the 2-core machine, `pytest -m structure -n 2` took 75 s so
    and 55 s with one thread per worker (README, "Tests"). TensorFlow reads these variables when
    it starts, so this must run before it is imported; a value already set is kept."""
    if "tensorflow" in sys.modules:
        raise RuntimeError("share_the_cores: TensorFlow is already imported; call it before")
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for name in THREAD_VARIABLES:
        environ.setdefault(name, threads)
