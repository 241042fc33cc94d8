"""The gate catches drift in the arithmetic: change what a layer computes while keeping every
setting, and the numeric checks fail naming the model and the first stage that moved.

Each change is a monkeypatch, as a user editing the installed Keras (or this project's own
residual layer) would make it; test_drift.py does the same for settings. None of these changes
alters a canonical summary (a test below shows it), so only the arithmetic can catch them.

The gate computes every stage and names the first whose numbers moved; these tests compute the
stages only up to the one they expect to be named (`through`), which names the same stage at a
fraction of the cost: were an earlier stage to move, it would be named instead and they fail.
"""

import json
import types

import keras
import numpy as np
import pytest
from support.alter import Altered
from support.golden import ROOT, fingerprint_problem
from support.groups import RELEASED, model_group, per_model

from inception_repro import build, numerics, registry, summary, upstream
from inception_repro.evaluate import protocols
from inception_repro.upstream import graph_only

pytestmark = pytest.mark.structure

IRV2 = "keras-inception-resnet-v2"
# keras/src/applications/inception_resnet_v2.py, reached through the public function
KERAS_IRV2 = upstream.defining_module(keras.applications.InceptionResNetV2)


def _scale_on_the_shortcut(self, inputs):
    return inputs[0] * self.scale + inputs[1]


def _twice_the_scale(self, inputs):
    return inputs[0] + inputs[1] * (2 * self.scale)


RESIDUAL_CHANGES = {
    "scale on the shortcut": _scale_on_the_shortcut,
    "residual times 2x scale": _twice_the_scale,
}


def _pinned_summary(model_id):
    """The canonical summary pinned in golden/models/ (test_golden.py holds it to the model)."""
    return json.loads((ROOT / "models" / f"{model_id}.json").read_text())


def _released_summary_built_now():
    """The canonical summary of the model built afresh, under whatever change is in force (the
    cached models were built before it): a graph, no weight initialised."""
    with graph_only():
        model = keras.applications.InceptionResNetV2(weights=None)
    return summary.summarise(model, summary.resolve_stage_ends(model, registry.IRV2_STAGES))


@model_group(RELEASED)
@pytest.mark.parametrize("change", RESIDUAL_CHANGES)
def test_keras_residual_arithmetic_changed_fails_naming_the_stage(
    change, monkeypatch, loaded, input_for, transcription_outputs
):
    _, ours = transcription_outputs((299, 299), True)  # cached values are made before the change
    altered = Altered(monkeypatch, KERAS_IRV2.CustomScaleLayer, "call", RESIDUAL_CHANGES[change])
    model = loaded(IRV2)
    # the canonical summary cannot see it: the model built under the change summarises as pinned
    assert summary.differences(_pinned_summary(IRV2), _released_summary_built_now()) == []
    # the pinned fingerprint does
    x = input_for(IRV2)
    outputs = numerics.stage_outputs(model, x, through="blocks_a")
    altered.reached()
    problem = fingerprint_problem(IRV2, numerics.record(x, outputs, "head", through="blocks_a"))
    assert problem is not None and problem.startswith(f"{IRV2}: numbers differ"), problem
    assert "at stage blocks_a:" in problem, problem
    # and so does the parity with the transcription (which has no CustomScaleLayer)
    assert numerics.first_difference(outputs, ours, 0.0)[0] == "blocks_a"


@pytest.mark.parametrize("change", RESIDUAL_CHANGES)
@pytest.mark.parametrize("model_id", per_model(["paper-inception-resnet-v1"]))
def test_own_residual_arithmetic_changed_fails_naming_the_stage(
    model_id, change, monkeypatch, fresh_fingerprint
):
    altered = Altered(monkeypatch, build.ScaledResidual, "call", RESIDUAL_CHANGES[change])
    problem = fingerprint_problem(model_id, fresh_fingerprint(model_id, through="blocks_a"))
    altered.reached()
    assert problem is not None and "at stage blocks_a:" in problem, problem


def _imagenet_utils_in_mode(monkeypatch, forced) -> Altered:
    """imagenet_utils as inception_resnet_v2.py sees it, but preprocess_input ignores the
    mode it is called with ("tf") and uses `forced`."""
    original = KERAS_IRV2.imagenet_utils
    copy = types.SimpleNamespace(**{n: getattr(original, n) for n in dir(original)})
    monkeypatch.setattr(KERAS_IRV2, "imagenet_utils", copy)

    def preprocess_input(x, data_format=None, mode="tf"):
        return original.preprocess_input(x, data_format=data_format, mode=forced)

    return Altered(monkeypatch, copy, "preprocess_input", preprocess_input)


@model_group(RELEASED)
@pytest.mark.parametrize("mode", ["torch", "caffe"])
def test_preprocess_input_in_another_mode_fails_naming_the_input(
    mode, monkeypatch, fresh_fingerprint
):
    altered = _imagenet_utils_in_mode(monkeypatch, mode)
    problem = fingerprint_problem(IRV2, fresh_fingerprint(IRV2, through="stem"))
    altered.reached()
    assert problem is not None and "at stage input:" in problem, problem
    # and the keras-applications protocol no longer scales as Keras does
    levels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1).repeat(3, axis=-1)
    keras_way = numerics.preprocess("keras.applications.inception_resnet_v2.preprocess_input")(
        levels
    )
    ours = np.asarray(protocols.get("keras-applications").normalize(levels.astype("float32")))
    assert not np.array_equal(keras_way, ours)
