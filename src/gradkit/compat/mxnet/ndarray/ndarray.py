"""``NDArray``: MXNet's array, as a thin wrapper around a gradkit ``Tensor``.

Why a wrapper and not a ``Tensor`` subclass: the two APIs use the same names for different
things (``x.size`` is an int in MXNet and a method in PyTorch, ``x.grad`` is a buffer that is
never None, ``x.backward()`` sums, a full ``x.sum()`` has shape ``(1,)``, ``==`` gives 0./1.
floats), and every gradkit op returns a plain ``Tensor``. A subclass would inherit PyTorch's
meanings under Gluon's names; the wrapper exposes exactly Gluon's and routes each call to one
gradkit op, so the engine (graph, backward, broadcasting) is gradkit's, unchanged.

The shapes follow MXNet 1.x, which has no 0-d arrays: indexing one element of a vector and
reducing everything both give shape ``(1,)``.

Example:
    >>> from mxnet import nd
    >>> a = nd.ones(shape=3)
    >>> a + 10
    <BLANKLINE>
    [11. 11. 11.]
    <NDArray 3 @cpu(0)>
"""
from __future__ import annotations

import operator
from typing import Any, Iterator

import numpy as np

import gradkit
from gradkit.nn import functional as F

from .. import autograd
from ..context import Context, cpu

__all__ = ["NDArray", "tensor_of", "wrap"]


def _dtype(dtype: Any) -> gradkit.dtype:
    # The gradkit dtype of a NumPy dtype, type or name ('float32', np.int32, float).
    return gradkit._dtype.to_dtype(np.dtype(dtype))

_FLOAT32 = np.dtype(np.float32)


class _HostArray(np.ndarray):
    """What ``asnumpy()`` returns: a NumPy array that converts to a Python number when it has
    one element, as NumPy did before 2.0 (the NumPy MXNet 1.x code was written against).
    The books' ``'loss %f' % l.mean().asnumpy()`` formats a shape-(1,) array that way."""

    def __float__(self) -> float:
        return float(np.asarray(self).reshape(-1)[0]) if self.size == 1 else \
            np.ndarray.__float__(self)

    def __int__(self) -> int:
        return int(np.asarray(self).reshape(-1)[0]) if self.size == 1 else \
            np.ndarray.__int__(self)

    def __repr__(self) -> str:
        return repr(np.asarray(self))  # ``array([...])``, not the subclass's name


def tensor_of(value: Any) -> Any:
    """The gradkit operand for ``value``: an NDArray's tensor, a NumPy array as a float32
    tensor, anything else (numbers, None) as itself.

    Example:
        >>> tensor_of(nd.ones(2))
        tensor([1., 1.])
    """
    if isinstance(value, NDArray):
        return value._tensor
    if isinstance(value, np.ndarray):
        return gradkit.tensor(np.asarray(value, dtype=np.float32))
    return value


def wrap(result: Any) -> Any:
    """An NDArray around a gradkit tensor result (tuples element-wise; 0-d made ``(1,)``).

    Example:
        >>> wrap(gradkit.ones(2))
        <BLANKLINE>
        [1. 1.]
        <NDArray 2 @cpu(0)>
    """
    if isinstance(result, gradkit.Tensor):
        if result.ndim == 0:
            result = autograd.compute(result.reshape, 1)
        return NDArray(result)
    if isinstance(result, tuple):
        return tuple(wrap(r) for r in result)
    return result


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """``function`` on the gradkit operands, recorded only inside ``autograd.record()``."""
    return wrap(autograd.compute(function, *[tensor_of(a) for a in args], **kwargs))


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _index(key: Any) -> Any:
    # MXNet indexes with float NDArrays (``nd.array`` makes float32): gradkit needs integers.
    if isinstance(key, NDArray):
        return key._tensor.long()
    if isinstance(key, tuple):
        return tuple(_index(k) for k in key)
    return key


def _binary(op: Any, reflected: bool = False) -> Any:
    def method(self: NDArray, other: Any) -> Any:
        if not isinstance(other, (NDArray, int, float, np.ndarray, np.generic)):
            return NotImplemented
        a, b = (other, self) if reflected else (self, other)
        return _call(op, a, b)
    return method


def _compare(op: Any) -> Any:
    # MXNet comparisons give 0./1. in the operands' dtype, not booleans.
    def method(self: NDArray, other: Any) -> Any:
        if not isinstance(other, (NDArray, int, float, np.ndarray, np.generic)):
            return NotImplemented
        result = autograd.compute(op, self._tensor, tensor_of(other))
        return wrap(result.to(self._tensor.dtype))
    return method


