"""Shared setup of the compat tests: a working folder laid out as the notes expect, and a
helper that runs a fixture program through the runner and returns its output and globals.

The notes load Fashion-MNIST with ``download=True`` from ``../data`` (and one from a Windows
folder, ``C:/Users/xinyu/Desktop/myjupyter/data``, which is a relative path here). The tests
put the bundled files there, as a user who has downloaded them would have them, so nothing is
fetched and nothing is written into the repository.
"""
from __future__ import annotations

import contextlib
import io
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # the notes draw figures; never open a window

from compat_support import PROGRAMS
from gradkit.compat._notebook import link_fashion_mnist


@pytest.fixture(scope="session")
def book_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``<tmp>/work``, with ``../data`` and the note's Windows data folder holding the data."""
    root = tmp_path_factory.mktemp("book")
    work = root / "work"
    link_fashion_mnist(root / "data" / "FashionMNIST" / "raw")
    link_fashion_mnist(work / "C:" / "Users" / "xinyu" / "Desktop" / "myjupyter" / "data" /
                  "FashionMNIST" / "raw")
    return work


@pytest.fixture
def run_program(book_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run ``programs/<name>.py`` with ``gradkit.compat.run_path`` from the book folder.

    ``replace`` maps exact source lines to their short-test versions (``num_epochs = 10`` to
    ``num_epochs = 2``); each must occur exactly once. Returns ``(stdout, globals)``.
    """
    from gradkit import compat

    monkeypatch.chdir(book_folder)
    # gradkit's Animator saves its figure to a temporary file outside notebooks: keep those
    # files in the test's folder.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    random.seed(0)

    def run(name: str, replace: dict[str, str] | None = None,
            args: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
        path = PROGRAMS / f"{name}.py"
        if replace:
            source = path.read_text(encoding="utf-8")
            for old, new in replace.items():
                assert source.count(old) == 1, f"{old!r} must occur once in {name}.py"
                source = source.replace(old, new)
            path = tmp_path / f"{name}.py"
            path.write_text(source, encoding="utf-8")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = compat.run_path(path, list(args))
        return out.getvalue(), result

    yield run
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
