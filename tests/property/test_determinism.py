"""The canonical summary does not depend on build order, name counters or the process."""

import hashlib
import json
import subprocess
import sys

import pytest
from support.grids import MODELS
from support.probes import probe

from inception_repro import summary

pytestmark = pytest.mark.property

FRESH = """
import hashlib, json, sys
from inception_repro import registry, summary
sys.path.insert(0, {tests_dir!r})
from support.probes import dynamic
for m in reversed({models!r}):  # reversed: every model but one is built after the others
    b = registry.build(m, (None, None), dynamic(m))
    s = json.dumps(summary.summarise(b.model, b.stage_ends), sort_keys=True)
    print(m, hashlib.sha256(s.encode()).hexdigest())
"""


def digest(model_id):
    built = probe(model_id)[0]
    s = json.dumps(summary.summarise(built.model, built.stage_ends), sort_keys=True)
    return hashlib.sha256(s.encode()).hexdigest()


def test_summaries_are_identical_in_a_fresh_process_built_in_another_order(request):
    here = {m: digest(m) for m in MODELS}
    code = FRESH.format(tests_dir=str(request.path.parents[1]), models=MODELS)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    fresh = dict(line.split() for line in out.stdout.splitlines())
    assert fresh == here
