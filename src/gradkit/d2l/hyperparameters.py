"""The English edition's (d2l 1.0.3) object-oriented glue: ``add_to_class`` (define a class
over several cells) and ``HyperParameters`` (keep ``__init__``'s arguments as attributes).

Example:
    >>> class B(d2l.HyperParameters):
    ...     def __init__(self, a, b):
    ...         self.save_hyperparameters()
    >>> B(1, 2).b
    2
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

__all__ = ["add_to_class", "HyperParameters"]


def add_to_class(Class: type) -> Callable[[Callable[..., Any]], None]:
    """Register the decorated function as a method of ``Class`` (after the class was made).

    The book writes a class over several cells this way. As in the book, the decorator returns
    None, so the function's name is not kept in the cell's namespace.

    Example:
        >>> @d2l.add_to_class(A)
        ... def do(self): print('Class attribute "a" is', self.a)
    """
    def wrapper(obj: Callable[..., Any]) -> None:
        setattr(Class, obj.__name__, obj)

    return wrapper


class HyperParameters:
    """The base class of hyperparameters: ``save_hyperparameters`` keeps ``__init__``'s
    arguments as attributes.

    Example:
        >>> class B(d2l.HyperParameters):
        ...     def __init__(self, a, b, c):
        ...         self.save_hyperparameters(ignore=['c'])
        >>> B(1, 2, 3).a, hasattr(B(1, 2, 3), 'c')
        (1, False)
    """

    def save_hyperparameters(self, ignore: Sequence[str] = []) -> None:  # noqa: B006 (the book's)
        """Save the calling function's arguments (its local variables when called first thing
        in ``__init__``) as attributes and in ``self.hparams``, except ``self``, the names in
        ``ignore`` and names starting with ``_``."""
        frame = inspect.currentframe().f_back  # type: ignore[union-attr]
        try:
            local_vars = dict(frame.f_locals)  # type: ignore[union-attr]
        finally:
            del frame  # no reference cycle through the frame
        skip = set(ignore) | {"self"}
        self.hparams = {k: v for k, v in local_vars.items()
                        if k not in skip and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)
