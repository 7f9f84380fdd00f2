"""Removable hook handles, shared by tensor hooks and module hooks (``torch.utils.hooks``).

Example:
    >>> handle = x.register_hook(lambda g: g * 2)
    >>> handle.remove()
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Callable

__all__ = ["RemovableHandle"]

_ids = itertools.count(1)


class RemovableHandle:
    """Returned by every ``register_*_hook``: ``remove()`` unregisters the hook; also a
    context manager that removes it on exit.

    Args:
        registry: the ordered dict the hook is stored in (hooks run in insertion order).
        hook: the callable.
        prepend: run this hook before those already registered.

    Example:
        >>> with net.register_forward_hook(lambda m, i, o: print(o.shape)):
        ...     net(X)
    """

    def __init__(self, registry: OrderedDict, hook: Callable[..., Any],
                 prepend: bool = False) -> None:
        self.id = next(_ids)
        self.registry = registry
        registry[self.id] = hook
        if prepend:
            registry.move_to_end(self.id, last=False)

    def remove(self) -> None:
        """Unregister the hook (removing twice is harmless)."""
        self.registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
