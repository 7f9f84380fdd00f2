"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``.

Example:
    >>> gradkit.nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""
from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "MaxPool1d",
           "AvgPool1d"]


class MaxPool2d(Module):
    """The maximum over each ``kernel_size`` window.

    Args:
        kernel_size: int or ``(KH, KW)``.
        stride: default ``kernel_size``.
        padding: implicit −∞ padding, at most half the kernel (default 0).
        dilation: spacing of the window's elements (default 1).
        return_indices: also return the flat positions of the maxima.
        ceil_mode: round the output size up.

    Shape:
        Input ``(N, C, H, W)`` or ``(C, H, W)``; output ``(N, C, OH, OW)``,
        ``OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1``.

    Example:
        >>> gradkit.nn.MaxPool2d(2)(gradkit.zeros(1, 6, 28, 28)).shape
        gradkit.Size([1, 6, 14, 14])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                f", dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean over each ``kernel_size`` window.

    Args:
        kernel_size, stride, padding, ceil_mode: as ``MaxPool2d`` (zero padding).
        count_include_pad: padded zeros count in the divisor (default True).
        divisor_override: divide each window's sum by this instead.

    Example:
        >>> gradkit.nn.AvgPool2d(2, stride=2)(gradkit.zeros(1, 6, 28, 28)).shape
        gradkit.Size([1, 6, 14, 14])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` whatever the input's size.

    Example:
        >>> gradkit.nn.AdaptiveAvgPool2d((1, 1))(gradkit.zeros(2, 512, 7, 7)).shape
        gradkit.Size([2, 512, 1, 1])
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling to a fixed ``output_size`` (int or ``(h, w)``, None keeps that dim)
    whatever the input's size; ``return_indices`` also returns the maxima's positions.

    Example:
        >>> gradkit.nn.AdaptiveMaxPool2d((5, 7))(gradkit.zeros(1, 64, 8, 9)).shape
        gradkit.Size([1, 64, 5, 7])
    """

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxPool1d(MaxPool2d):
    """The maximum over each ``kernel_size`` window of ``(N, C, L)`` or ``(C, L)``;
    arguments (ints) and printed form as ``MaxPool2d``.

    Example:
        >>> gradkit.nn.MaxPool1d(3, stride=2)(gradkit.zeros(20, 16, 50)).shape
        gradkit.Size([20, 16, 24])
    """

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """The mean over each ``kernel_size`` window of ``(N, C, L)`` or ``(C, L)``; arguments
    as ``AvgPool2d`` (ints; kept as 1-tuples, as PyTorch prints them).

    Example:
        >>> gradkit.nn.AvgPool1d(3, stride=2)(gradkit.zeros(20, 16, 50)).shape
        gradkit.Size([20, 16, 24])
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        single = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731
        self.kernel_size = single(kernel_size)
        self.stride = single(stride if stride is not None else kernel_size)
        self.padding, self.ceil_mode = single(padding), ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
