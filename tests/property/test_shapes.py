"""Shape invariants across input sizes, for every model id (hypothesis)."""

import functools
import re

import pytest
from hypothesis import Phase, given, settings
from support.grids import GRID, MODELS, SPEC_MODELS, sizes
from support.groups import per_model
from support.probes import dynamic, keras_stage_shapes

from inception_repro import calculus, registry

pytestmark = pytest.mark.property


def grid_problem(shapes, size):
    """The first stage whose grid is not the stride arithmetic's at `size`, or None."""
    for stage, grid in GRID.items():
        expected = (grid(size[0]), grid(size[1]))
        got = tuple(shapes[stage][:2]) if stage in shapes else None
        if expected != got:
            return f"first stage that disagrees: {stage}: expected {expected}, got {got}"
    return None


def channels(shapes):
    return {s: shape[-1] for s, shape in shapes.items()}


@functools.cache
def keras_channels_at_299(model_id):
    return channels(keras_stage_shapes(model_id, (299, 299)))


def calculus_stages(model_id, size):
    network = registry.entry(model_id).network()
    return dict(calculus.trace(network, size, include_top=dynamic(model_id)).stages)


# Keras judges the calculus's stage shapes at every size through a closed form. The first test
# holds every model's Keras stage shapes to the stride arithmetic written out in support.grids
# (independently of the calculus), the second holds the calculus to the same arithmetic, and
# tests/structure/test_calculus.py holds the calculus equal to Keras layer by layer at 299,
# channels included. Asking Keras at the second test's sizes too would check Keras at 30 more
# sizes per model, for 0.2 s each: 29 s of a suite run's work (`pytest -n 2 --durations=0`).
@pytest.mark.parametrize("model_id", per_model(MODELS))
@given(size=sizes)
def test_stage_grids_follow_the_stride_arithmetic_and_channels_never_change(model_id, size):
    got = keras_stage_shapes(model_id, size)
    problem = grid_problem(got, size)
    assert problem is None, f"{model_id} at {size[0]}x{size[1]}: {problem}"
    assert channels(got) == keras_channels_at_299(model_id), f"{model_id} at {size[0]}x{size[1]}"


@pytest.mark.parametrize("model_id", per_model(SPEC_MODELS))
@given(size=sizes)
def test_calculus_follows_the_stride_arithmetic_and_channels_never_change(model_id, size):
    predicted = calculus_stages(model_id, size)
    problem = grid_problem(predicted, size)
    assert problem is None, f"{model_id} at {size[0]}x{size[1]}: {problem}"
    at_299 = calculus_stages(model_id, (299, 299))
    assert channels(predicted) == channels(at_299), f"{model_id} at {size[0]}x{size[1]}"


PAPER_V2 = "paper-inception-resnet-v2"


def test_a_broken_calculus_fails_with_the_falsifying_size(monkeypatch):
    """Treat every valid 3x3 window as same-padded: the property must catch it and say where."""
    real = calculus._out
    monkeypatch.setattr(calculus, "_out", lambda n, k, s, p: real(n, k, s, "same" if k == 3 else p))
    quick = settings(max_examples=3, phases=[Phase.generate], database=None)
    with pytest.raises(AssertionError) as failure:
        quick(test_calculus_follows_the_stride_arithmetic_and_channels_never_change)(
            model_id=PAPER_V2
        )
    report = str(failure.value) + "\n".join(getattr(failure.value, "__notes__", []))
    assert re.search(rf"{PAPER_V2} at \d+x\d+: first stage that disagrees: stem", report), report
    assert f"model_id={PAPER_V2!r}" in report and "size=(" in report, report
