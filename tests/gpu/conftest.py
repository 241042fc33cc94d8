"""Settings of the real evaluation: the `eval` command's own options, else the environment.

    tox -e gpu-eval -- [--model ID] [--protocol P] [--manual-dir DIR] [--data-dir DIR]
                       [--weights PATH] [--blacklist FILE] [--limit N] [--batch-size N]
                       [--out FILE]

Environment: IMAGENET_MANUAL_DIR (the folder holding ILSVRC2012_img_val.tar), IMAGENET_DATA_DIR
(the TFDS data dir; default, as for `eval`: $TFDS_DATA_DIR, else ~/tensorflow_datasets),
IMAGENET_BLACKLIST (optional: the ILSVRC2014 devkit's ILSVRC2014_clsloc_validation_blacklist.txt),
KERAS_HOME (where the released weights are cached, in models/). Without --protocol every
protocol is evaluated and gated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES
from inception_repro.evaluate.config import default_data_dir

OPTIONS = {
    "--model": "keras-inception-resnet-v2",
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
class Settings:
    model: str
    protocols: tuple[str, ...]
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
        # The options exist when pytest starts in tests/gpu (tox -e gpu-eval); else defaults.
        return request.config.getoption(name, default=OPTIONS[name])

    protocol = option("--protocol")
    data_dir = option("--data-dir") or os.environ.get("IMAGENET_DATA_DIR")
    return Settings(
        model=option("--model"),
        protocols=(protocol,) if protocol else PROTOCOL_NAMES,
        manual_dir=_path(option("--manual-dir") or os.environ.get("IMAGENET_MANUAL_DIR")),
        data_dir=_path(data_dir) or default_data_dir(),  # $TFDS_DATA_DIR, as `eval`
        weights=_path(option("--weights")),
        blacklist=_path(option("--blacklist") or os.environ.get("IMAGENET_BLACKLIST")),
        limit=int(option("--limit")) if option("--limit") else None,
        batch_size=int(option("--batch-size")) if option("--batch-size") else None,
        out=_path(option("--out")),
    )
