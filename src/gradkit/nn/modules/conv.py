"""Convolution layers: ``Conv1d``, ``Conv2d`` and ``LazyConv2d`` (infers ``in_channels``).

Example:
    >>> gradkit.nn.Conv2d(1, 6, kernel_size=5, padding=2)
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
"""
from __future__ import annotations

import math
from typing import Any

from ... import _dtype
from ...tensor import Tensor, require_cpu
from .. import functional as F
from .. import init
from ..parameter import UninitializedParameter
from .linear import _empty_parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "LazyConv2d"]

# Printed as sets in PyTorch's messages (same insertion order, so the same printed order).
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _as_tuple(value: Any, n: int) -> tuple:
    return (value,) * n if isinstance(value, int) else tuple(value)


def _f_pad_amounts(padding: Any, kernel: tuple, dilation: tuple) -> tuple:
    """``padding`` as ``F.pad``'s amounts (last dim first, before/after), as PyTorch keeps
    them for the non-zero padding modes; 'same' puts the odd one after."""
    if padding == "valid":
        return (0, 0) * len(kernel)
    if padding == "same":
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple(x for t in reversed(totals) for x in (t // 2, t - t // 2))
    return tuple(x for p in reversed(padding) for x in (p, p))


def _check_groups(in_channels: int, out_channels: int, groups: int) -> None:
    """PyTorch's errors for channel counts that ``groups`` does not divide."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups:
        raise ValueError("out_channels must be divisible by groups")


def _make_parameters(module: Module, weight_shape: tuple, bias: bool, dtype: Any) -> None:
    """A convolution's ``weight`` (and ``bias``, one per output channel), initialized."""
    module.weight = _empty_parameter(weight_shape, dtype)
    if bias:
        module.bias = _empty_parameter((module.out_channels,), dtype)
    else:
        module.register_parameter("bias", None)
    module.reset_parameters()


class _ConvNd(Module):
    """What ``Conv1d`` and ``Conv2d`` share: arguments, parameters, initialization, printing."""

    _spatial = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        require_cpu(device)  # as PyTorch: parameters on "cuda" raise here
        super().__init__()
        n = self._spatial
        _check_groups(in_channels, out_channels, groups)
        stride = _as_tuple(stride, n)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _as_tuple(padding, n)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _as_tuple(kernel_size, n)
        self.stride, self.padding = stride, padding
        self.dilation = _as_tuple(dilation, n)
        self.groups, self.padding_mode = groups, padding_mode
        self._reversed_padding_repeated_twice = _f_pad_amounts(padding, self.kernel_size,
                                                               self.dilation)
        self.transposed, self.output_padding = False, (0,) * n
        _make_parameters(self, (out_channels, in_channels // groups, *self.kernel_size), bias,
                         dtype)

    def reset_parameters(self) -> None:
        """PyTorch's default: weight from ``kaiming_uniform_(a=√5)``, i.e. U(−1/√fan_in,
        1/√fan_in), and the bias from the same bound (fan_in = in_channels/groups · ∏kernel)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = math.prod(self.weight.shape[1:])
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        convolve = F.conv2d if self._spatial == 2 else F.conv1d
        if self.padding_mode != "zeros":  # pad by the mode first, then convolve unpadded
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return convolve(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                            self.groups)
        return convolve(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        n = self._spatial
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over ``(N, C_in, H, W)`` images.

    Args:
        in_channels, out_channels: channels of the input and the output.
        kernel_size: int or ``(KH, KW)``.
        stride, dilation: int or ``(h, w)`` (default 1).
        padding: int, ``(h, w)``, ``'valid'`` or ``'same'`` (default 0).
        groups: independent channel groups (default 1).
        bias: learn a per-channel bias (default True).
        padding_mode: ``'zeros'`` (default), ``'reflect'``, ``'replicate'`` or
            ``'circular'`` (``F.pad``'s modes).

    Shape:
        Input ``(N, C_in, H, W)`` or ``(C_in, H, W)``; output ``(N, C_out, OH, OW)``,
        ``OH = ⌊(H + 2·padding − dilation·(KH − 1) − 1) / stride⌋ + 1``.

    Attributes:
        weight: ``(C_out, C_in / groups, KH, KW)``, U(−1/√fan_in, 1/√fan_in).
        bias: ``(C_out,)``, from the same bound.

    Example:
        >>> conv = gradkit.nn.Conv2d(1, 6, kernel_size=5, padding=2)
        >>> conv(gradkit.zeros(256, 1, 28, 28)).shape
        gradkit.Size([256, 6, 28, 28])
    """


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)`` sequences; arguments as ``Conv2d``.

    Example:
        >>> gradkit.nn.Conv1d(2, 4, 3)(gradkit.zeros(8, 2, 10)).shape
        gradkit.Size([8, 4, 8])
    """

    _spatial = 1


class LazyConv2d(Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is taken from the first input (dim −3); it then
    becomes a plain ``Conv2d``.

    Example:
        >>> conv = gradkit.nn.LazyConv2d(6, kernel_size=5, padding=2)
        >>> conv(gradkit.zeros(1, 3, 28, 28)).shape, conv.weight.shape
        (gradkit.Size([1, 6, 28, 28]), gradkit.Size([6, 3, 5, 5]))
    """

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        # Build as a Conv2d of no input channels (which draws no random numbers), then make
        # the parameters placeholders.
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device)
        self._dtype = dtype
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()

    def reset_parameters(self) -> None:
        if self.in_channels and not isinstance(self.weight, UninitializedParameter):
            super().reset_parameters()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if isinstance(self.weight, UninitializedParameter):
            channels = input.shape[-3] if input.ndim >= 3 else 0
            numpy_dtype = input._data.dtype if self._dtype is None else \
                _dtype.to_dtype(self._dtype).numpy
            self.weight.materialize((self.out_channels, channels // self.groups,
                                     *self.kernel_size), numpy_dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,), numpy_dtype)
            self.in_channels = channels
            self.reset_parameters()
        # Materialized here or by load_state_dict: from now on it is a plain Conv2d.
        self.in_channels = self.weight.shape[1] * self.groups
        self.__class__ = Conv2d
        return _ConvNd.forward(self, input)
