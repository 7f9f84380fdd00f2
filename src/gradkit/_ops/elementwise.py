"""Elementwise ops: arithmetic, math functions, activations, clamp, maximum/minimum and where.

Each class is one differentiable op; forward and backward sit side by side and work on NumPy
arrays. Gradients are returned at the broadcast shape: the engine sums them down to each input.
Binary forwards first bring their operands to PyTorch's result dtype with ``promote``.

Example:
    >>> Mul.apply(gradkit.tensor([1., 2.]), 3.0)
    tensor([3., 6.])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._dtype import _BY_NUMPY, _combine_categories, _scalar_dtype, get_default_dtype, promote_types
from ..autograd.function import Function
from .graph import constant, data_of, where_graph

_ndarray = np.ndarray


# ---------------------------------------------------------------------------------------------
# dtype handling shared by the binary ops
# ---------------------------------------------------------------------------------------------
def result_dtype(a: Any, b: Any) -> np.dtype:
    """PyTorch's result dtype of a binary op on arrays and/or Python scalars (see ``_dtype``)."""
    a_is_array, b_is_array = type(a) is _ndarray, type(b) is _ndarray
    if a_is_array and b_is_array:
        if a.dtype is b.dtype:
            return a.dtype
        da, db = _BY_NUMPY[a.dtype], _BY_NUMPY[b.dtype]
        if bool(a.ndim) == bool(b.ndim):
            return promote_types(da, db).numpy
        hi, lo = (da, db) if a.ndim else (db, da)
        return _combine_categories(hi, lo).numpy
    array, scalar = (a, b) if a_is_array else (b, a)
    return _combine_categories(_BY_NUMPY[array.dtype], _scalar_dtype(scalar)).numpy


def _wrap_int_scalar(value: Any, target: np.dtype) -> Any:
    """A Python int outside an int dtype's range wraps around as in PyTorch (``uint8 + 300``
    adds 44); NumPy would raise OverflowError."""
    if type(value) is int:
        info = np.iinfo(target)
        if not info.min <= value <= info.max:
            return np.asarray(value).astype(target)
    return value


def promote(a: Any, b: Any) -> tuple[Any, Any]:
    """Cast the array operands to the PyTorch result dtype; Python scalars stay as they are
    (NumPy then keeps the array's dtype, as PyTorch does)."""
    # Fast paths, in the order of how often ops meet them: same-dtype arrays, and a float
    # array with a Python number (NumPy then keeps the array's dtype, as PyTorch does).
    if type(a) is _ndarray:
        tb = type(b)
        if tb is _ndarray:
            if a.dtype is b.dtype:
                return a, b
        elif (tb is float or tb is int) and a.dtype.kind == "f":
            return a, b
    elif type(b) is _ndarray and (type(a) is float or type(a) is int) and b.dtype.kind == "f":
        return a, b
    target = result_dtype(a, b)
    if target.kind in "iu":
        a, b = _wrap_int_scalar(a, target), _wrap_int_scalar(b, target)
    if type(a) is _ndarray and a.dtype != target:
        a = a.astype(target)
    if type(b) is _ndarray and b.dtype != target:
        b = b.astype(target)
    return a, b


def _quiet() -> np.errstate:
    """NumPy's floating-point warnings off: PyTorch computes 1/0 = inf and 0/0 = nan silently.
    (About 1 us, so only ops that can meet such values use it.)"""
    return np.errstate(all="ignore")


def to_float(a: np.ndarray) -> np.ndarray:
    """Ints and bools become the default float dtype (``exp`` of an int tensor is float32)."""
    if a.dtype.kind == "f":
        return a
    return a.astype(get_default_dtype().numpy)


def true_divide_operands(a: Any, b: Any) -> tuple[Any, Any]:
    """Operands of ``/``: promoted, and ints and bools made float (int / int is true division)."""
    a, b = promote(a, b)
    array = a if type(a) is _ndarray else b
    if array.dtype.kind != "f":
        a = to_float(a) if type(a) is _ndarray else a
        b = to_float(b) if type(b) is _ndarray else b
    return a, b


class BinaryFunction(Function):
    """A Function whose operands broadcast: NumPy's broadcasting ValueError becomes
    PyTorch's RuntimeError naming the sizes and the dimension."""

    #: Operands are promoted to one dtype in forward: the recorded backward checks they were
    #: already of it (a promoted copy would be a constant, and its derivative silently lost).
    promotes = True

    @classmethod
    def explain_error(cls, arrays: tuple) -> None:
        from .shape import check_broadcast

        shaped = [a for a in arrays if type(a) is _ndarray]
        if len(shaped) >= 2:
            check_broadcast(shaped[0], shaped[1])


