"""Shared test setup: every test starts from the same seeds and grad mode."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# Test files are imported with --import-mode=importlib (so two folders may both hold a
# test_training.py); the shared helpers (``oracle``, ``strategies``, a folder's own helper
# modules) are importable by name from any test folder.
_TESTS = Path(__file__).parent
for _folder in [_TESTS] + sorted(p for p in _TESTS.iterdir() if p.is_dir()):
    sys.path.insert(0, str(_folder))

import gradkit  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_state():
    # pytest restores the warning filters after collecting, which drops the filters gradkit
    # installs at import; put them back as they are in any program that imports gradkit.
    gradkit._ops.install_warning_filters()
    gradkit.manual_seed(0)
    np.random.seed(0)
    previous = gradkit.is_grad_enabled()
    default = gradkit.get_default_dtype()
    yield
    gradkit.set_grad_enabled(previous)
    gradkit.set_default_dtype(default)
