"""``Size``: a tensor's shape, a tuple that prints like PyTorch's ``torch.Size``.

Example:
    >>> gradkit.zeros(3, 4).shape
    gradkit.Size([3, 4])
"""
from __future__ import annotations

from typing import Any


class Size(tuple):
    """The shape of a tensor: a tuple of ints.

    Example:
        >>> s = gradkit.Size([3, 4])
        >>> s[0], s.numel(), s[1:]
        (3, 12, gradkit.Size([4]))
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> "Size":
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item: Any) -> Any:  # type: ignore[override]
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def __add__(self, other: Any) -> "Size":  # type: ignore[override]
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        from ._dtype import display_name

        return f"{display_name()}.Size([{', '.join(str(s) for s in self)}])"

    __str__ = __repr__
