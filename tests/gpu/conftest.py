"""Settings of the real evaluation (docs/evaluation.md): the `eval` command's own options, else
the environment (IMAGENET_MANUAL_DIR, IMAGENET_DATA_DIR, IMAGENET_BLACKLIST, KERAS_HOME).

    tox -e gpu-eval -- [-k EXPR] [--model ID] [--protocol P] [--manual-dir DIR] [--data-dir DIR]
                       [--weights PATH] [--blacklist FILE] [--limit N] [--batch-size N]
                       [--out FILE]

One test per gated (model, protocol) pair of golden/accuracy.yaml, with ids like
`keras-inception-resnet-v2-slim`; a selection that matches none is an error.
"""

import functools
import os
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest

from inception_repro.evaluate import report
from inception_repro.evaluate.config import default_data_dir

OPTIONS = ("--model", "--protocol", "--manual-dir", "--data-dir", "--weights", "--blacklist")
OPTIONS += ("--limit", "--batch-size", "--out")


def pytest_addoption(parser):
    group = parser.getgroup("gpu-eval", "the real ImageNet evaluation (tests/gpu)")
    for name in OPTIONS:
        kind = int if name in ("--limit", "--batch-size") else str
        group.addoption(name, type=kind, help=f"as for inception-repro eval {name}")


class Target(NamedTuple):
    """One evaluation: a model with its released weights, under one protocol."""

    model: str
    protocol: str

    @property
    def id(self) -> str:
        return f"{self.model}-{self.protocol}"


def gated_targets() -> list[Target]:
    """Every (model, protocol) pair of a gated entry of golden/accuracy.yaml, in file order."""
    pairs = [(r.model, r.protocol) for r in report.load_reported() if r.gated]
    return [Target(m, p) for m, p in dict.fromkeys(pairs)]


def pytest_generate_tests(metafunc):
    if "target" in metafunc.fixturenames:
        targets = gated_targets()
        metafunc.parametrize("target", targets, ids=[t.id for t in targets], scope="session")


CONVERSION = "test_keras_file_is_the_slim_checkpoint_converted"
CONVERTED = ("keras-inception-resnet-v2", "slim-inception-resnet-v2")


def _option(config, name):
    return config.getoption(name, default=None)  # an option exists if pytest starts in tests/gpu


def _wanted(config):  # whether --model and --protocol select a target
    model, protocol = _option(config, "--model"), _option(config, "--protocol")
    return lambda t: model in (None, t.model) and protocol in (None, t.protocol)


def _matches_nothing(config) -> pytest.UsageError:
    model, protocol = _option(config, "--model"), _option(config, "--protocol")
    return pytest.UsageError(
        f"the selection (-k {config.option.keyword or '-'}, --model {model or '-'}, --protocol "
        f"{protocol or '-'}) matches no gated evaluation; the gated ones (golden/accuracy.yaml): "
        + ", ".join(t.id for t in gated_targets())
    )


def pytest_configure(config):  # before the root conftest's, which starts TensorFlow; -k later
    if config.option.markexpr != "gpu":
        return
    if _option(config, "--weights") and not _option(config, "--model"):
        raise pytest.UsageError("--weights needs --model: the weights file of which model?")
    if not any(map(_wanted(config), gated_targets())):
        raise _matches_nothing(config)


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected theirs
def pytest_collection_modifyitems(config, items):
    if config.option.markexpr != "gpu":
        return
    wanted = _wanted(config)
    targets = [i.callspec.params["target"] for i in items if "target" in i.fixturenames]
    models = {t.model for t in targets if wanted(t)}
    kept, dropped = [], []
    for item in items:
        if "target" in item.fixturenames:
            keep = wanted(item.callspec.params["target"])
        else:  # the comparison of the two IRv2 files runs where both models are evaluated
            keep = CONVERSION not in item.name or set(CONVERTED) <= models
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if not any("target" in getattr(item, "fixturenames", ()) for item in items):
        raise _matches_nothing(config)


def _path(value):
    return Path(value).expanduser() if value else None


@pytest.fixture(scope="session")
def settings(request) -> SimpleNamespace:
    """The job's settings, each None where neither an option nor the environment gives one."""

    option = functools.partial(_option, request.config)
    data_dir = option("--data-dir") or os.environ.get("IMAGENET_DATA_DIR")
    return SimpleNamespace(
        model=option("--model"),
        manual_dir=_path(option("--manual-dir") or os.environ.get("IMAGENET_MANUAL_DIR")),
        data_dir=_path(data_dir) or default_data_dir(),  # $TFDS_DATA_DIR, as `eval`
        weights=_path(option("--weights")),
        blacklist=_path(option("--blacklist") or os.environ.get("IMAGENET_BLACKLIST")),
        limit=option("--limit"),
        batch_size=option("--batch-size"),
        out=_path(option("--out")),
    )


@pytest.fixture(scope="session")
def selected(request) -> list[Target]:
    """The targets this session runs, in order."""
    seen = [i.callspec.params["target"] for i in request.session.items if hasattr(i, "callspec")]
    return list(dict.fromkeys(t for t in seen if isinstance(t, Target)))
