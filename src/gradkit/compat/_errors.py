"""The errors the alias modules raise for what gradkit does not implement.

A missing API must fail where the user's code names it, with the full torch/mxnet name, not
as an ``AttributeError`` from deep inside gradkit. The error classes are ``NotImplementedError``
subclasses; they also derive from ``AttributeError`` (attributes) or ``ModuleNotFoundError``
(submodules) so that probes such as ``hasattr(torch, "compile")``, ``getattr(x, name, default)``
and ``try: import torch.cuda except ImportError`` keep working as they do against real torch.

Example:
    >>> raise UnsupportedAPIError("torch.nn.Conv2d")
    Traceback (most recent call last):
    gradkit.compat.UnsupportedAPIError: torch.nn.Conv2d is not implemented in gradkit
"""
from __future__ import annotations

import difflib
from typing import Iterable

__all__ = ["UnsupportedAPIError", "UnsupportedModuleError", "not_implemented_message"]


def not_implemented_message(api: str, known: Iterable[str] = ()) -> str:
    """The message for a missing API, with a close name if there is one (``torch.arrange``).

    Args:
        api: the full dotted name the user wrote, e.g. ``"torch.arrange"``.
        known: names that do exist in the same module, for a "did you mean" hint.

    Example:
        >>> not_implemented_message("torch.arrange", ["arange", "tensor"])
        'torch.arrange is not implemented in gradkit (did you mean torch.arange?)'
    """
    parent, _, name = api.rpartition(".")
    message = f"{api} is not implemented in gradkit"
    close = difflib.get_close_matches(name, [k for k in known if not k.startswith("_")], n=1,
                                      cutoff=0.8)
    if close:
        message += f" (did you mean {parent}.{close[0]}?)"
    return message


class UnsupportedAPIError(NotImplementedError, AttributeError):
    """An attribute of an alias module (``torch.nn.Conv2d``) that gradkit does not provide.

    Example:
        >>> try:
        ...     torch.nn.Conv2d
        ... except NotImplementedError as error:
        ...     print(error)
        torch.nn.Conv2d is not implemented in gradkit
    """

    def __init__(self, api: str, known: Iterable[str] = ()) -> None:
        super().__init__(not_implemented_message(api, known))
        self.api = api

    __module__ = "gradkit.compat"  # shown in tracebacks: the public name


class UnsupportedModuleError(NotImplementedError, ModuleNotFoundError):
    """A submodule of an alias package (``import torch.nn.modules.conv``) that gradkit lacks.

    ``name`` stays ``None`` on purpose: importlib silently skips a ``ModuleNotFoundError`` whose
    ``name`` is the module asked for in ``from torch.nn import Conv2d``, and the user would then
    get a bare "cannot import name" instead of this message.

    Example:
        >>> import torch.cuda.amp   # under the runner
        Traceback (most recent call last):
        gradkit.compat.UnsupportedModuleError: torch.cuda.amp is not implemented in gradkit
    """

    def __init__(self, api: str, known: Iterable[str] = ()) -> None:
        super().__init__(not_implemented_message(api, known))
        self.api = api

    __module__ = "gradkit.compat"  # shown in tracebacks: the public name
