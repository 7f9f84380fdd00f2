"""Layer 1: dtype objects, the default dtype and PyTorch's type-promotion rules.

A gradkit ``dtype`` is a thin, immutable name for a NumPy dtype, printed the way PyTorch prints
its own (``gradkit.float32``). Promotion follows PyTorch, not NumPy: an int tensor combined with a
float makes the float type (NumPy would widen to float64), and Python scalars or 0-dim tensors
never widen a higher-dimensional tensor of the same category.

Example:
    >>> import gradkit
    >>> gradkit.float32, gradkit.get_default_dtype()
    (gradkit.float32, gradkit.float32)
"""
from __future__ import annotations

import builtins as _builtins
from typing import Any

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool_",
    "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "to_dtype", "from_numpy_dtype", "promote_types",
    "result_type",
]

# Category of a dtype for promotion: bool < integer < floating point.
_BOOL, _INT, _FLOAT = 0, 1, 2


# The package name shown in printed forms (``gradkit.float32``, ``gradkit.Size([2])``); the
# compatibility runner shows "torch", so that a book's program prints what the book prints.
_DISPLAY_NAME = ["gradkit"]


def display_name() -> str:
    """The package name printed in reprs: ``"gradkit"``, or ``"torch"`` under
    ``gradkit.compat``.

    Example:
        >>> gradkit.float32
        gradkit.float32
    """
    return _DISPLAY_NAME[0]


def set_display_name(name: str) -> str:
    """Print reprs with ``name`` (``"torch"`` under the compatibility runner); returns the
    previous name."""
    previous = _DISPLAY_NAME[0]
    _DISPLAY_NAME[0] = name
    return previous


class dtype:
    """The element type of a tensor, e.g. ``gradkit.float32``.

    Attributes:
        name: PyTorch's name (``"float32"``).
        numpy: the matching ``numpy.dtype``.
        is_floating_point: True for float16/32/64.
        is_signed: False for ``uint8`` and ``bool``.
        itemsize: bytes per element.

    Example:
        >>> gradkit.tensor([1, 2]).dtype
        gradkit.int64
    """

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "category")

    def __init__(self, name: str, numpy_dtype: Any) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "fi"
        self.itemsize = self.numpy.itemsize
        self.category = (_FLOAT if self.is_floating_point
                         else _BOOL if self.numpy.kind == "b" else _INT)

    @property
    def is_complex(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{_DISPLAY_NAME[0]}.{self.name}"

    def __reduce__(self) -> str:
        # Pickle by module attribute so that dtypes stay singletons (bool's is ``bool_``).
        return "bool_" if self.name == "bool" else self.name


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
bool_ = dtype("bool", np.bool_)

# PyTorch's aliases (``torch.float`` is float32, ``torch.long`` is int64, ...).
half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's public names
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_BY_NUMPY: dict[np.dtype, dtype] = {d.numpy: d for d in _ALL}
_DEFAULT = [float32]


def get_default_dtype() -> dtype:
    """The float dtype made from Python floats (``float32`` unless changed).

    Example:
        >>> gradkit.get_default_dtype()
        gradkit.float32
    """
    return _DEFAULT[0]


def set_default_dtype(d: dtype) -> None:
    """Set the float dtype made from Python floats; only float32 and float64 are allowed.

    Example:
        >>> gradkit.set_default_dtype(gradkit.float64)
    """
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _DEFAULT[0] = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The gradkit dtype of a NumPy dtype; TypeError for types PyTorch has no equivalent of."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        # PyTorch names the array's scalar type ("numpy.object_"), e.g. for the object arrays
        # that pandas' DataFrame.values gives for mixed columns (the zh edition's pandas section).
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype.type.__name__}. "
            "The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d: Any) -> dtype:
    """Accept a gradkit dtype, a NumPy dtype or a Python type (``float``, ``int``, ``bool``)."""
    if type(d) is dtype:
        return d
    if d is None or d is _builtins.float:
        return _DEFAULT[0]
    if d is _builtins.int:
        return int64
    if d is _builtins.bool:
        return bool_
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected a dtype (e.g. gradkit.float32), got {d!r}") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to, by PyTorch's table.

    Example:
        >>> gradkit.promote_types(gradkit.int64, gradkit.float32)
        gradkit.float32
    """
    if a is b:
        return a
    if a.category != b.category:
        # PyTorch keeps the float type when mixing int and float (NumPy would widen to float64).
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _FLOAT or lo.category == _BOOL:
            return hi
    return _BY_NUMPY[np.promote_types(a.numpy, b.numpy)]


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # c10's combine_categories: a higher-priority operand wins unless the lower one is of a
    # higher category (bool < int < float), in which case they are promoted together.
    if higher is None:
        return lower
    if lower is None or higher.category == _FLOAT:
        return higher
    if higher.category == _BOOL or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(value: Any) -> dtype:
    # Module-level ``int``/``float`` are dtypes here (PyTorch's aliases), hence ``_builtins``.
    if isinstance(value, (_builtins.bool, np.bool_)):
        return bool_
    if isinstance(value, (_builtins.int, np.integer)):
        return int64
    return _DEFAULT[0]


def result_type(*operands: Any) -> dtype:
    """PyTorch's result dtype of an op over tensors and Python scalars.

    Tensors with dimensions outrank 0-dim tensors, which outrank Python scalars; a lower rank
    only changes the result when it is of a higher category (bool < int < float).

    Example:
        >>> gradkit.result_type(gradkit.tensor([1, 2]), 2.5)
        gradkit.float32
    """
    dim_result = zero_result = scalar_result = None
    for op in operands:
        data = getattr(op, "_data", None)
        if data is None:
            scalar_result = _scalar_dtype(op) if scalar_result is None else promote_types(
                scalar_result, _scalar_dtype(op))
            continue
        d = _BY_NUMPY[data.dtype]
        if data.ndim:
            dim_result = d if dim_result is None else promote_types(dim_result, d)
        else:
            zero_result = d if zero_result is None else promote_types(zero_result, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))
