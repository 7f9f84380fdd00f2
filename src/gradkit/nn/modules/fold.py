"""``Fold`` and ``Unfold``: images to sliding-block columns and back (``F.fold``/``F.unfold``).

Example:
    >>> gradkit.nn.Unfold(2)(gradkit.ones(1, 3, 4, 4)).shape
    gradkit.Size([1, 12, 9])
"""
from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


def _fold_repr(module: Module) -> str:
    return (f"kernel_size={module.kernel_size}, dilation={module.dilation}, "
            f"padding={module.padding}, stride={module.stride}")


class Unfold(Module):
    """Extract sliding blocks as columns (im2col).

    Shape:
        Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C·KH·KW, L)``, L the number of
        blocks, ``∏ ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1``.

    Example:
        >>> gradkit.nn.Unfold(kernel_size=(2, 3))(gradkit.ones(2, 5, 3, 4)).shape
        gradkit.Size([2, 30, 4])
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return _fold_repr(self)


class Fold(Module):
    """Sum sliding-block columns back into an image of ``output_size`` (col2im); entries of
    overlapping blocks add up, so ``Fold(Unfold(x))`` is ``x`` times each pixel's block count.

    Shape:
        Input ``(N, C·KH·KW, L)`` or ``(C·KH·KW, L)``; output ``(N, C, *output_size)``.

    Example:
        >>> gradkit.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(gradkit.ones(1, 12, 12)).shape
        gradkit.Size([1, 3, 4, 5])
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1,
                 padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, " + _fold_repr(self)
