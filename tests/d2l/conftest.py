"""Shared fixtures of the book-toolkit tests: the torch oracle and closing figures."""
from __future__ import annotations

import socket
import sys
import urllib.request
from typing import Any

import pytest

from oracle import import_torch


@pytest.fixture
def torch() -> Any:
    """torch, or a skip; a failure under GRADKIT_REQUIRE_TORCH=1."""
    return import_torch()


@pytest.fixture(autouse=True)
def _close_figures():
    # Figures left open by one test would pile up (matplotlib warns past 20).
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")



@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("load_data_fashion_mnist tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    # The default root is "../data", relative to the current folder: make it hold nothing.
    work = tmp_path / "notebooks"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
