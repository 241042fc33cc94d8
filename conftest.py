"""Shared test set-up: quiet TensorFlow, and each model built once per test process."""

import functools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from inception_repro import build, registry, summary  # noqa: E402
from inception_repro.networks import released  # noqa: E402

# ci: bounded and repeatable (CI, tox, the README's command); thorough: for nightly runs.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=30,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", deadline=None, max_examples=300, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files from the live models instead of comparing with them",
    )


@pytest.fixture(scope="session")
def update_golden(request):
    return request.config.getoption("--update-golden")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist: collect the (model, H, W) triples each worker checked against Keras."""
    sizes = getattr(node.config, "checked_sizes", set())
    sizes.update(tuple(x) for x in node.workeroutput.get("checked_sizes", []))
    node.config.checked_sizes = sizes


def pytest_terminal_summary(terminalreporter, config):
    checked = getattr(config, "checked_sizes", None)
    if checked:
        sizes = {(h, w) for _, h, w in checked}
        terminalreporter.write_line(
            f"property: {len(checked)} (model, size) pairs, {len(sizes)} distinct input sizes "
            "checked against Keras's own shape inference"
        )