# ---------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------
class Add(BinaryFunction):
    """``a + alpha * b``; d/da = 1, d/db = alpha."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        a, b = promote(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)

    backward_graph = backward  # operators only: the same body runs on Tensors


class Sub(BinaryFunction):
    """``a - alpha * b``; d/da = 1, d/db = -alpha."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _check_no_bool_subtraction(a, b)
        a, b = promote(a, b)
        ctx.alpha = alpha
        if alpha != 1:
            b = b * alpha
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.alpha == 1 else grad * -ctx.alpha)

    backward_graph = backward


def _is_bool(x: Any) -> bool:
    return x.dtype == np.bool_ if type(x) is _ndarray else isinstance(x, (bool, np.bool_))


def _check_no_bool_subtraction(a: Any, b: Any) -> None:
    # PyTorch refuses any bool operand: `mask - 1` is almost always a mistake for `~mask`.
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


class RSub(BinaryFunction):
    """``b - a`` for a Python scalar ``b`` on the left (``2 - x``)."""

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b):
        _check_no_bool_subtraction(a, b)
        a, b = promote(a, b)
        return b - a

    @staticmethod
    def backward(ctx, grad):
        return -grad, None

    backward_graph = backward


class Mul(BinaryFunction):
    """``a * b``; d/da = b, d/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        edges = ctx.next_edges
        return (grad * b if edges[0] is not None else None,
                grad * a if edges[1] is not None else None)

    backward_graph = backward


class Div(BinaryFunction):
    """``a / b`` (true division); d/da = 1/b, d/db = -a/b²."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = true_divide_operands(a, b)
        ctx.save_for_backward(a, b)
        if type(b) is not _ndarray and b != 0:
            return a / b  # by a nonzero number (x / batch_size): no 0/0 or 1/0 to silence
        with _quiet():
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        if ctx.next_edges[1] is None and type(b) is not _ndarray and b != 0:
            return grad / b, None
        with _quiet():
            grad_a = grad / b
            return grad_a, (-grad_a * a / b if ctx.next_edges[1] is not None else None)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = grad / b
        return grad_a, (-grad_a * a / b if ctx.next_edges[1] is not None else None)


class RDiv(BinaryFunction):
    """``b / a`` for a Python scalar ``b`` on the left (``1 / x``); d/da = -b/a²."""

    node_name = "MulBackward0"  # PyTorch computes it as reciprocal(a) * b

    @staticmethod
    def forward(ctx, a, b):
        a, b = true_divide_operands(a, b)
        with _quiet():
            out = b / a
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return -grad * out / a, None

    backward_graph = backward


class Neg(Function):
    """``-a``."""

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. "
                "If you are trying to invert a mask, use the `~` or `logical_not()` operator "
                "instead.")
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    backward_graph = backward


def _check_integer_power(base: Any, exponent: Any) -> None:
    base_is_int = type(base) is _ndarray and base.dtype.kind in "iub"
    if base_is_int and not isinstance(exponent, float):
        negative = np.any(np.asarray(exponent) < 0)
        if negative and (type(exponent) is not _ndarray or exponent.dtype.kind in "iub"):
            raise RuntimeError("Integers to negative integer powers are not allowed.")


