"""Settings of the real evaluation: the `eval` command's own options, else the environment.

    tox -e gpu-eval -- [-k EXPR] [--model ID] [--protocol P] [--manual-dir DIR] [--data-dir DIR]
                       [--weights PATH] [--blacklist FILE] [--limit N] [--batch-size N]
                       [--out FILE]

Every gated entry of golden/accuracy.yaml is evaluated by default, one test per (model,
protocol) pair, with test ids like `keras-inception-resnet-v2-slim`; `-k`, `--model` and
`--protocol` select some, and a selection that matches none is an error. --weights needs
--model.

Environment: IMAGENET_MANUAL_DIR (the folder holding ILSVRC2012_img_val.tar), IMAGENET_DATA_DIR
(the TFDS data dir; default, as for `eval`: $TFDS_DATA_DIR, else ~/tensorflow_datasets),
IMAGENET_BLACKLIST (optional: the ILSVRC2014 devkit's ILSVRC2014_clsloc_validation_blacklist.txt),
KERAS_HOME (where the released weights and checkpoints are cached, in models/).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from inception_repro.evaluate import report
from inception_repro.evaluate.config import default_data_dir

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "accuracy.yaml"
OPTIONS = {
    "--model": None,
    "--protocol": None,
    "--manual-dir": None,
    "--data-dir": None,
    "--weights": None,
    "--blacklist": None,
    "--limit": None,
    "--batch-size": None,
    "--out": None,
}


def pytest_addoption(parser):
    group = parser.getgroup("gpu-eval", "the real ImageNet evaluation (tests/gpu)")
    for name, default in OPTIONS.items():
        group.addoption(name, default=default, help=f"as for inception-repro eval {name}")


@dataclass(frozen=True)
class Target:
    """One evaluation: a model with its released weights, under one protocol."""

    model: str
    protocol: str

    @property
    def id(self) -> str:
        return f"{self.model}-{self.protocol}"


def gated_targets() -> list[Target]:
    """Every (model, protocol) pair of a gated entry of golden/accuracy.yaml, in file order."""
    pairs = [(r.model, r.protocol) for r in report.load_reported(GOLDEN) if r.gated]
    return [Target(m, p) for m, p in dict.fromkeys(pairs)]


def pytest_generate_tests(metafunc):
    if "target" in metafunc.fixturenames:
        targets = gated_targets()
        metafunc.parametrize("target", targets, ids=[t.id for t in targets], scope="session")


CONVERSION = "test_keras_file_is_the_slim_checkpoint_converted"
CONVERTED = ("keras-inception-resnet-v2", "slim-inception-resnet-v2")


def _option(config, name):
    # The options exist when pytest starts in tests/gpu (tox -e gpu-eval); else defaults.
    return config.getoption(name, default=OPTIONS[name])


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected theirs
def pytest_collection_modifyitems(config, items):
    if config.option.markexpr != "gpu":
        return
    model, protocol = _option(config, "--model"), _option(config, "--protocol")

    def wanted(target):
        return model in (None, target.model) and protocol in (None, target.protocol)

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
        gated = ", ".join(t.id for t in gated_targets())
        raise pytest.UsageError(
            f"the selection (-k {config.option.keyword or '-'}, --model {model or '-'}, "
            f"--protocol {protocol or '-'}) matches no gated evaluation; the gated ones "
            f"(golden/accuracy.yaml): {gated}"
        )


@dataclass(frozen=True)
class Settings:
    model: str | None
    manual_dir: Path | None
    data_dir: Path
    weights: Path | None
    blacklist: Path | None
    limit: int | None
    batch_size: int | None
    out: Path | None


def _path(value):
    return Path(value).expanduser() if value else None


@pytest.fixture(scope="session")
def settings(request) -> Settings:
    def option(name):
        return _option(request.config, name)

    if option("--weights") and not option("--model"):
        pytest.fail("--weights needs --model: the weights file of which model?", False)
    data_dir = option("--data-dir") or os.environ.get("IMAGENET_DATA_DIR")
    return Settings(
        model=option("--model"),
        manual_dir=_path(option("--manual-dir") or os.environ.get("IMAGENET_MANUAL_DIR")),
        data_dir=_path(data_dir) or default_data_dir(),  # $TFDS_DATA_DIR, as `eval`
        weights=_path(option("--weights")),
        blacklist=_path(option("--blacklist") or os.environ.get("IMAGENET_BLACKLIST")),
        limit=int(option("--limit")) if option("--limit") else None,
        batch_size=int(option("--batch-size")) if option("--batch-size") else None,
        out=_path(option("--out")),
    )


@pytest.fixture(scope="session")
def selected(request) -> list[Target]:
    """The targets this session runs, in order."""
    seen = [i.callspec.params["target"] for i in request.session.items if hasattr(i, "callspec")]
    return list(dict.fromkeys(t for t in seen if isinstance(t, Target)))
