"""Where the pinned files are: golden/ at the top of the source tree, shipped inside the package
as `inception_repro.golden` (pyproject.toml maps the folder there), so that a wheel installed
anywhere reads the same files as a source checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def golden_file(*parts: str) -> Path:
    """A file under golden/, e.g. golden_file("accuracy.yaml")."""
    return Path(str(importlib.resources.files("inception_repro.golden").joinpath(*parts)))
