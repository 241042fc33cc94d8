"""What one evaluation run is asked to do, and the checks that need no TensorFlow."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from inception_repro import registry
from inception_repro.errors import UsageError
from inception_repro.evaluate import PROTOCOL_NAMES


def default_data_dir() -> Path:
    """The TFDS data dir when none is given: $TFDS_DATA_DIR, else ~/tensorflow_datasets (as
    TFDS itself). `eval` and the GPU gate (tests/gpu) both ask here."""
    return Path(os.environ.get("TFDS_DATA_DIR") or Path.home() / "tensorflow_datasets")


@dataclass(frozen=True)
class EvalConfig:
    model_id: str
    data_dir: Path
    manual_dir: Path | None = None
    weights: Path | None = None
    protocol: str = "slim"
    batch_size: int | None = None
    limit: int | None = None
    blacklist: Path | None = None
    allow_cpu: bool = False
    progress: bool = True


def check(cfg: EvalConfig) -> None:
    """Reject bad arguments before any data, weights or TensorFlow is touched."""
    registry.entry(cfg.model_id)  # an unknown id: the error lists the known ones
    if cfg.limit is not None and cfg.limit < 1:
        raise UsageError(
            f"--limit {cfg.limit}: give a positive number of images (validation images 1..N), "
            "or leave --limit out to evaluate all of them"
        )
    if cfg.batch_size is not None and cfg.batch_size < 1:
        raise UsageError(f"--batch-size {cfg.batch_size}: give a positive batch size")
    if cfg.protocol not in PROTOCOL_NAMES:
        raise UsageError(
            f"unknown protocol {cfg.protocol!r}; choose one of: {', '.join(PROTOCOL_NAMES)}"
        )
    data_dir = Path(cfg.data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise UsageError(f"--data-dir {data_dir} is a file, not a folder: give a folder")
