"""Atomic file writes: a temporary file beside the target, then a rename.

Readers never see a half-written file, and a failure or an interruption leaves the previous
file (or nothing) in place. Used for checkpoints, run metrics and figures.

Example:
    >>> atomic_write("runs/notes.txt", lambda temp: Path(temp).write_text("hello"))
"""
from __future__ import annotations

import os
import tempfile
from typing import Callable

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> str:
    """Create ``path`` through ``write(temp_path)`` and a rename, so that readers never see a
    half-written file and a failure leaves the previous file (or nothing) behind.

    The file gets the permissions of any new file (``0o666`` less the umask), not the
    owner-only ones of the temporary file.

    Example:
        >>> atomic_write("runs/notes.txt", lambda temp: Path(temp).write_text("hello"))
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    name, suffix = os.path.splitext(os.path.basename(path))
    handle, temp = tempfile.mkstemp(prefix=f".{name}-", suffix=suffix, dir=folder)
    os.close(handle)
    try:
        write(temp)
        with open(temp, "rb+") as written:
            os.fsync(written.fileno())  # the data is on disk before the rename makes it visible
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return path
