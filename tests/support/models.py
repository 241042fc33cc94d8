"""The models the tests use, each built once per process, and what is computed from them:
session fixtures, registered as a plugin by conftest.py in every process that runs tests (not in
the xdist controller, which runs none and so never imports TensorFlow).

Serially every build is cached in the process. Under pytest-xdist the canonical summaries, which
most tests need and which take a build each, are computed by the first worker that asks and read
by the others (support.shared); the tests that need a model with its weights run in that model's
xdist group (support.groups), so that it is built with weights once per run.
"""

import functools

import pytest

from inception_repro import build, numerics, registry, summary
from inception_repro.networks import released
from support.graph_only import for_summary, graph_only
from support.groups import RELEASED
from support.shared import shared


def _key(what, input_size, include_top):
    """The name under which the xdist workers share a summary (support.shared)."""
    h, w = input_size
    return f"{what}-{h}x{w}-{'top' if include_top else 'notop'}"


def _summary_of(model_id, input_size=(299, 299), include_top=True):
    return _summary(model_id, tuple(input_size), bool(include_top))


# A summary is read off the model this process has already built, else off one built for it
# alone (support.graph_only.for_summary: no weight initialised, less than half the cost).
@functools.cache
def _summary(model_id, input_size, include_top):
    def compute():
        built = registry.cached(model_id, input_size, include_top)
        if built is None:
            built = for_summary(model_id, input_size, include_top)
        return summary.summarise(built.model, built.stage_ends)

    return shared(_key(f"summary-{model_id}", input_size, include_top), compute)


@pytest.fixture(scope="session")
def summary_of():
    """summary_of(model_id, input_size=(299, 299), include_top=True) -> canonical summary."""
    return _summary_of


_transcriptions_built: dict[tuple, build.Built] = {}


def _transcription_built(input_size=(299, 299), include_top=True):
    key = (tuple(input_size), include_top)
    if key not in _transcriptions_built:
        _transcriptions_built[key] = build.build(released.slim_body_keras_head(), *key)
    return _transcriptions_built[key]


def _transcription_of(input_size=(299, 299), include_top=True):
    return _transcription(tuple(input_size), bool(include_top))


@functools.cache
def _transcription(input_size, include_top):
    def compute():
        if (input_size, include_top) in _transcriptions_built:
            b = _transcription_built(input_size, include_top)
        else:
            with graph_only():
                b = build.build(released.slim_body_keras_head(), input_size, include_top)
        return summary.summarise(b.model, b.stage_ends)

    return shared(_key("transcription", input_size, include_top), compute)


@pytest.fixture(scope="session")
def transcription_of():
    """Canonical summary of the TF-Slim transcription with the Keras head."""
    return _transcription_of


@pytest.fixture(scope="session")
def transcription_built():
    """transcription_built(input_size=(299, 299), include_top=True) -> the built transcription."""
    return _transcription_built


@functools.cache
def _loaded(model_id, input_size=(299, 299), include_top=True):
    built = registry.build(model_id, input_size, include_top)
    _summary_of(model_id, input_size, include_top)  # its summary, for the other workers
    numerics.set_deterministic_weights(built.model)
    return built


@pytest.fixture(scope="session")
def loaded():
    """loaded(model_id, input_size=(299, 299), include_top=True) -> the registry's built model,
    with numerics' deterministic weights set (once per process; they are a pure function)."""
    return _loaded


@pytest.fixture(scope="session")
def input_for():
    """input_for(model_id, input_size=(299, 299)) -> the fixed image, scaled for that model."""
    return numerics.scaled_input


@functools.cache
def _outputs_of(model_id, input_size=(299, 299), include_top=True):
    x = numerics.scaled_input(model_id, input_size)
    return x, numerics.stage_outputs(_loaded(model_id, input_size, include_top), x)


@pytest.fixture(scope="session")
def outputs_of():
    """outputs_of(model_id, input_size, include_top) -> (scaled input, {stage: output}) of the
    loaded model, computed once per process."""
    return _outputs_of


@functools.cache
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


@functools.cache
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
