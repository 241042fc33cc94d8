"""Paths the user gives: checked before the work, written all or nothing.

A result is written to a temporary file beside its target and renamed into place, so a
reader sees the old file or the whole new one, never half of one; a failed write leaves
nothing behind. The checks run before the expensive work, so that a path that cannot be
written is reported in one line before hours of evaluation rather than after.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path

from inception_repro.errors import UsageError


def write_text(path, text: str) -> Path:
    """Write `text` to `path` all or nothing (a temporary file in its folder, renamed), with the
    mode open(path, "w") would give it: an existing file's own, else the umask's."""
    return _write(path, lambda f: f.write(text.encode("utf8")))


def copy_in(path, source) -> Path:
    """Copy the readable binary file `source` (a member of an archive) to `path`, as
    write_text writes: a copy cut short leaves `path` as it was and no temporary file."""
    return _write(path, lambda f: shutil.copyfileobj(source, f))


def _write(path, fill) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            if path.exists():
                os.fchmod(f.fileno(), stat.S_IMODE(path.stat().st_mode))
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _existing_ancestor(path: Path) -> Path:
    for folder in path.absolute().parents:
        if folder.exists():
            return folder
    return Path(path.absolute().anchor)


def _can_write_in(folder: Path) -> bool:
    """Whether a file can be made in `folder`: tried, as permissions, a read-only file system
    and the super-user all decide it."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".inception-repro-probe.")
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def _check_creatable(path: Path, option: str, what: str) -> None:
    """A UsageError unless the folders missing above `path` can be made and `path` written."""
    ancestor = _existing_ancestor(path)
    if not ancestor.is_dir():
        raise UsageError(
            f"{option} {path}: {ancestor} is a file, not a folder: give a {what} in a folder"
        )
    if not _can_write_in(ancestor):
        raise UsageError(
            f"{option} {path}: cannot write in {ancestor} (permission denied): give a {what} "
            "in a folder you can write to"
        )


def check_output_file(path, option: str) -> None:
    """A UsageError unless `path` can be written as a file (an existing file is replaced)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(
            f"{option} {path} is a folder: give a file name, for example {path / 'results.json'}"
        )
    _check_creatable(path, option, "file")


def check_output_dir(path, option: str, *, inside: str | None = None) -> None:
    """A UsageError unless `path` is, or can be made, a folder that can be written in, and
    (when given) its file `inside` can be written as a file."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path} is a file, not a folder: give a folder")
    if not path.is_dir():
        _check_creatable(path, option, "folder")
    elif not _can_write_in(path):
        raise UsageError(
            f"{option} {path}: cannot write in it (permission denied): give a folder you can "
            "write to"
        )
    if inside is not None and (path / inside).is_dir():
        raise UsageError(
            f"{option} {path}: {path / inside} is a folder: remove it, or give another folder"
        )
