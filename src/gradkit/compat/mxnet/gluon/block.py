"""Gluon's ``Block`` (and ``HybridBlock``, the same here): children, parameters, naming.

A block registers the blocks and parameters assigned to its attributes, names them with
MXNet's prefixes (``dense0_``, ``sequential1_``), collects them with ``collect_params()`` and
initializes them with ``initialize()``. Calling a block runs ``forward`` on NDArrays.

Example:
    >>> class MLP(nn.Block):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.hidden = nn.Dense(256, activation='relu')
    ...         self.output = nn.Dense(10)
    ...     def forward(self, x):
    ...         return self.output(self.hidden(x))
"""
from __future__ import annotations

import contextlib
from collections import OrderedDict, defaultdict
from typing import Any, Callable, Iterator

from ..initializer import Uniform
from .parameter import Parameter, ParameterDict

__all__ = ["Block", "HybridBlock"]

_name_counts: defaultdict[str, int] = defaultdict(int)


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


class Block:
    """Base class of Gluon layers and models.

    Args:
        prefix: the name prefix of its parameters (default: class name + count, ``dense0_``).
        params: accepted for compatibility (shared parameters are not supported).

    Example:
        >>> net = nn.Sequential(); net.add(nn.Dense(1))
        >>> net.initialize(); net(nd.ones((2, 4))).shape
        (2, 1)
    """

    def __init__(self, prefix: str | None = None, params: Any = None) -> None:
        object.__setattr__(self, "_children", OrderedDict())
        object.__setattr__(self, "_reg_params", OrderedDict())
        if prefix is None:
            base = type(self).__name__.lower()
            prefix = f"{base}{_name_counts[base]}_"
            _name_counts[base] += 1
        object.__setattr__(self, "_prefix", prefix)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Block):
            self._children[name] = value
        elif isinstance(value, Parameter):
            self._reg_params[name] = value
        object.__setattr__(self, name, value)

    @property
    def prefix(self) -> str:
        """The parameter name prefix, e.g. ``'dense0_'``."""
        return self._prefix

    @property
    def name(self) -> str:
        """The prefix without its trailing underscore."""
        return self._prefix[:-1] if self._prefix.endswith("_") else self._prefix

    @property
    def params(self) -> ParameterDict:
        """This block's own parameters (not its children's)."""
        return ParameterDict(self._prefix, [(p.name, p) for p in self._reg_params.values()])

    def name_scope(self) -> contextlib.AbstractContextManager:
        """Accepted for compatibility; names do not depend on scopes here."""
        return contextlib.nullcontext()

    def register_child(self, block: "Block", name: str | None = None) -> None:
        """Add a child block (under ``name``, default its position)."""
        self._children[name if name is not None else str(len(self._children))] = block

    def collect_params(self, select: str | None = None) -> ParameterDict:
        """All parameters of this block and its children, in order (``select``: a regex).

        Example:
            >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03})
        """
        collected = ParameterDict(self._prefix)
        for param in self._reg_params.values():
            collected._params.setdefault(param.name, param)
        for child in self._children.values():
            collected.update(child.collect_params())
        return collected.select(select)

    def initialize(self, init: Any = None, ctx: Any = None, verbose: bool = False,
                   force_reinit: bool = False) -> None:
        """Initialize all parameters with ``init`` (default ``init.Uniform()``); the ones whose
        shape depends on the input are initialized at the first forward pass.

        Example:
            >>> net.initialize(init.Normal(sigma=0.01))
        """
        self.collect_params().initialize(init if init is not None else Uniform(), ctx, verbose,
                                         force_reinit)

    def apply(self, fn: Callable[["Block"], Any]) -> "Block":
        """Call ``fn`` on every child (recursively), then on this block."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    def hybridize(self, active: bool = True, **kwargs: Any) -> None:
        """Accepted for compatibility: gradkit always runs imperatively."""

    def __call__(self, *args: Any) -> Any:
        return self.forward(*args)

    def forward(self, *args: Any) -> Any:
        """The computation; subclasses define it on NDArrays."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def _children_blocks(self) -> Iterator["Block"]:
        return iter(self._children.values())

    def __repr__(self) -> str:
        lines = [f"  ({key}): {_indent(repr(block), 2)}" for key, block in
                 self._children.items()]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


HybridBlock = Block
