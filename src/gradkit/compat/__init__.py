"""Run code written for PyTorch (torch, torchvision, ``d2l.torch``) or MXNet/Gluon on gradkit.

Two ways in:

* ``python -m gradkit.compat script.py [args]`` runs a program unmodified;
* ``gradkit.compat.install()`` / ``uninstall()`` (or ``with gradkit.compat.installed():``) make
  ``import torch`` mean gradkit in a notebook.

``from d2l import torch as d2l`` is gradkit's own ``d2l`` (both editions), unless
``install(d2l="package")`` / ``--real-d2l`` leaves ``d2l`` to an installed d2l package (1.0.3),
which then imports gradkit as its torch. ``benchmarks/run_book_notebooks.py`` runs a folder of
notebooks this way in real Jupyter kernels (``gradkit.compat._notebook``).

The aliases exist only while installed: a real torch, imported before or after, is left as it
was. What gradkit does not implement raises ``NotImplementedError`` naming the API
(``torch.nn.Conv2d is not implemented in gradkit``) where the program names it.
``gradkit.compat.mxnet`` is the Gluon facade that ``import mxnet`` gets under the runner.

What it cannot do, and why:

* APIs gradkit lacks (convolutions, ``torch.fft``, CUDA, ``torchvision.models``...) raise
  ``NotImplementedError``: gradkit covers D2L chapters 2–4. Missing *tensor methods* are
  gradkit's own ``AttributeError``: only module attributes go through the aliases.
* Printed types say ``gradkit.Size([...])`` / ``gradkit.float32`` where torch says ``torch.``;
  ``torch.__version__`` is gradkit's, so version checks in a script may take another branch.
* Random numbers come from gradkit's generator: a run matches printed figures within the
  noise of another seed, never digit for digit.
* Names bound before ``install()`` (a notebook's ``torch``) stay the real torch; modules
  imported while installed keep gradkit afterwards (``run_path`` forgets those from the
  script's own folder, as a new process would).
* MXNet: only what D2L chapters 2–3 use (``nd``, ``autograd``, ``gluon.nn`` Dense/Sequential,
  losses, ``Trainer`` with 'sgd'/'adam', ``gluon.data`` arrays); no ``gluon.data.vision``,
  saving, contexts other than ``cpu()``; ``hybridize`` does nothing.

Example:
    >>> import gradkit.compat
    >>> with gradkit.compat.installed():
    ...     import torch
    ...     from torch import nn
    ...     nn.Sequential(nn.Flatten(), nn.Linear(784, 10))(torch.ones(2, 1, 28, 28)).shape
    gradkit.Size([2, 10])
"""
from __future__ import annotations

import importlib
from typing import Any

from ._errors import UnsupportedAPIError, UnsupportedModuleError
from ._install import install, installed, is_installed, uninstall
from ._runner import main, run_module, run_path

__all__ = ["install", "uninstall", "installed", "is_installed", "run_path", "run_module", "main",
           "UnsupportedAPIError", "UnsupportedModuleError", "mxnet"]


def __getattr__(name: str) -> Any:
    # The Gluon facade loads on first use: most programs are PyTorch ones.
    if name == "mxnet":
        return importlib.import_module(".mxnet", __name__)
    raise AttributeError(f"module 'gradkit.compat' has no attribute '{name}'")
