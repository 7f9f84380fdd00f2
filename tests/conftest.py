"""Shared test setup: every test starts from the same seeds and grad mode."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# Make ``tests/oracle.py`` importable as ``oracle`` from any test folder.
sys.path.insert(0, str(Path(__file__).parent))

import gradkit  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_state():
    gradkit.manual_seed(0)
    np.random.seed(0)
    previous = gradkit.is_grad_enabled()
    default = gradkit.get_default_dtype()
    yield
    gradkit.set_grad_enabled(previous)
    gradkit.set_default_dtype(default)
