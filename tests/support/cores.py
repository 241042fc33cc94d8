"""Each xdist worker's TensorFlow gets its share of the machine's cores."""

from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def share_the_cores(workers: int, environ=os.environ) -> None:
    """An xdist worker's TensorFlow gets its share of the cores, not all of them (each pool
    defaults to every core): `pytest -m structure -n 2` took 75 s so and 55 s with one thread per
    worker on 2 cores (docs/testing.md). TensorFlow reads these variables when it starts, so this
    runs before it is imported; a value already set is kept."""
    if "tensorflow" in sys.modules:
        raise RuntimeError("share_the_cores: TensorFlow is already imported; call it before")
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for name in THREAD_VARIABLES:
        environ.setdefault(name, threads)
