"""Shape invariants across input sizes, for every model id (hypothesis)."""

import re

import pytest
from hypothesis import Phase, given, settings
from support.grids import GRID, MODELS, SPEC_MODELS, sizes
from support.groups import per_model
from support.probes import dynamic, keras_stage_shapes

from inception_repro import calculus, registry

pytestmark = pytest.mark.property


def _first_disagreement(expected, actual):
    for stage in expected:
        if expected[stage] != actual.get(stage):
            got = actual.get(stage)
            return f"first stage that disagrees: {stage}: expected {expected[stage]}, got {got}"
    return None


def channels_at_299(model_id):
    trace = calculus.trace(registry.entry(model_id).network(), include_top=dynamic(model_id))
    return {s: shape[-1] for s, shape in trace.stages}


@pytest.mark.parametrize("model_id", per_model(MODELS))
@given(size=sizes)
def test_stage_grids_follow_the_stride_arithmetic(model_id, size):
    got = keras_stage_shapes(model_id, size)
    expected = {s: (GRID[s](size[0]), GRID[s](size[1])) for s in GRID}
    spatial = {s: shape[:2] for s, shape in got.items() if s in GRID}
    problem = _first_disagreement(expected, spatial)
    assert problem is None, f"{model_id} at {size[0]}x{size[1]}: {problem}"


@pytest.mark.parametrize("model_id", per_model(SPEC_MODELS))
@given(size=sizes)
def test_calculus_equals_keras_and_channels_never_change(model_id, size):
    network = registry.entry(model_id).network()
    got = keras_stage_shapes(model_id, size)
    predicted = dict(calculus.trace(network, size, include_top=dynamic(model_id)).stages)
    problem = _first_disagreement({s: predicted[s] for s in got}, got)
    assert problem is None, f"{model_id} at {size[0]}x{size[1]}: {problem}"
    at_299 = channels_at_299(model_id)
    assert {s: shape[-1] for s, shape in got.items()} == {s: at_299[s] for s in got}


PAPER_V2 = "paper-inception-resnet-v2"


def test_a_broken_calculus_fails_with_the_falsifying_size(monkeypatch):
    """Treat every valid 3x3 window as same-padded: the property must catch it and say where."""
    real = calculus._out
    monkeypatch.setattr(calculus, "_out", lambda n, k, s, p: real(n, k, s, "same" if k == 3 else p))
    quick = settings(max_examples=3, phases=[Phase.generate], database=None)
    with pytest.raises(AssertionError) as failure:
        quick(test_calculus_equals_keras_and_channels_never_change)(model_id=PAPER_V2)
    report = str(failure.value) + "\n".join(getattr(failure.value, "__notes__", []))
    assert re.search(rf"{PAPER_V2} at \d+x\d+: first stage that disagrees: stem", report), report
    assert f"model_id={PAPER_V2!r}" in report and "size=(" in report, report
