"""Shared test set-up: quiet TensorFlow, and each model built once per test process."""

import functools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from inception_repro import build, registry, summary  # noqa: E402
from inception_repro.networks import released  # noqa: E402


@functools.cache
def _summary_of(model_id, input_size=(299, 299), include_top=True):
    built = registry.build(model_id, input_size, include_top)
    return summary.summarise(built.model, built.stage_ends)


@pytest.fixture(scope="session")
def summary_of():
    """summary_of(model_id, input_size=(299, 299), include_top=True) -> canonical summary."""
    return _summary_of


@functools.cache
def _transcription_of(input_size=(299, 299), include_top=True):
    b = build.build(released.slim_body_keras_head(), input_size, include_top)
    return summary.summarise(b.model, b.stage_ends)


@pytest.fixture(scope="session")
def transcription_of():
    """Canonical summary of the TF-Slim transcription with the Keras head."""
    return _transcription_of
