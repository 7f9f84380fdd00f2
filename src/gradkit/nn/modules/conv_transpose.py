"""``ConvTranspose1d`` / ``ConvTranspose2d``: the transposed convolutions (the adjoints of
``Conv1d`` / ``Conv2d``), which upsample: each input position stamps the kernel, scaled, onto a
``stride``-spaced output grid.

Example:
    >>> gradkit.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
    ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
"""
from __future__ import annotations

from typing import Any, Sequence

from ..._ops.conv_transpose import transposed_output_size
from ...tensor import Tensor, require_cpu
from .. import functional as F
from .conv import _ConvNd, _as_tuple, _check_groups, _make_parameters
from .module import Module

__all__ = ["ConvTranspose1d", "ConvTranspose2d"]


class _ConvTransposeNd(Module):
    """What ``ConvTranspose1d`` and ``ConvTranspose2d`` share: arguments, parameters,
    ``output_size``, printing (``_spatial`` is the number of spatial dims)."""

    _spatial = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        require_cpu(device)  # as PyTorch: parameters on "cuda" raise here
        super().__init__()
        n = self._spatial
        _check_groups(in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _as_tuple(kernel_size, n), _as_tuple(stride, n)
        self.padding, self.dilation = _as_tuple(padding, n), _as_tuple(dilation, n)
        self.output_padding = _as_tuple(output_padding, n)
        self.groups, self.padding_mode, self.transposed = groups, padding_mode, True
        _make_parameters(self, (in_channels, out_channels // groups, *self.kernel_size), bias,
                         dtype)

    reset_parameters = _ConvNd.reset_parameters  # the same formula on this weight's layout

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None,  # noqa: A002
                ) -> Tensor:
        convolve = F.conv_transpose2d if self._spatial == 2 else F.conv_transpose1d
        return convolve(input, self.weight, self.bias, self.stride, self.padding,
                        self._output_padding(input, output_size), self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None,  # noqa: A002
                        ) -> tuple:
        """``output_padding``, or the one that makes the output ``output_size`` (the spatial
        sizes, optionally after the batch and channel sizes). A strided convolution maps
        ``stride`` input sizes to the same output size; ``output_size`` picks one of them."""
        if output_size is None:
            return self.output_padding
        n = self._spatial
        lead = 2 if input.ndim == n + 2 else 1  # batch and channel dims, or channel only
        if len(output_size) == lead + n:
            output_size = output_size[lead:]
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {input.ndim}D input, output_size must "
                             f"have {n} or {lead + n} elements (got {len(output_size)})")
        smallest = [transposed_output_size(input.shape[lead + d], self.kernel_size[d],
                                           self.stride[d], self.padding[d], self.dilation[d], 0)
                    for d in range(n)]
        largest = [size + self.stride[d] - 1 for d, size in enumerate(smallest)]
        for size, low, high in zip(output_size, smallest, largest):
            if not low <= size <= high:
                # Shown as PyTorch shows them: the request as given, the input's sizes after
                # the first two dims.
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {smallest} to {largest} (for an input of "
                                 f"{input.shape[2:]})")
        return tuple(size - low for size, low in zip(output_size, smallest))

    def extra_repr(self) -> str:
        n = self._spatial
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over ``(N, C_in, H, W)``.

    Args:
        in_channels, out_channels: channels of the input and the output.
        kernel_size: int or ``(KH, KW)``.
        stride, padding, dilation: as the ``Conv2d`` this one is the transpose of.
        output_padding: extra rows/columns at the bottom/right (smaller than the stride or the
            dilation), to pick among the input sizes that a strided ``Conv2d`` maps alike; or
            call the layer with ``output_size=[OH, OW]`` to have it chosen.
        groups, bias: as ``Conv2d``; ``padding_mode``: ``'zeros'`` only (as PyTorch).

    Shape:
        Input ``(N, C_in, H, W)`` or ``(C_in, H, W)``; output ``(N, C_out, OH, OW)``,
        ``OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + output_padding + 1``.

    Attributes:
        weight: ``(C_in, C_out / groups, KH, KW)``, U(−1/√fan_in, 1/√fan_in) with
            fan_in = C_out/groups · KH · KW (PyTorch's reading of this layout).
        bias: ``(C_out,)``, from the same bound.

    Example:
        >>> up = gradkit.nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1)
        >>> up(gradkit.zeros(1, 16, 7, 7)).shape
        gradkit.Size([1, 8, 13, 13])
        >>> up(gradkit.zeros(1, 16, 7, 7), output_size=[14, 14]).shape
        gradkit.Size([1, 8, 14, 14])
    """


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over ``(N, C_in, L)`` or ``(C_in, L)``; arguments as
    ``ConvTranspose2d`` (one int each); weight ``(C_in, C_out / groups, K)``.

    Example:
        >>> gradkit.nn.ConvTranspose1d(2, 4, 3, stride=2)(gradkit.zeros(8, 2, 10)).shape
        gradkit.Size([8, 4, 21])
    """

    _spatial = 1
