"""Shared test set-up: quiet TensorFlow, hypothesis profiles, golden-file options, and the
xdist wiring that lets each model be built once per run.

The models themselves, and the session fixtures that hand them out, are in
tests/support/models.py, a plugin registered here in every process that runs tests. The xdist
controller runs none: it never imports TensorFlow (4.5 s before any worker could start). Under
xdist each worker's TensorFlow gets its share of the cores (support.cores), and the tests of one
model run in one worker (support.groups, `--dist loadgroup` set in pyproject.toml).
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
from support.groups import RELEASED, group_of, model_group  # noqa: E402
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


# ---- xdist ----------------------------------------------------------------------------------


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


# the fixtures (tests/support/models.py) that hand out models with weights, or their outputs
COMPUTING = {"loaded", "outputs_of", "fingerprint_of", "fresh_fingerprint", "transcription_outputs"}


def pytest_itemcollected(item):
    """Every test that computes with a model says which model's group it runs in (support.groups,
    docs/testing.md): parametrized by `model_id` through per_model(...), or marked with
    model_group(...) on the test or its module. Nothing is inferred: a test that needs a group and
    names none is refused, with the line to add."""
    if group_of(item) is not None:
        return
    params = getattr(item, "callspec", None)
    if params is not None and "model_id" in params.params:
        raise pytest.UsageError(
            f"{item.nodeid} is parametrized by model_id but in no group: parametrize it with "
            "support.groups.per_model(...) (docs/testing.md)"
        )
    computing = sorted(COMPUTING.intersection(getattr(item, "fixturenames", ())))
    if computing:
        raise pytest.UsageError(
            f"{item.nodeid} computes with a model ({', '.join(computing)}) but names no group: "
            f"mark it, or its module, with support.groups.model_group(the model id) "
            "(docs/testing.md)"
        )


def pytest_collection_modifyitems(items):
    """The model groups run first, the released model's (the largest) leading: each worker
    builds the models of its groups once and publishes their summaries, which the other tests
    then read instead of building them again."""
    first = model_group(RELEASED).mark.args[0]

    def rank(item):
        group = group_of(item)
        return 2 if group is None else (0 if group == first else 1)

    items.sort(key=rank)  # stable: collection order within each rank


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
