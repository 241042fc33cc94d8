"""Every model's canonical summary, text table and parameter file, pinned under golden/models/.

Any change to a model's settings (a filter count, kernel, stride, padding, dilation, activation,
bias, BN setting, residual scale, pool, block count or connection) changes its canonical summary
and fails here, naming the layer and the setting. A change that keeps every setting but computes
something else (a layer's `call`, a preprocess_input) leaves the summary as it is: the numeric
fingerprints (test_numerics.py) and the parity tests (test_parity.py) catch those.
Accept a deliberate change with `pytest --update-golden -m structure`; never as a side effect.
"""

import json

import pytest
from support.golden import ACCEPT, PINNED_AS, ROOT, check_text, dump_summary, dump_yaml, load_yaml
from support.groups import per_model

from inception_repro import calculus, costs, registry, summary

pytestmark = pytest.mark.structure

MODELS = [m for m in registry.ENTRIES if m not in PINNED_AS]  # tf_keras's: Keras's files
VARIANTS = {True: "", False: ".notop"}


def _notes(model_id, include_top):
    """Canonical index -> citation, from the spec (or the proven transcription)."""
    spec = registry.entry(model_id).spec()
    if spec is None:
        return {}
    return {
        i + 1: x.cite for i, x in enumerate(calculus.trace(spec, include_top=include_top).layers)
    }


@pytest.mark.parametrize("include_top", [True, False], ids=["top", "notop"])
@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_canonical_summary_matches_golden(model_id, include_top, summary_of, update_golden):
    live = summary_of(model_id, include_top=include_top)
    path = ROOT / "models" / f"{model_id}{VARIANTS[include_top]}.json"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_summary(live))
        return
    assert path.exists(), f"golden file {path.name} is missing; create it: {ACCEPT}"
    golden = json.loads(path.read_text())
    found = summary.differences(golden, live)
    assert not found, f"{model_id} differs from {path.name} ({ACCEPT}):\n" + "\n".join(found)


@pytest.mark.parametrize("include_top", [True, False], ids=["top", "notop"])
@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_text_table_matches_golden(model_id, include_top, summary_of, update_golden):
    s = summary_of(model_id, include_top=include_top)
    live = (
        summary.text_table(
            s, f"{model_id} at 299x299, include_top={include_top}", _notes(model_id, include_top)
        )
        + "\n"
    )
    path = ROOT / "models" / f"{model_id}{VARIANTS[include_top]}.txt"
    problem = check_text(path, live, update_golden)
    assert problem is None, problem


@pytest.mark.parametrize("model_id", per_model(MODELS))
def test_parameters_per_stage_match_golden(model_id, summary_of, update_golden):
    live = {
        "top": costs.per_stage(summary_of(model_id, include_top=True)),
        "notop": costs.per_stage(summary_of(model_id, include_top=False)),
    }
    path = ROOT / "models" / f"{model_id}.params.yaml"
    if update_golden:
        path.write_text(dump_yaml(live))
        return
    assert path.exists(), f"golden file {path.name} is missing; create it: {ACCEPT}"
    golden = load_yaml(path)
    assert golden == live, f"{path.name} differs ({ACCEPT})"


@pytest.mark.parametrize("model_id", per_model([m for m in MODELS if registry.entry(m).spec()]))
def test_per_stage_costs_equal_the_calculus(model_id, summary_of):
    """costs.py (from the Keras summary) and calculus.py (from the spec) agree stage by stage."""
    table = costs.per_stage(summary_of(model_id))
    trace = calculus.trace(registry.entry(model_id).spec())
    for stage, row in table.items():
        layers = trace.layers if stage == "total" else [x for x in trace.layers if x.stage == stage]
        assert row["macs"] == sum(x.macs for x in layers), stage
        assert row["pytorch"] == sum(x.pytorch for x in layers), stage
        assert row["keras"] == sum(x.trainable + x.non_trainable for x in layers), stage
