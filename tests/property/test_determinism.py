"""The canonical summary does not depend on build order, name counters or the process."""

import hashlib
import json
import subprocess
import sys

import pytest
from support.grids import MODELS
from support.probes import dynamic

pytestmark = pytest.mark.property

# The fresh process builds each model for its summary alone (registry.graph); this run's
# summaries are read off the probes, built whole (support.probes). They must be equal.
FRESH = """
import hashlib, json, sys
from inception_repro import registry, summary
sys.path.insert(0, {tests_dir!r})
from support.probes import dynamic
for m in reversed({models!r}):  # reversed: every model but one is built after the others
    b = registry.graph(m, (None, None), dynamic(m))
    s = json.dumps(summary.summarise(b.model, b.stage_ends), sort_keys=True)
    print(m, hashlib.sha256(s.encode()).hexdigest())
"""


def digest(summary):
    return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def test_summaries_are_identical_in_a_fresh_process_built_in_another_order(request, summary_of):
    """Here: the summaries of the probes (support.probes), as this run has them (read off the
    probe this process built, or computed by the xdist worker that built it)."""
    here = {m: digest(summary_of(m, (None, None), dynamic(m))) for m in MODELS}
    code = FRESH.format(tests_dir=str(request.path.parents[1]), models=MODELS)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    fresh = dict(line.split() for line in out.stdout.splitlines())
    assert fresh == here
