"""``AliasModule``: the module object that stands in ``sys.modules`` for ``torch``, ``torch.nn``...

It forwards attribute reads to its gradkit module, so ``torch.matmul is gradkit.matmul`` and
classes keep their identity (``isinstance(net, torch.nn.Module)`` works). Submodules come back as
alias modules too (``torch.nn`` is the alias of ``gradkit.nn``), so a missing name anywhere below
``torch`` raises :class:`UnsupportedAPIError` naming it. Attributes a program sets
(``torch.foo = 1``) stay on the alias and never leak into gradkit.

Example:
    >>> torch = AliasModule("torch", gradkit)
    >>> torch.zeros(2)
    tensor([0., 0.])
    >>> torch.arrange
    Traceback (most recent call last):
    UnsupportedAPIError: torch.arrange is not implemented in gradkit (did you mean torch.arange?)
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from ._aliases import ALIASES, alias_name
from ._errors import UnsupportedAPIError

__all__ = ["AliasModule"]


class AliasModule(ModuleType):
    """A module named like torch's that reads its attributes from a gradkit module.

    Args:
        name: the alias name, e.g. ``"torch.nn"``.
        target: the gradkit module, or ``None`` for an empty package (``d2l``).

    Example:
        >>> nn = AliasModule("torch.nn", gradkit.nn)
        >>> nn.Linear is gradkit.nn.Linear
        True
    """

    def __init__(self, name: str, target: ModuleType | None) -> None:
        super().__init__(name, getattr(target, "__doc__", None))
        self.__gradkit_target__ = target

    def __getattr__(self, name: str) -> Any:
        # Only reached when the alias's own __dict__ lacks the name.
        target = self.__dict__.get("__gradkit_target__")
        if name.startswith("__") and name.endswith("__"):
            # Dunders (``__version__``, ``__file__``) come from gradkit when it has them; a
            # missing one is a plain AttributeError, which is what introspection expects.
            if name == "__all__":
                return getattr(target, "__all__", [n for n in dir(target) if n[:1] != "_"])
            if target is None:
                raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
            return getattr(target, name)
        sub = f"{self.__name__}.{name}"
        if sub in ALIASES:
            return importlib.import_module(sub)
        try:
            value = getattr(target, name)
        except AttributeError:
            raise UnsupportedAPIError(sub, dir(target) if target is not None else ()) from None
        if isinstance(value, ModuleType):
            alias = alias_name(value.__name__)
            if alias is not None:
                return importlib.import_module(alias)
        return value

    def __dir__(self) -> list[str]:
        target = self.__dict__.get("__gradkit_target__")
        names = set(self.__dict__) | (set(dir(target)) if target is not None else set())
        # The alias's own bookkeeping is not torch's: dir(torch.distributions) lists the API.
        names.discard("__gradkit_target__")
        prefix = self.__name__ + "."
        names |= {k[len(prefix):] for k in ALIASES if k.startswith(prefix) and "." not in
                  k[len(prefix):]}
        return sorted(names)

    def __repr__(self) -> str:
        target = self.__dict__.get("__gradkit_target__")
        where = target.__name__ if target is not None else "empty package"
        return f"<module '{self.__name__}' (gradkit alias of {where})>"