def _inplace(op: Any) -> Any:
    def method(self: NDArray, other: Any) -> NDArray:
        autograd.compute(op, self._tensor, tensor_of(other))
        return self
    return method


class NDArray:
    """MXNet's n-dimensional array on gradkit (float32 unless made otherwise).

    Made by ``nd.array``, ``nd.zeros``, ``nd.random.normal``..., never directly.

    Example:
        >>> x = nd.arange(12).reshape((3, 4))
        >>> x.shape, x.size, x.sum().asscalar()
        ((3, 4), 12, 66.0)
    """

    __slots__ = ("_tensor", "__weakref__")
    # Keep NumPy from treating NDArrays as objects in mixed expressions: ``np_array + x``
    # then calls ``NDArray.__radd__``.
    __array_ufunc__ = None

    def __init__(self, tensor: gradkit.Tensor) -> None:
        self._tensor = tensor

    # -- attributes ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape, a plain tuple."""
        return tuple(self._tensor.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._tensor.numel()

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._tensor.ndim

    @property
    def dtype(self) -> type:
        """The NumPy scalar type, e.g. ``numpy.float32``."""
        return self._tensor.dtype.numpy.type

    @property
    def context(self) -> Context:
        """Always ``cpu(0)``."""
        return cpu()

    ctx = context
    stype = "default"

    @property
    def T(self) -> NDArray:
        """The transpose (axes reversed)."""
        return self.transpose()

    @property
    def grad(self) -> NDArray | None:
        """The gradient buffer made by ``attach_grad()`` (``None`` without one)."""
        g = self._tensor.grad
        return None if g is None else NDArray(g)

    # -- conversion ---------------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        """A NumPy copy of the values.

        Example:
            >>> nd.ones((2, 2)).asnumpy()
            array([[1., 1.],
                   [1., 1.]], dtype=float32)
        """
        return np.array(self._tensor.detach().numpy(), copy=True).view(_HostArray)

    def asscalar(self) -> Any:
        """The value of a one-element array, as a NumPy scalar.

        Example:
            >>> nd.ones(3).sum().asscalar()
            3.0
        """
        if self.size != 1:
            raise ValueError("The current array is not a scalar")
        return self._tensor.detach().numpy().reshape(-1)[0]

    def tolist(self) -> list:
        """The values as nested Python lists."""
        return self._tensor.detach().numpy().tolist()

    def astype(self, dtype: Any, copy: bool = True) -> NDArray:
        """A copy in another dtype (``'float32'``, ``'int32'``, ``np.int64``...).

        Example:
            >>> nd.array([1.7]).astype('int32')
            <BLANKLINE>
            [1]
            <NDArray 1 @cpu(0)>
        """
        target = np.dtype(dtype)
        if not copy and target == self._tensor.dtype.numpy:
            return self
        return _call(gradkit.Tensor.to, self, _dtype(target))

    def copy(self) -> NDArray:
        """A copy (outside the graph of this array's gradient buffer)."""
        return _call(gradkit.Tensor.clone, self)

    def copyto(self, other: Any) -> NDArray:
        """Copy the values into ``other`` (an NDArray) and return it; a context gives a copy."""
        if isinstance(other, NDArray):
            other[:] = self
            return other
        return self.copy()

    def as_in_context(self, context: Any) -> NDArray:
        """This array (there is only the CPU)."""
        return self

    as_in_ctx = as_in_context

    def detach(self) -> NDArray:
        """The same values outside the recorded graph."""
        return NDArray(self._tensor.detach())

    def wait_to_read(self) -> None:
        """Nothing to wait for: gradkit computes eagerly."""

    # -- autograd -----------------------------------------------------------------------------
    def attach_grad(self, grad_req: str = "write", stype: Any = None) -> None:
        """Make this array a variable with a zero gradient buffer, ``self.grad``.

        Args:
            grad_req: ``'write'`` (each backward overwrites the buffer), ``'add'``
                (accumulates) or ``'null'``.

        Example:
            >>> w = nd.random.normal(scale=0.01, shape=(2, 1)); w.attach_grad()
        """
        if self._tensor.grad_fn is not None:
            self._tensor = self._tensor.detach()  # a variable is a leaf, as in MXNet
        autograd.attach(self._tensor, grad_req)

    def backward(self, out_grad: Any = None, retain_graph: bool = False,
                 train_mode: bool = True) -> None:
        """Gradients of this array (of the sum of its elements) into the attached buffers.

        Example:
            >>> with autograd.record():
            ...     l = squared_loss(linreg(X, w, b), y)   # shape (10, 1)
            >>> l.backward()
        """
        autograd.backward([self], [out_grad], retain_graph=retain_graph)

    # -- shape --------------------------------------------------------------------------------
    def reshape(self, *shape: Any, **kwargs: Any) -> NDArray:
        """Reshape; ``-1`` infers a dimension and ``0`` keeps the input's (MXNet's codes).

        Example:
            >>> nd.arange(6).reshape((0, -1)).shape   # on a (6,) array
            (6,)
        """
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        elif len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        shape = tuple(self.shape[i] if s == 0 else s for i, s in enumerate(shape))
        return _call(gradkit.Tensor.reshape, self, shape)

    def reshape_like(self, other: NDArray) -> NDArray:
        """Reshape to ``other``'s shape."""
        return self.reshape(other.shape)

    def flatten(self) -> NDArray:
        """Collapse all axes but the first: ``(N, ...)`` to ``(N, -1)``."""
        return self.reshape((self.shape[0], -1)) if self.ndim else self.reshape((1, 1))

    def expand_dims(self, axis: int) -> NDArray:
        """Insert an axis of length 1."""
        return _call(gradkit.Tensor.unsqueeze, self, axis)

    def squeeze(self, axis: Any = None) -> NDArray:
        """Remove axes of length 1."""
        return _call(gradkit.Tensor.squeeze, self, axis)

    def transpose(self, axes: Any = None) -> NDArray:
        """Permute the axes (reverse them by default)."""
        axes = tuple(reversed(range(self.ndim))) if axes is None else tuple(axes)
        return _call(gradkit.Tensor.permute, self, axes)

    def broadcast_to(self, shape: Any) -> NDArray:
        """Expand to ``shape``."""
        return _call(gradkit.Tensor.expand, self, tuple(shape))

    # -- indexing -----------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> NDArray:
        return wrap(autograd.compute(operator.getitem, self._tensor, _index(key)))

    def __setitem__(self, key: Any, value: Any) -> None:
        value = tensor_of(value)
        if isinstance(value, gradkit.Tensor) and value.numel() == 1:
            value = value.reshape(())  # a (1,) array fills one element, as in MXNet
        autograd.compute(operator.setitem, self._tensor, _index(key), value)

    def take(self, indices: Any, axis: int = 0, mode: str = "clip") -> NDArray:
        """Elements at ``indices`` (floats are truncated) along ``axis``.

        Example:
            >>> features.take(nd.array([0, 2]))   # rows 0 and 2
        """
        index = tensor_of(indices)
        if not isinstance(index, gradkit.Tensor):
            index = gradkit.tensor(index)
        n = self.shape[axis]
        index = index.long()
        index = index % n if mode == "wrap" else index.clamp(0, n - 1)
        key = (slice(None),) * (axis % self.ndim) + (index,)
        return wrap(autograd.compute(operator.getitem, self._tensor, key))

    def pick(self, index: Any, axis: int = -1, keepdims: bool = False) -> NDArray:
        """One element per row: ``x[i, index[i]]`` along ``axis``."""
        axis = axis % self.ndim
        one_hot = F.one_hot(tensor_of(index).long(), self.shape[axis]).to(self._tensor.dtype)
        if axis != self.ndim - 1:  # one_hot's class axis is last; move it to ``axis``
            last = self.ndim - 1
            one_hot = one_hot.permute(*range(axis), last, *range(axis, last))
        return _call(lambda t: (t * one_hot).sum(dim=axis, keepdim=keepdims), self)

    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self) -> Iterator[NDArray]:
        for i in range(len(self)):
            yield self[i]

    # -- arithmetic ---------------------------------------------------------------------------
    __add__ = _binary(operator.add)
    __radd__ = _binary(operator.add, reflected=True)
    __sub__ = _binary(operator.sub)
    __rsub__ = _binary(operator.sub, reflected=True)
    __mul__ = _binary(operator.mul)
    __rmul__ = _binary(operator.mul, reflected=True)
    __truediv__ = _binary(operator.truediv)
    __rtruediv__ = _binary(operator.truediv, reflected=True)
    __mod__ = _binary(operator.mod)
    __rmod__ = _binary(operator.mod, reflected=True)
    __pow__ = _binary(operator.pow)
    __rpow__ = _binary(operator.pow, reflected=True)
    __iadd__ = _inplace(operator.iadd)
    __isub__ = _inplace(operator.isub)
    __imul__ = _inplace(operator.imul)
    __itruediv__ = _inplace(operator.itruediv)
    __eq__ = _compare(operator.eq)  # type: ignore[assignment]
    __ne__ = _compare(operator.ne)  # type: ignore[assignment]
    __lt__ = _compare(operator.lt)
    __le__ = _compare(operator.le)
    __gt__ = _compare(operator.gt)
    __ge__ = _compare(operator.ge)

    def __neg__(self) -> NDArray:
        return _call(operator.neg, self)

    def __abs__(self) -> NDArray:
        return _call(operator.abs, self)

    def __hash__(self) -> int:
        return id(self) // 16

    def __bool__(self) -> bool:
        if self.size == 1:
            return bool(self.asscalar())
        if self.size == 0:
            return False
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    # -- reductions (a full reduction has shape (1,)) --------------------------------------
    def _reduce(self, name: str, axis: Any, keepdims: bool) -> NDArray:
        axis = _axis(axis)
        if axis is None:
            result = _call(getattr(gradkit.Tensor, name), self)
            return result.reshape((1,) * self.ndim) if keepdims else result
        return _call(getattr(gradkit.Tensor, name), self, axis, keepdims)

    def sum(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Sum over ``axis`` (all axes by default).

        Example:
            >>> nd.ones((2, 3)).sum(axis=0)
            <BLANKLINE>
            [2. 2. 2.]
            <NDArray 3 @cpu(0)>
        """
        return self._reduce("sum", axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Mean over ``axis`` (all axes by default)."""
        return self._reduce("mean", axis, keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Product over ``axis``."""
        return self._reduce("prod", axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Maximum over ``axis``."""
        return self._reduce("amax", axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Minimum over ``axis``."""
        return self._reduce("amin", axis, keepdims)

    def argmax(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Index of the maximum, as float32 (MXNet's index dtype)."""
        return wrap(autograd.compute(gradkit.Tensor.argmax, self._tensor, axis, keepdims)
                    .float())

    def argmin(self, axis: Any = None, keepdims: bool = False) -> NDArray:
        """Index of the minimum, as float32."""
        return wrap(autograd.compute(gradkit.Tensor.argmin, self._tensor, axis, keepdims)
                    .float())

    def norm(self, ord: int = 2, axis: Any = None, keepdims: bool = False) -> NDArray:  # noqa: A002
        """The L2 (or L1, ``ord=1``) norm over ``axis`` (all elements by default).

        Example:
            >>> nd.array([3, 4]).norm()
            <BLANKLINE>
            [5.]
            <NDArray 1 @cpu(0)>
        """
        return _call(lambda t: gradkit.Tensor.norm(t, ord, _axis(axis), keepdims), self)

    # -- elementwise --------------------------------------------------------------------------
    def exp(self) -> NDArray:
        """e to the power of each element."""
        return _call(gradkit.Tensor.exp, self)

    def log(self) -> NDArray:
        """Natural logarithm."""
        return _call(gradkit.Tensor.log, self)

    def sqrt(self) -> NDArray:
        """Square root."""
        return _call(gradkit.Tensor.sqrt, self)

    def square(self) -> NDArray:
        """Each element squared."""
        return _call(gradkit.Tensor.square, self)

    def abs(self) -> NDArray:
        """Absolute value."""
        return _call(gradkit.Tensor.abs, self)

    def sign(self) -> NDArray:
        """-1, 0 or 1."""
        return _call(gradkit.Tensor.sign, self)

    def relu(self) -> NDArray:
        """max(x, 0)."""
        return _call(gradkit.Tensor.relu, self)

    def sigmoid(self) -> NDArray:
        """1 / (1 + e^-x)."""
        return _call(gradkit.Tensor.sigmoid, self)

    def tanh(self) -> NDArray:
        """Hyperbolic tangent."""
        return _call(gradkit.Tensor.tanh, self)

    def clip(self, a_min: float, a_max: float) -> NDArray:
        """Clamp each element to [a_min, a_max]."""
        return _call(gradkit.Tensor.clamp, self, a_min, a_max)

    def softmax(self, axis: int = -1) -> NDArray:
        """Softmax along ``axis``."""
        return _call(gradkit.Tensor.softmax, self, axis)

    def log_softmax(self, axis: int = -1) -> NDArray:
        """Log-softmax along ``axis``."""
        return _call(gradkit.Tensor.log_softmax, self, axis)

    def zeros_like(self) -> NDArray:
        """Zeros of the same shape and dtype."""
        return NDArray(gradkit.zeros_like(self._tensor))

    def ones_like(self) -> NDArray:
        """Ones of the same shape and dtype."""
        return NDArray(gradkit.ones_like(self._tensor))

    # -- printing -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.shape)
        return f"\n{np.asarray(self.asnumpy())}\n<NDArray {shape} @{self.context}>"
