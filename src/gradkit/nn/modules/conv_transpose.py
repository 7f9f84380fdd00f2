"""``ConvTranspose2d``: the transposed convolution (the adjoint of ``Conv2d``), which
upsamples: each input pixel stamps the kernel, scaled, onto a ``stride``-spaced output grid.

Example:
    >>> gradkit.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
    ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
"""
from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .conv import _ConvNd, _as_tuple, _check_groups, _make_parameters
from .module import Module

__all__ = ["ConvTranspose2d"]


class ConvTranspose2d(Module):
    """2-D transposed convolution over ``(N, C_in, H, W)``.

    Args:
        in_channels, out_channels: channels of the input and the output.
        kernel_size: int or ``(KH, KW)``.
        stride, padding, dilation: as the ``Conv2d`` this one is the transpose of.
        output_padding: extra rows/columns at the bottom/right (smaller than the stride or the
            dilation), to pick among the input sizes that a strided ``Conv2d`` maps alike.
        groups, bias: as ``Conv2d``; ``padding_mode``: ``'zeros'`` only (as PyTorch).

    Shape:
        Input ``(N, C_in, H, W)`` or ``(C_in, H, W)``; output ``(N, C_out, OH, OW)``,
        ``OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + output_padding + 1``.

    Attributes:
        weight: ``(C_in, C_out / groups, KH, KW)``, U(−1/√fan_in, 1/√fan_in) with
            fan_in = C_out/groups · KH · KW (PyTorch's reading of this layout).
        bias: ``(C_out,)``, from the same bound.

    Example:
        >>> up = gradkit.nn.ConvTranspose2d(16, 8, kernel_size=2, stride=2)
        >>> up(gradkit.zeros(1, 16, 7, 7)).shape
        gradkit.Size([1, 8, 14, 14])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        _check_groups(in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError('Only "zeros" padding mode is supported for ConvTranspose2d')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _as_tuple(kernel_size, 2), _as_tuple(stride, 2)
        self.padding, self.dilation = _as_tuple(padding, 2), _as_tuple(dilation, 2)
        self.output_padding = _as_tuple(output_padding, 2)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, True
        _make_parameters(self, (in_channels, out_channels // groups, *self.kernel_size), bias,
                         dtype)

    reset_parameters = _ConvNd.reset_parameters  # the same formula on this weight's layout

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
