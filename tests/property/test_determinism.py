"""The canonical summary does not depend on build order, name counters or the process."""

import hashlib
import json
import subprocess
import sys

import pytest
from support.golden import model_file
from support.grids import MODELS
from support.groups import FRESH_PROCESS

pytestmark = [pytest.mark.property, FRESH_PROCESS]

# A fresh process builds every model's graph (registry.graph) in the reverse of registry order:
# each but the last is built after the others, with Keras's name counters already moved.
FRESH = """
import hashlib, json
from inception_repro import registry, summary
for m in reversed({models!r}):
    b = registry.graph(m)
    s = json.dumps(summary.summarise(b.model, b.stage_ends), sort_keys=True)
    print(m, hashlib.sha256(s.encode()).hexdigest())
"""


def digest(summary):
    return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def test_summaries_are_identical_in_a_fresh_process_built_in_another_order():
    """Against golden/models/*.json, which test_golden.py holds equal to the summaries of the
    models this run builds in registry order (each at 299x299 with its top)."""
    golden = {m: digest(json.loads(model_file(m, ".json").read_text())) for m in MODELS}
    code = FRESH.format(models=MODELS)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    fresh = dict(line.split() for line in out.stdout.splitlines())
    assert fresh == golden