class Pow(BinaryFunction):
    """``a ** b``; d/da = b·a^(b-1), d/db = a^b·log(a) (0 where a = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        _check_integer_power(a, b)
        if type(b) is _ndarray:
            ctx.node_name = "PowBackward1"  # PyTorch's name when the exponent is a tensor
        elif b == 2:  # the squared losses: a multiply, and nothing to silence
            out = a * a
            ctx.save_for_backward(a, b, out)
            return out
        with _quiet():
            out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        if type(b) is not _ndarray and b == 2:
            return grad * 2 * a, None
        with _quiet():
            return _pow_backward(ctx, grad, a, b, out)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b, out = ctx.saved_tensors
        if not hasattr(b, "_data"):  # a Python scalar exponent
            if b == 0:
                return grad * 0, None
            return grad * b * a ** (b - 1), None
        grad_a = grad_b = None
        if ctx.next_edges[0] is not None:
            grad_a = where_graph(b._data == 0, 0, grad * b * a ** (b - 1))
        if ctx.next_edges[1] is not None:
            grad_b = where_graph((data_of(a) == 0) & (b._data >= 0), 0, grad * out * a.log())
        return grad_a, grad_b


def _pow_backward(ctx: Function, grad: np.ndarray, a: Any, b: Any, out: np.ndarray) -> tuple:
    """Pow's gradients: d/da = b·a^(b-1) (0 where b = 0), d/db = a^b·log(a) (0 where a = 0)."""
    if type(b) is not _ndarray:  # a Python scalar exponent, the common case
        if b == 2:
            return grad * 2 * a, None
        if b == 0:  # x ** 0 is constant: 0, not 0 · x^-1 = nan at x = 0 (as PyTorch)
            return np.zeros_like(grad), None
        return grad * b * np.power(a, b - 1), None
    grad_a = None
    if ctx.next_edges[0] is not None:
        grad_a = np.where(b == 0, 0, grad * b * np.power(a, b - 1))
    grad_b = None
    if ctx.next_edges[1] is not None:
        grad_b = np.where((a == 0) & (b >= 0), 0, grad * out * np.log(a))
    return grad_a, grad_b


