"""Shared test set-up: quiet TensorFlow, and each model built once per run.

Serially every build is cached in the process. Under pytest-xdist the canonical summaries, which
most tests need and which take a build each, are computed by the first worker that asks and read
from a folder shared by the run's workers (made by the controller, removed at its end; a file
lock makes a second worker wait rather than build again); and the tests of one model (those
parametrized by its id, and the numeric tests of the released model) form one xdist group, run
by one worker (`--dist loadgroup`, set in pyproject.toml), so that the models that tests need
with their weights are built once too.
"""

import functools
import gc
import json
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Python's cyclic collector walks every live object at each full collection, and a test process
# keeps dozens of Keras graphs alive (every model is built once and cached): with the default
# thresholds (700, 10, 10) `pytest -m structure` spent 8.5 s of 91 s in 5,615 collections. Rarer
# collections (measured: 166, 2.4 s) keep the same objects; the caches hold them anyway.
gc.set_threshold(20_000, 50, 1_000)

import pytest  # noqa: E402
from filelock import FileLock  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from support.graph_only import graph_only  # noqa: E402
from support.groups import RELEASED, model_group  # noqa: E402

from inception_repro import build, numerics, registry, summary  # noqa: E402
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


# ---- shared between xdist workers ---------------------------------------------------------

SHARED = "inception_repro_shared"  # the key of the folder in xdist's workerinput
_shared_dir: list[Path] = []  # the folder, in a worker; empty when the run is serial


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        _shared_dir.append(Path(config.workerinput[SHARED]))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """xdist controller: every worker gets the run's one shared folder."""
    config = node.config
    if not hasattr(config, "_inception_repro_shared"):
        config._inception_repro_shared = tempfile.mkdtemp(prefix="inception-repro-")
    node.workerinput[SHARED] = config._inception_repro_shared


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_inception_repro_shared", ""), ignore_errors=True)
    # The process is about to exit: spare the collector a last walk over every cached model
    # (measured: test_golden.py's process took 9.4 s from its last line to its exit, 3.2 s so).
    gc.freeze()


def _shared(key: str, compute):
    """compute() in one process of the run; the others read its JSON."""
    if not _shared_dir:
        return compute()
    path = _shared_dir[0] / f"{key}.json"
    with FileLock(f"{path}.lock"):
        if not path.exists():
            path.write_text(json.dumps(compute()))
        return json.loads(path.read_text())


def pytest_itemcollected(item):
    """Every test of one model shares an xdist group (support.groups): the tests parametrized
    by its model id, and for the released model also the numeric tests that name no model id.
    Marked as each test is collected, so that xdist's own collection hook sees the mark. A test
    module may name its group itself; then it is left alone."""
    if item.get_closest_marker("xdist_group"):
        return
    params = getattr(item, "callspec", None)
    model_id = params.params.get("model_id") if params else None
    if model_id is None and _NUMBERS.intersection(getattr(item, "fixturenames", ())):
        model_id = RELEASED
    if model_id is not None:
        item.add_marker(model_group(model_id))


def pytest_collection_modifyitems(items):
    """The model groups run first, the released model's (the largest) leading: each worker
    builds the models of its groups once and publishes their summaries, which the other tests
    then read instead of building them again."""
    first = model_group(RELEASED).mark

    def rank(item):
        group = item.get_closest_marker("xdist_group")
        return 2 if group is None else (0 if group.args == first.args else 1)

    items.sort(key=rank)  # stable: collection order within each rank


# ---- builds and summaries -------------------------------------------------------------------


def _summary_of(model_id, input_size=(299, 299), include_top=True):
    return _summary(model_id, tuple(input_size), bool(include_top))


# A summary is read off the model this process has already built, else off a graph built for
# it alone (support.graph_only: no weight initialised, less than half the cost of a build).
# Keras 2 (tf_keras) has no such graphs: its models are built once, through the registry.
@functools.cache
def _summary(model_id, input_size, include_top):
    def compute():
        built = registry.cached(model_id, input_size, include_top)
        if built is None and registry.entry(model_id).keras2:
            built = registry.build(model_id, input_size, include_top)
        if built is None:
            with graph_only():
                built = registry.fresh(model_id, input_size, include_top)
        return summary.summarise(built.model, built.stage_ends)

    h, w = input_size
    return _shared(f"summary-{model_id}-{h}x{w}-{'top' if include_top else 'notop'}", compute)


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

    h, w = input_size
    return _shared(f"transcription-{h}x{w}-{'top' if include_top else 'notop'}", compute)


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


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files from the live models instead of comparing with them",
    )


# the fixtures that hand out models with weights, or their outputs
_NUMBERS = {"loaded", "outputs_of", "fingerprint_of", "fresh_fingerprint", "transcription_outputs"}


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
