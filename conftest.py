"""Shared test set-up: quiet TensorFlow, hypothesis profiles, golden-file options, and the
xdist wiring that builds each model once per run (docs/testing.md).

The model fixtures are in tests/support/models.py, registered here in every process that runs
tests; the xdist controller runs none and never imports TensorFlow. Each worker's TensorFlow
gets its share of the cores (support.cores), and one worker runs the tests of each group
(support.groups; `--dist loadgroup` is set in pyproject.toml).
"""

import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Python's cyclic collector walks every live object at each full collection, and a test process
# keeps dozens of Keras graphs alive (every model is built once and cached): with the default
# thresholds (700, 10, 10) `pytest -m structure` spent 8.5 s of 91 s in 5,615 collections. Rarer
# collections (measured: 166, 2.4 s) keep the same objects; the caches hold them anyway.
gc.set_threshold(20_000, 50, 1_000)

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from support.cores import share_the_cores  # noqa: E402
from support.groups import check_declared  # noqa: E402
from support.pytest_internals import runs_tests  # noqa: E402

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


@pytest.hookimpl(trylast=True)  # after xdist's own, which makes the controller's session
def pytest_configure(config):
    if hasattr(config, "workerinput"):
        share_the_cores(config.workerinput["workercount"])
    if runs_tests(config):  # not the xdist controller
        from inception_repro import tf_logs

        tf_logs.start()  # TensorFlow's start-up lines (oneDNN, CUDA) off the run's output
        from support import models

        config.pluginmanager.register(models, "inception_repro_models")


def pytest_unconfigure(config):
    # The process is about to exit: spare the collector a last walk over every cached model
    # (measured: test_golden.py's process took 9.4 s from its last line to its exit, 3.2 s so).
    gc.freeze()


def pytest_itemcollected(item):
    check_declared(item)  # a test that computes with a model names its group


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files from the live models instead of comparing with them",
    )


@pytest.fixture(scope="session")
def update_golden(request):
    return request.config.getoption("--update-golden")


def pytest_sessionfinish(session):
    """--update-golden: record the versions that wrote golden/ (once, in the main process)."""
    if session.config.getoption("--update-golden") and not hasattr(session.config, "workerinput"):
        from support.golden import write_producer

        write_producer()
