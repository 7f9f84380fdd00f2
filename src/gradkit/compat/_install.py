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
from ._aliases import is_managed, set_real_d2l
from ._class_names import restore_class_names, use_torch_class_names
from ._ipython import install_ipython_support, uninstall_ipython_support
from ._finder import AliasFinder

__all__ = ["install", "uninstall", "installed", "is_installed"]

_FINDER = AliasFinder()
_previous_display_name = "gradkit"
_saved: dict[str, ModuleType] | None = None  # set aside by install(); None when not installed
_d2l_choice = "gradkit"  # the d2l of the current installation
_D2L_CHOICES = ("gradkit", "package")


def is_installed() -> bool:
    """True between ``install()`` and ``uninstall()``.

    Example:
        >>> is_installed()
        False
    """
    return _saved is not None


def install(d2l: str = "gradkit") -> None:
    """Make ``import torch`` (torchvision, d2l.torch, mxnet) import gradkit, until ``uninstall()``.

    Installing twice with the same ``d2l`` is harmless (the second call does nothing).

    Args:
        d2l: ``"gradkit"`` (the default): ``from d2l import torch as d2l`` is ``gradkit.d2l``,
            which serves both editions. ``"package"``: ``d2l`` is left to the real d2l package
            installed beside gradkit (1.0.3 for the English edition), which then imports
            torch, torchvision and friends as gradkit; a fresh copy of it is imported, and the
            one imported before (if any) comes back at ``uninstall()``.

    Raises:
        ValueError: ``d2l`` is neither, or differs from that of the installation in place.

    Example:
        >>> gradkit.compat.install()
        >>> import torch, torchvision
        >>> torch.nn.Linear(2, 1)
        Linear(in_features=2, out_features=1, bias=True)
    """
    global _saved, _d2l_choice
    if d2l not in _D2L_CHOICES:
        raise ValueError(f"install(d2l={d2l!r}): choose 'gradkit' (gradkit's own d2l) or "
                         "'package' (the installed d2l package, on gradkit)")
    if _saved is not None:
        if d2l != _d2l_choice:
            raise ValueError(f"gradkit.compat is installed with d2l={_d2l_choice!r}; call "
                             f"uninstall() before installing with d2l={d2l!r}")
        return
    _d2l_choice = d2l
    set_real_d2l(d2l == "package")
    _saved = {name: module for name, module in sys.modules.items() if is_managed(name)}
    for name in _saved:
        del sys.modules[name]
    sys.meta_path.insert(0, _FINDER)
    install_ipython_support()
    # Under the runner a program's output reads as the book's: torch.float32, torch.Size([2]).
    global _previous_display_name
    _previous_display_name = set_display_name("torch")
    use_torch_class_names()  # and print(type(x)): <class 'torch.Tensor'>


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
    restore_class_names()
    for name in [name for name in sys.modules if is_managed(name)]:
        del sys.modules[name]
    sys.modules.update(_saved)
    _saved = None
    set_real_d2l(False)


@contextlib.contextmanager
def installed(d2l: str = "gradkit") -> Iterator[None]:
    """The aliases for the duration of a ``with`` block (nested blocks keep the outer ones);
    ``d2l`` as for :func:`install`.

    Example:
        >>> with gradkit.compat.installed():
        ...     from d2l import torch as d2l
        ...     d2l.synthetic_data
        <function synthetic_data at ...>
    """
    outer = is_installed()
    install(d2l)
    try:
        yield
    finally:
        if not outer:
            uninstall()
