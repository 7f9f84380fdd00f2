"""Under the runner, ``print(type(x))`` reads as in the book: ``<class 'torch.Tensor'>``, and
``<class 'torch.nn.parameter.Parameter'>`` for zh 5.2's ``print(type(net[2].bias))``.

Python prints a class from its ``__module__``, so while the runner is installed the classes a
chapter prints the type of carry torch's module names; ``uninstall()`` gives them gradkit's back.
(A class shown as a cell's value goes through IPython's printer instead, which ``_ipython``
names the same way.) Under either name the class is the same object: ``isinstance`` and
``type(x) is torch.Tensor`` are unaffected.

Example:
    >>> with gradkit.compat.installed():
    ...     print(type(gradkit.zeros(1)))
    <class 'torch.Tensor'>
"""
from __future__ import annotations

from typing import Any

__all__ = ["use_torch_class_names", "restore_class_names"]

# class -> the module name it had before use_torch_class_names()
_renamed: dict[Any, str] = {}


def _torch_modules() -> dict[Any, str]:
    """Each class the book prints the type of, and torch's module of that class."""
    from ..nn.parameter import Parameter
    from ..tensor import Tensor

    return {Tensor: "torch", Parameter: "torch.nn.parameter"}


def use_torch_class_names() -> None:
    """Give the classes torch's module names (idempotent)."""
    for cls, module in _torch_modules().items():
        _renamed.setdefault(cls, cls.__module__)
        cls.__module__ = module


def restore_class_names() -> None:
    """Give the classes their gradkit module names back."""
    for cls, module in _renamed.items():
        cls.__module__ = module
    _renamed.clear()
