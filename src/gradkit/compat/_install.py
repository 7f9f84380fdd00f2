"""Install and remove the import aliases, leaving any real torch exactly as it was.

``install()`` sets aside every ``sys.modules`` entry under the aliased roots (a real ``torch``
imported earlier, with all its submodules) and puts the alias finder first on
``sys.meta_path``. ``uninstall()`` drops every alias entry made since and puts the set-aside
entries back, so code outside the run sees the same module objects as before.

What cannot be undone: names a program bound while installed (``torch`` in a notebook cell,
``import torch`` at the top of a helper module) keep pointing at gradkit after ``uninstall()``,
and names bound before ``install()`` keep pointing at the real torch.

Example:
    >>> with installed():
    ...     import torch
    ...     torch.ones(2).sum()
    tensor(2.)
"""
from __future__ import annotations

import contextlib
import sys
from types import ModuleType
from typing import Iterator

from .._dtype import set_display_name
from ._aliases import is_aliased
from ._ipython import install_ipython_support, uninstall_ipython_support
from ._finder import AliasFinder

__all__ = ["install", "uninstall", "installed", "is_installed"]

_FINDER = AliasFinder()
_previous_display_name = "gradkit"
_saved: dict[str, ModuleType] | None = None  # set aside by install(); None when not installed


def is_installed() -> bool:
    """True between ``install()`` and ``uninstall()``.

    Example:
        >>> is_installed()
        False
    """
    return _saved is not None


def install() -> None:
    """Make ``import torch`` (torchvision, d2l.torch, mxnet) import gradkit, until ``uninstall()``.

    Installing twice is harmless (the second call does nothing).

    Example:
        >>> gradkit.compat.install()
        >>> import torch, torchvision
        >>> torch.nn.Linear(2, 1)
        Linear(in_features=2, out_features=1, bias=True)
    """
    global _saved
    if _saved is not None:
        return
    _saved = {name: module for name, module in sys.modules.items() if is_aliased(name)}
    for name in _saved:
        del sys.modules[name]
    sys.meta_path.insert(0, _FINDER)
    install_ipython_support()
    # Under the runner a program's output reads as the book's: torch.float32, torch.Size([2]).
    global _previous_display_name
    _previous_display_name = set_display_name("torch")


def uninstall() -> None:
    """Remove the aliases and restore the modules ``install()`` set aside.

    Example:
        >>> gradkit.compat.uninstall()
        >>> import torch   # the real one again, if it is installed
    """
    global _saved
    if _saved is None:
        return
    while _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    uninstall_ipython_support()
    set_display_name(_previous_display_name)
    for name in [name for name in sys.modules if is_aliased(name)]:
        del sys.modules[name]
    sys.modules.update(_saved)
    _saved = None


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The aliases for the duration of a ``with`` block (nested blocks keep the outer ones).

    Example:
        >>> with gradkit.compat.installed():
        ...     from d2l import torch as d2l
        ...     d2l.synthetic_data
        <function synthetic_data at ...>
    """
    outer = is_installed()
    install()
    try:
        yield
    finally:
        if not outer:
            uninstall()
