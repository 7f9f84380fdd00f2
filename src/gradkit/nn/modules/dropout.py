"""``Dropout``: randomly zero activations while training (chapter 4.6).

Example:
    >>> gradkit.nn.Dropout(0.5)
    Dropout(p=0.5, inplace=False)
"""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and scale the others by
    ``1/(1−p)`` so the expected value is unchanged; in eval mode, the identity.

    Shape: any, unchanged.

    Example:
        >>> d = gradkit.nn.Dropout(0.5)
        >>> d.eval()(gradkit.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
