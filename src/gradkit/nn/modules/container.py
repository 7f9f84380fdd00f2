"""Containers: ``Sequential`` (a chain of modules) and ``ModuleList`` (a list of modules).

Example:
    >>> net = gradkit.nn.Sequential(gradkit.nn.Flatten(), gradkit.nn.Linear(784, 10))
    >>> net[1]
    Linear(in_features=784, out_features=10, bias=True)
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Any, Iterable, Iterator

from .module import Module, _addindent

__all__ = ["Sequential", "ModuleList"]


def _index(idx: int, length: int, kind: str) -> int:
    idx = operator.index(idx)  # a str or float index is a TypeError, as for a list
    if not -length <= idx < length:
        raise IndexError(f"index {idx} is out of range")
    return idx % length


class _NumberedModules(Module):
    """What Sequential and ModuleList share: children numbered "0", "1", ... kept contiguous,
    ``len``, iteration, ``append``, ``extend`` and ``del``."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __delitem__(self, idx: Any) -> None:
        keys = list(self._modules)
        targets = keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "")]]
        for key in targets:
            del self._modules[key]
        self._renumber(list(self._modules.values()))

    def _renumber(self, modules: list[Module]) -> None:
        """Make ``modules`` the children, numbered 0, 1, ... as PyTorch keeps them."""
        self._modules.clear()
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def append(self, module: Module) -> Any:
        """Add a module at the end; returns the container."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Any:
        """Add modules at the end; returns the container."""
        for module in modules:
            self.append(module)
        return self


class Sequential(_NumberedModules):
    """Modules applied in order: ``Sequential(a, b)(x) == b(a(x))``. Children are named
    ``"0"``, ``"1"``... (or by the keys of an ``OrderedDict``).

    Example:
        >>> net = gradkit.nn.Sequential(gradkit.nn.Linear(4, 8), gradkit.nn.ReLU(),
        ...                             gradkit.nn.Linear(8, 1))
        >>> net(gradkit.ones(2, 4)).shape
        gradkit.Size([2, 1])
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input: Any) -> Any:  # noqa: A002
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_index(idx, len(keys), "Sequential")]]

    def __setitem__(self, idx: int, module: Module) -> None:
        keys = list(self._modules)
        self.add_module(keys[_index(idx, len(keys), "Sequential")], module)

    def insert(self, index: int, module: Module) -> "Sequential":
        """Insert a module before position ``index``."""
        items = list(self._modules.values())
        n = len(items)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        items.insert(index % (n + 1) if index < 0 else index, module)
        self._renumber(items)
        return self

    def pop(self, key: int) -> Module:
        """Remove and return the module at ``key``."""
        module = self[key]
        del self[key]
        return module


class ModuleList(_NumberedModules):
    """A list of modules, registered so their parameters are found; indexable like a list.

    Example:
        >>> layers = gradkit.nn.ModuleList([gradkit.nn.Linear(4, 4) for _ in range(3)])
        >>> len(list(layers.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[str(_index(idx, len(self), "ModuleList"))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        return ModuleList(list(self) + list(other))

    def insert(self, index: int, module: Module) -> None:
        """Insert a module before position ``index``."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList has no forward: iterate over its modules")

    def __repr__(self) -> str:
        # PyTorch compresses runs of identical children: "(0-2): 3 x Linear(...)".
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list[Any]] = []
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            text = f"({start}): {r}" if start == end else \
                f"({start}-{end}): {end - start + 1} x {r}"
            lines.append(_addindent(text, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
