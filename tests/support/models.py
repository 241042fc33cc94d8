"""The models the tests use, each built once per process, and what is computed from them.

Each function here is handed to tests as a session fixture of the same name (the end of this
file); conftest.py registers this module as a plugin in every process that runs tests, never in
the xdist controller, which runs none and so never imports TensorFlow. A model is built once per
process and arguments, as its graph (registry.graph); a test that computes with it gets that
same model, its graph filled with zeros, then given deterministic weights or another model's
(docs/testing.md). No model initialises its weights at random.
"""

import functools
import inspect

import pytest

from inception_repro import build, numerics, registry, summary
from inception_repro.networks import released
from inception_repro.upstream import fill_with_zeros, graph_only
from support.groups import RELEASED

TRANSCRIPTION = "transcription"  # TF-Slim transcribed, with Keras's head: graph_of, summary_of


def per_arguments(function):
    """functools.cache keyed by the arguments as read (defaults filled in, the input size a tuple):
    loaded(m) and loaded(m, [299, 299], True) are one model, given its weights once."""
    cached = functools.cache(function)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return cached(*(tuple(v) if k == "input_size" else v for k, v in bound.arguments.items()))

    return call


@per_arguments
def graph_of(model_id, input_size=(299, 299), include_top=True):
    """The model for what its graph says (layers, shapes, counts), whatever ran before: the
    registry's graph, which `loaded` fills with weights if a test computes with it. model_id: a
    registry id or TRANSCRIPTION."""
    if model_id == TRANSCRIPTION:
        with graph_only():
            return build.build(released.slim_body_keras_head(), input_size, include_top)
    return registry.graph(model_id, input_size, include_top)


@per_arguments
def summary_of(model_id, input_size=(299, 299), include_top=True):
    """Its canonical summary."""
    built = graph_of(model_id, input_size, include_top)
    return summary.summarise(built.model, built.stage_ends)


@per_arguments
def loaded(model_id, input_size=(299, 299), include_top=True):
    """graph_of's model with numerics' deterministic weights (a pure function of the model): the
    graph a test summarises is the model it computes with, and Keras's random initial weights
    are never made (a Keras 2 model, which has no graph-only build, has them overwritten)."""
    built = graph_of(model_id, input_size, include_top)
    if not registry.entry(model_id).keras2:
        fill_with_zeros(built.model)
    numerics.set_deterministic_weights(built.model)
    return built


@per_arguments
def outputs_of(model_id, input_size=(299, 299), include_top=True):
    """(scaled input, {stage: output}) of the loaded model."""
    x = numerics.scaled_input(model_id, input_size)
    return x, numerics.stage_outputs(loaded(model_id, input_size, include_top), x)


@per_arguments
def fingerprint_of(model_id):
    """Its numeric fingerprint at 299 with the top."""
    x, outputs = outputs_of(model_id)
    return numerics.record(x, outputs, numerics.main_stage(loaded(model_id)))


def fresh_fingerprint(model_id, through=None):
    """The fingerprint computed now, for tests that alter Keras (only the model is cached);
    `through` a stage, it stops there (numerics.fingerprint)."""
    return numerics.fingerprint(loaded(model_id), numerics.scaled_input(model_id), through)


@per_arguments
def transcription_outputs(input_size=(299, 299), include_top=True):
    """(values copied, {stage: output}): the transcription (graph_of's) with the released
    model's weights, on the released model's input."""
    ours = graph_of(TRANSCRIPTION, input_size, include_top)
    fill_with_zeros(ours.model)
    copied = numerics.copy_weights(loaded(RELEASED, input_size, include_top).model, ours.model)
    return copied, numerics.stage_outputs(ours, numerics.scaled_input(RELEASED, input_size))


def _fixture(function, name=None):
    return pytest.fixture(scope="session", name=name or function.__name__)(lambda: function)


# The fixtures, each handing out the function of its name. Those from `loaded` on compute with a
# model: a test that uses one names its xdist group (support.groups.COMPUTING).
graph_of_fixture = _fixture(graph_of)
summary_of_fixture = _fixture(summary_of)
input_for_fixture = _fixture(numerics.scaled_input, "input_for")  # the fixed image, scaled
loaded_fixture = _fixture(loaded)
outputs_of_fixture = _fixture(outputs_of)
fingerprint_of_fixture = _fixture(fingerprint_of)
fresh_fingerprint_fixture = _fixture(fresh_fingerprint)
transcription_outputs_fixture = _fixture(transcription_outputs)