class RPow(BinaryFunction):
    """``b ** a`` for a Python scalar base ``b`` (``2 ** x``); d/da = b^a·log(b)."""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        _check_integer_power(np.asarray(b, dtype=a.dtype), a)
        with _quiet():
            out = np.power(b, a)
        if type(out) is not _ndarray:
            out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(out)
        ctx.base = b
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.base == 0:
            return np.zeros_like(grad), None
        with _quiet():
            return grad * out * np.log(ctx.base), None

    @staticmethod
    def backward_graph(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.base == 0:
            return grad * 0, None
        return grad * out * float(np.log(ctx.base)), None


# ---------------------------------------------------------------------------------------------
# math functions
# ---------------------------------------------------------------------------------------------
class Exp(Function):
    """``exp(a)``; d/da = exp(a)."""

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        with _quiet():
            if a.dtype == np.float32:
                # NumPy's float32 exp is often one ulp off the nearest float (exp(12) prints
                # 162754.7812, PyTorch's and the book's 162754.7969); rounding the float64
                # result matches PyTorch on ~99% of inputs instead of ~60%.
                out = np.exp(a, dtype=np.float64).astype(np.float32)
            else:
                out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out

    backward_graph = backward


class Log(Function):
    """``log(a)``; d/da = 1/a."""

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / a

    backward_graph = backward


class Sqrt(Function):
    """``sqrt(a)``; d/da = 1/(2·sqrt(a))."""

    @staticmethod
    def forward(ctx, a):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(to_float(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad / (2 * out)

    backward_graph = backward


class Sin(Function):
    """``sin(a)``; d/da = cos(a)."""

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.cos(a)

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class Cos(Function):
    """``cos(a)``; d/da = -sin(a)."""

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * np.sin(a)

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * a.sin()


class Tanh(Function):
    """``tanh(a)``; d/da = 1 - tanh(a)²."""

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(to_float(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)

    backward_graph = backward


class Sigmoid(Function):
    """``1 / (1 + exp(-a))``, computed without overflow; d/da = s·(1 - s)."""

    @staticmethod
    def forward(ctx, a):
        a = to_float(a)
        # 1 / (1 + exp(-a)) in one buffer, four passes: 8x faster than exp(-|a|) on two
        # branches with a where. For a < -88 (float32) exp overflows to inf and the result is
        # 0, as PyTorch gives; the overflow is the expected limit, not an error.
        out = np.negative(a, out=np.empty_like(a))  # (an array even for 0-d input)
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if type(grad) is not np.ndarray or grad.shape != out.shape or grad.dtype != out.dtype:
            return grad * out * (1 - out)
        result = np.subtract(1, out, out=np.empty_like(out))  # one buffer, no temporaries
        result *= out
        result *= grad
        return result

    @staticmethod
    def backward_graph(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(Function):
    """``max(a, 0)``; d/da = 1 where a > 0, else 0 (including at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, a):
        if a.dtype == np.bool_:
            raise RuntimeError('"clamp_min_cpu" not implemented for \'Bool\'')
        out = np.maximum(a, 0, dtype=a.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)

    @staticmethod
    def backward_graph(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * constant(out._data > 0)  # the mask is a constant: relu'' = 0


class Abs(Function):
    """``|a|``; d/da = sign(a) (0 at 0)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.sign(a)

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * constant(np.sign(a._data))


class Clamp(Function):
    """``min(max(a, low), high)``; the gradient passes where low <= a <= high."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        if low is None and high is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        target = a.dtype
        for bound in (low, high):
            if bound is not None:
                target = result_dtype(np.empty((1,), target), bound)
        a = a.astype(target, copy=False)
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        out = a
        if low is not None:
            out = np.maximum(out, low)
        if high is not None:
            out = np.minimum(out, high)
        return out.astype(target, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _clamp_mask(ctx, a), None, None

    @staticmethod
    def backward_graph(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * constant(_clamp_mask(ctx, a._data)), None, None


def _clamp_mask(ctx: Function, a: np.ndarray) -> np.ndarray:
    """Where ``clamp`` let its input through (low <= a <= high)."""
    mask = np.ones(a.shape, dtype=bool)
    if ctx.low is not None:
        mask &= a >= ctx.low
    if ctx.high is not None:
        mask &= a <= ctx.high
    return mask


class Maximum(BinaryFunction):
    """Elementwise ``max(a, b)``; at ties the gradient is split 0.5/0.5, as PyTorch does."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a > b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = (data_of(x) for x in ctx.saved_tensors)
        share = ((a > b) + 0.5 * (a == b)).astype(grad._data.dtype)
        return grad * constant(share), grad * constant(1 - share)


class Minimum(BinaryFunction):
    """Elementwise ``min(a, b)``; at ties the gradient is split 0.5/0.5, as PyTorch does."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        share = (a < b) + 0.5 * (a == b)
        return grad * share, grad * (1 - share)

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = (data_of(x) for x in ctx.saved_tensors)
        share = ((a < b) + 0.5 * (a == b)).astype(grad._data.dtype)
        return grad * constant(share), grad * constant(1 - share)


class Where(BinaryFunction):
    """``a`` where ``condition`` else ``b``; each side's gradient is masked accordingly."""

    @staticmethod
    def forward(ctx, condition, a, b):
        if type(condition) is not _ndarray or condition.dtype != np.bool_:
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_BY_NUMPY[np.asarray(condition).dtype].name}")
        a, b = promote(a, b)
        ctx.save_for_backward(condition)
        out = np.where(condition, a, b)
        return out.astype(result_dtype(a, b) if type(a) is _ndarray or type(b) is _ndarray
                          else np.result_type(out), copy=False)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = grad.dtype.type(0)
        return None, np.where(condition, grad, zero), np.where(condition, zero, grad)

    @staticmethod
    def backward_graph(ctx, grad):
        condition = ctx.saved_tensors[0]._data
        return None, where_graph(condition, grad, 0.0), where_graph(condition, 0.0, grad)


class Cast(Function):
    """``a.to(dtype)``; the gradient is cast back by the engine."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dtype=None):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad

    backward_graph = backward


class Clone(Function):
    """A copy with its own memory; the gradient passes through."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    backward_graph = backward


class Remainder(BinaryFunction):
    """``a % b`` with the sign of ``b`` (Python's rule, as PyTorch); d/da = 1,
    d/db = -floor(a / b)."""

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        _check_integer_division(a, b)
        ctx.save_for_backward(a, b)
        if type(b) is _ndarray:
            ctx.node_name = "RemainderBackward1"
        with _quiet():
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_b = -grad * np.floor_divide(a, b) if ctx.next_edges[1] is not None else None
        return grad, grad_b

    @staticmethod
    def backward_graph(ctx, grad):
        a, b = (data_of(x) for x in ctx.saved_tensors)
        if ctx.next_edges[1] is None:
            return grad, None
        with _quiet():
            return grad, -grad * constant(np.floor_divide(a, b))


def _check_integer_division(a: Any, b: Any) -> None:
    divisor = b if type(b) is _ndarray else np.asarray(b)
    if divisor.dtype.kind in "iub" and (type(a) is not _ndarray or a.dtype.kind in "iub"):
        if np.any(divisor == 0):
            raise RuntimeError("ZeroDivisionError")


def floor_divide(a: Any, b: Any) -> np.ndarray:
    """``a // b`` rounding toward minus infinity (not differentiable, as in PyTorch)."""
    a, b = promote(a, b)
    _check_integer_division(a, b)
    with _quiet():
        return np.asarray(np.floor_divide(a, b))
