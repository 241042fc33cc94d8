"""golden/ ships inside the package: every file of it is in the wheel's package data, and the
package reads it through inception_repro.pinned (tools/installed_wheel.sh, the gate's `wheel`
job, runs every command from an installed wheel)."""

import fnmatch
import tomllib
from pathlib import Path

from inception_repro.pinned import golden_file

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def shipped(path: Path) -> bool:
    """Whether setuptools puts this file of golden/ into the wheel (pyproject.toml)."""
    package = ".".join(["inception_repro.golden", *path.relative_to(ROOT / "golden").parts[:-1]])
    globs = SETUPTOOLS["package-data"].get(package, [])
    is_module = path.suffix == ".py"
    return package in SETUPTOOLS["packages"] and (
        is_module or any(fnmatch.fnmatch(path.name, g) for g in globs)
    )


def test_every_golden_file_is_in_the_wheel():
    files = [
        p for p in (ROOT / "golden").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(files) > 40
    assert [p.relative_to(ROOT) for p in files if not shipped(p)] == []
    assert SETUPTOOLS["package-dir"]["inception_repro.golden"] == "golden"


def test_a_file_outside_the_globs_would_not_be():
    assert not shipped(ROOT / "golden" / "models" / "notes.md")
    assert not shipped(ROOT / "golden" / "elsewhere" / "x.yaml")


def test_the_package_reads_the_files_of_golden():
    for name in ("accuracy.yaml", "checkpoints.yaml", "models/paper-inception-v4.json"):
        assert golden_file(*name.split("/")).read_bytes() == (ROOT / "golden" / name).read_bytes()
