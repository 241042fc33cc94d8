"""The models the tests use, each built once per process, and what is computed from them:
session fixtures, registered as a plugin by conftest.py in every process that runs tests (not in
the xdist controller, which runs none and so never imports TensorFlow).

Every build is cached in the process, and none initialises weights at random: a model read for
its graph is the registry's graph (registry.graph), one that computes is filled with zeros and
then given numerics' deterministic weights or another model's (registry.for_weights). Under
pytest-xdist the tests that need a model with its weights run in that model's xdist group
(support.groups), so that it is built with weights once per run.
"""

import functools
import inspect

import pytest

from inception_repro import build, numerics, registry, summary
from inception_repro.networks import released
from inception_repro.upstream import graph_only, zero_filled
from support.groups import RELEASED


def per_arguments(function):
    """functools.cache keyed by the arguments as the function reads them: defaults filled in, an
    input size as a tuple, include_top as a bool. Keyed as called, loaded(m) and
    loaded(m, (299, 299), True) had been two entries, and a model's weights were set twice."""
    cached = functools.cache(function)
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        arguments = bound.arguments
        if "input_size" in arguments:
            arguments["input_size"] = tuple(arguments["input_size"])
        if "include_top" in arguments:
            arguments["include_top"] = bool(arguments["include_top"])
        return cached(*arguments.values())

    return call


# The models this process has built to hold weights (loaded, the transcriptions), by their
# arguments: (model id or TRANSCRIPTION, input size, include_top).
_with_weights: dict[tuple, build.Built] = {}
TRANSCRIPTION = "transcription"


@per_arguments
def _graph_of(model_id, input_size=(299, 299), include_top=True):
    """The model for what its graph says (layers, shapes, counts): the one this process has
    built for its weights, else its graph (registry.graph, or for TRANSCRIPTION the
    transcription's; no weight initialised)."""
    key = (model_id, input_size, include_top)
    if key in _with_weights:
        return _with_weights[key]
    if model_id == TRANSCRIPTION:
        with graph_only():
            return _transcription(input_size, include_top)
    return registry.graph(*key)


@pytest.fixture(scope="session")
def graph_of():
    """graph_of(model_id, input_size=(299, 299), include_top=True) -> a built model, for its
    graph alone (its weights may be missing); model_id a registry id or TRANSCRIPTION."""
    return _graph_of


@per_arguments
def _summary_of(model_id, input_size=(299, 299), include_top=True):
    built = _graph_of(model_id, input_size, include_top)
    return summary.summarise(built.model, built.stage_ends)


@pytest.fixture(scope="session")
def summary_of():
    """summary_of(model_id, input_size=(299, 299), include_top=True) -> canonical summary."""
    return _summary_of


def _transcription(input_size, include_top):
    return build.build(released.slim_body_keras_head(), input_size, include_top)


@per_arguments
def _transcription_built(input_size=(299, 299), include_top=True):
    """The TF-Slim transcription with the Keras head, its weights zeros until copied in."""
    built = zero_filled(lambda: _transcription(input_size, include_top))
    _with_weights[(TRANSCRIPTION, input_size, include_top)] = built
    return built


def _transcription_of(input_size=(299, 299), include_top=True):
    return _summary_of(TRANSCRIPTION, input_size, include_top)


@pytest.fixture(scope="session")
def transcription_of():
    """Canonical summary of the TF-Slim transcription with the Keras head."""
    return _transcription_of


@per_arguments
def _loaded(model_id, input_size=(299, 299), include_top=True):
    key = (model_id, input_size, include_top)
    # A Keras 2 (tf_keras) model has no zero-filled build: the registry's, shared, not a second.
    keras2 = registry.entry(model_id).keras2
    built = registry.build(*key) if keras2 else registry.for_weights(*key)
    _with_weights[key] = built
    numerics.set_deterministic_weights(built.model)
    return built


@pytest.fixture(scope="session")
def loaded():
    """loaded(model_id, input_size=(299, 299), include_top=True) -> the registry's model with
    numerics' deterministic weights set (once per process; they are a pure function). Built
    zero-filled (registry.for_weights): Keras's random initial weights are never made."""
    return _loaded


@pytest.fixture(scope="session")
def input_for():
    """input_for(model_id, input_size=(299, 299)) -> the fixed image, scaled for that model."""
    return numerics.scaled_input


@per_arguments
def _outputs_of(model_id, input_size=(299, 299), include_top=True):
    x = numerics.scaled_input(model_id, input_size)
    return x, numerics.stage_outputs(_loaded(model_id, input_size, include_top), x)


@pytest.fixture(scope="session")
def outputs_of():
    """outputs_of(model_id, input_size, include_top) -> (scaled input, {stage: output}) of the
    loaded model, computed once per process."""
    return _outputs_of


@per_arguments
def _fingerprint_of(model_id):
    x, outputs = _outputs_of(model_id)
    return numerics.record(x, outputs, numerics.main_stage(_loaded(model_id)))


@pytest.fixture(scope="session")
def fingerprint_of():
    """fingerprint_of(model_id) -> its numeric fingerprint at 299 with the top, once per process."""
    return _fingerprint_of


def fingerprint_now(model_id, through=None):
    """The fingerprint computed afresh: for tests that alter Keras (only the model is cached);
    `through` a stage, it stops there (numerics.fingerprint)."""
    return numerics.fingerprint(_loaded(model_id), numerics.scaled_input(model_id), through)


@pytest.fixture(scope="session")
def fresh_fingerprint():
    """fresh_fingerprint(model_id, through=None) -> the fingerprint computed now, nothing of it
    cached."""
    return fingerprint_now


@per_arguments
def _transcription_outputs(input_size=(299, 299), include_top=True):
    released_model = _loaded(RELEASED, input_size, include_top).model
    ours = _transcription_built(input_size, include_top)
    copied = numerics.copy_weights(released_model, ours.model)
    return copied, numerics.stage_outputs(ours, numerics.scaled_input(RELEASED, input_size))


@pytest.fixture(scope="session")
def transcription_outputs():
    """transcription_outputs(input_size, include_top) -> (values copied, {stage: output}): the
    transcription with the released model's weights, on the released model's input."""
    return _transcription_outputs
