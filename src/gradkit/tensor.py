"""The ``Tensor``: a NumPy array with autograd, and every method PyTorch users reach for.

A Tensor holds its values in ``_data`` (always a NumPy ``ndarray``, never a NumPy scalar), plus
``grad``, ``requires_grad``, ``grad_fn`` and a version counter for in-place checks. Methods here
only convert arguments and pick the op; the math and its derivative live in ``gradkit._ops``.

Example:
    >>> x = gradkit.arange(4.0, requires_grad=True)
    >>> y = 2 * x.dot(x)
    >>> y.backward()
    >>> x.grad
    tensor([ 0.,  4.,  8., 12.])
"""
from __future__ import annotations

import builtins
import warnings
from collections import OrderedDict, namedtuple
from typing import Any, Iterator, Sequence

import numpy as np

from . import _dtype
from ._dtype import dtype as DType
from ._ops import elementwise as ew
from ._ops import indexing, linalg, reduction, shape as shape_ops
from ._ops import book_ops
from ._ops.views import ViewOf, ViewWrite, track_view
from ._printing import tensor_repr
from ._size import Size
from .autograd import engine
from .autograd.function import Function, VersionCounter
from .autograd.hooks import RemovableHandle
from .autograd.grad_mode import state as _grad_state

__all__ = ["Tensor", "device", "return_types"]

_ndarray = np.ndarray


# PyTorch's device types, in the order its error message lists them.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


def _parse_device(text: str, index: int | None) -> tuple[str, int | None]:
    """``"cuda:1"`` -> ``("cuda", 1)``, with PyTorch's errors for a malformed string."""
    name, colon, digits = text.partition(":")
    if not name.replace("_", "").isalpha() or (colon and not digits.isdigit()):
        raise RuntimeError(f"Invalid device string: '{text}'")
    if name not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of "
                           f"device string: {text}")
    if colon:
        if index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was "
                               f"passed explicitly: {text}")
        index = int(digits)
    return name, index


class device:
    """A device, as ``torch.device``: a type (``'cpu'``, ``'cuda'``, ...) and an optional index.

    Any of PyTorch's device types can be named (``device('cuda:0')`` is fine, as on a CPU-only
    PyTorch); only the CPU holds tensors: making or moving one elsewhere raises, as PyTorch
    without CUDA does (``AssertionError: Torch not compiled with CUDA enabled``).

    Example:
        >>> gradkit.zeros(1).device
        device(type='cpu')
        >>> gradkit.device("cuda:0")
        device(type='cuda', index=0)
    """

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            # A bare index means "the current accelerator", and there is none.
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif isinstance(type, str):
            type, index = _parse_device(type, index)
        else:
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({builtins.type(type).__name__}), but expected one of:\n"
                            f" * (torch.device device)\n * (str type, int index = -1)")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type, self.index = type, index

    def __eq__(self, other: object) -> bool:
        # As PyTorch: a device never equals a string (compare ``x.device.type == "cpu"``), and
        # ``cpu`` is not ``cpu:0``.
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


#: What PyTorch without CUDA raises (AssertionError) when data is made or moved to "cuda".
NO_CUDA = "Torch not compiled with CUDA enabled"


def require_cpu(where: Any) -> device:
    """``where`` (a device, a string like ``"cuda:0"``, or None for the default) as a device,
    if tensors can live there: only the CPU; otherwise the error PyTorch without CUDA raises.

    Example:
        >>> require_cpu("cuda")  # AssertionError: Torch not compiled with CUDA enabled
    """
    if where is None:
        return _CPU
    target = where if isinstance(where, device) else device(where)
    if target.type == "cpu":
        return target
    if target.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise RuntimeError(f"gradkit is not linked with support for {target.type} devices")


_CPU = device("cpu")


class return_types:
    """Named tuples returned by ``max(dim)``, ``min(dim)``, ``sort``... (``values``,
    ``indices``), printed as PyTorch prints them."""

    class max(namedtuple("max", ["values", "indices"])):
        __slots__ = ()

        def __repr__(self) -> str:
            return (f"{_dtype.display_name()}.return_types.{type(self).__name__}(\n"
                    f"values={self.values!r},\n"
                    f"indices={self.indices!r})")

    class min(max):
        __slots__ = ()

    class sort(max):
        __slots__ = ()

    class topk(max):
        __slots__ = ()


def parse_to_arguments(args: tuple, kwargs: dict) -> Any:
    """The dtype asked for by ``.to(...)`` arguments (a dtype, a tensor whose dtype to take,
    ``dtype=``), or None; device arguments are checked (only the CPU exists)."""
    target = None
    for a in list(args) + [kwargs.get("dtype"), kwargs.get("device")]:
        if a is None:
            continue
        if isinstance(a, Tensor):
            target = a.dtype
        elif isinstance(a, (str, device)):
            require_cpu(a)
        else:
            target = _dtype.to_dtype(a)
    return target


def _legacy_type_name(array: np.ndarray) -> str:
    return {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
            "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
            "int8": "CharTensor", "uint8": "ByteTensor",
            "bool": "BoolTensor"}[_dtype.from_numpy_dtype(array.dtype).name]


def _operand(value: Any) -> Any:
    """The other side of a binary op: Tensors and Python scalars as they are, NumPy arrays and
    lists made Tensors, anything else a TypeError like Python's."""
    if isinstance(value, np.generic):
        # Before the Python-number test: np.float64 subclasses float, and NumPy would let a
        # float64 scalar widen a float32 tensor; PyTorch treats it as a Python number.
        return value.item()
    if isinstance(value, (Tensor, int, float, bool)):
        return value
    if isinstance(value, (_ndarray, list, tuple)):
        from ._creation import tensor as make_tensor

        return make_tensor(value)
    return NotImplemented


_PLAIN_SIZES = (tuple, Size)
#: Index tensors that ``x[index]`` takes as they are (PyTorch's long and int).
_ROW_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _size_args(args: tuple) -> tuple:
    """Sizes given as varargs (``view(2, 3)``), one tuple/list/Size, or ints inside Tensors."""
    if len(args) == 1 and type(args[0]) in _PLAIN_SIZES:
        # The common form, a tuple or Size of Python ints (``y.reshape(y_hat.shape)``).
        for a in args[0]:
            if type(a) is not int:
                break
        else:
            return tuple(args[0])
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for a in args:
        if isinstance(a, Tensor):
            a = a.item()
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(
                f"expected a sequence of integers for the size, but got an element of type "
                f"{type(a).__name__}")
        out.append(int(a))
    return tuple(out)


def _plain(array: Any) -> Tensor:
    """Wrap a result that is never differentiable (comparisons, argmax, ...)."""
    return Tensor._wrap(array if type(array) is _ndarray else np.asarray(array))


def _plain_binary(function: Any, a: Any, b: Any) -> Tensor:
    """``function(a, b)`` on arrays (a non-differentiable result), with PyTorch's error when
    the shapes do not broadcast."""
    try:
        return _plain(function(a, b))
    except ValueError:
        shape_ops.check_broadcast(a, b)
        raise


def _binary_operator(op: type[Function]) -> Any:
    """A Tensor operator method for ``op``. Tensors and Python numbers go straight to the op
    (the fast path); NumPy arrays, lists and NumPy scalars through ``_operand``; anything else
    is NotImplemented, so Python can try the other operand."""

    def operator(self: Tensor, other: Any) -> Tensor:
        if other.__class__ not in _DIRECT_OPERANDS:
            other = _operand(other)
            if other is NotImplemented:
                return other
        return op.apply(self, other)

    operator.__doc__ = op.__doc__
    return operator


class Tensor:
    """A multi-dimensional array with automatic differentiation, like ``torch.Tensor``.

    Create tensors with ``gradkit.tensor``, ``zeros``, ``arange``, ``randn``... rather than with
    this class. Shapes broadcast as in PyTorch; ``dtype`` follows PyTorch's promotion rules.

    Example:
        >>> x = gradkit.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([[2., 4.],
                [6., 8.]])
    """

    # ``_view`` is set only on views, as ``(root base, view_fn)`` (see ``_ops/views.py``).
    __slots__ = ("_data", "_grad", "_requires_grad", "grad_fn", "_vc", "_retains_grad", "_view",
                 "__weakref__", "__dict__")
    # Keep NumPy from treating tensors as arrays in mixed expressions: ``np_scalar * tensor``
    # then returns a Tensor through ``__rmul__``.
    __array_ufunc__ = None

    def __init__(self, *args: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        # The legacy constructor, as ``torch.Tensor``: sizes (``Tensor(2, 3)``, uninitialized)
        # or data (``Tensor([1, 2])``), in the default float dtype unless told otherwise.
        from ._creation import legacy_new

        source = legacy_new(_dtype.to_dtype(dtype), args)
        self._data = source._data
        self._grad = None
        self._requires_grad = False
        self.grad_fn = None
        self._vc = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool = False) -> Tensor:
        """A tensor around ``array`` (not copied), outside any graph. Internal fast path."""
        t = cls.__new__(cls)
        t._data = array
        t._grad = None
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._vc = None
        t._retains_grad = False
        return t

    _size_type = Size

    # ------------------------------------------------------------------------------------------
    # attributes
    # ------------------------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The size of each dimension, e.g. ``gradkit.Size([2, 3])``."""
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape (a ``Size``), or the size of one dimension.

        Example:
            >>> gradkit.zeros(2, 3).size(-1)
            3
        """
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[reduction.normalize_dim(dim, self._data.ndim)] \
            if self._data.ndim else _raise(_no_dims_error(dim))

    @property
    def dtype(self) -> DType:
        """The element type, e.g. ``gradkit.float32``."""
        return _dtype._BY_NUMPY[self._data.dtype]

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def device(self) -> device:
        """Always ``device(type='cpu')``."""
        return _CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    layout = "strided"

    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (their ``.grad`` is filled by backward)."""
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The accumulated gradient (leaves, or tensors that called ``retain_grad()``)."""
        if self.grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same values outside the graph: a tensor sharing memory, ``requires_grad=False``.
        In-place changes through ``.data`` are not tracked (``x.data.normal_(0, 0.01)``)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc.value

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed (the transpose of a matrix)."""
        if self._data.ndim == 2:
            return shape_ops.ReverseDims.apply(self, 0, 1)
        if self._data.ndim not in (0, 1):
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape "
                "is deprecated and it will throw an error in a future release. Consider "
                "`x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - "
                "1, -1, -1))` to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
        return self.permute(*reversed(range(self._data.ndim)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of matrix transposes)."""
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    # ------------------------------------------------------------------------------------------
    # conversion
    # ------------------------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory.

        Example:
            >>> gradkit.ones(2).numpy()
            array([1., 1.], dtype=float32)
        """
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead.")
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._data.tolist()

    def __float__(self) -> float:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self._data.reshape(()))

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.reshape(()))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError(
                "only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __complex__(self) -> complex:
        return complex(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __contains__(self, element: Any) -> bool:
        return bool((self == element).any())

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        node = self.grad_fn
        return tensor_repr(self._data, self.dtype.name, _dtype.get_default_dtype().name,
                           node.name() if node is not None else None, self._requires_grad)

    def __str__(self) -> str:
        # Through __repr__ so that subclasses (Parameter) print their own way.
        return self.__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Copies (copy.deepcopy, pickle) rebuild from the values; the graph is not copied.
        return (_rebuild, (self._data.copy(), self._requires_grad if self.grad_fn is None
                           else False))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        new = type(self).__new__(type(self))
        new._data = self._data.copy()
        new._grad = None if self._grad is None else Tensor._wrap(self._grad._data.copy())
        new._requires_grad = self._requires_grad
        new.grad_fn = None
        new._vc = None
        new._retains_grad = False
        for key, value in getattr(self, "__dict__", {}).items():
            import copy

            setattr(new, key, copy.deepcopy(value, memo))
        memo[id(self)] = new
        return new

    def type(self, dtype: Any = None) -> Any:
        """With no argument, the type name (``'gradkit.FloatTensor'``); with a dtype, a converted
        tensor (as ``.to(dtype)``)."""
        if dtype is None:
            return f"{_dtype.display_name()}." + _legacy_type_name(self._data)
        if isinstance(dtype, str):
            name = dtype.split(".")[-1]
            lookup = {"FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64,
                      "LongTensor": _dtype.int64, "IntTensor": _dtype.int32,
                      "BoolTensor": _dtype.bool_, "ByteTensor": _dtype.uint8,
                      "HalfTensor": _dtype.float16}
            if name not in lookup:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = lookup[name]
        return self.to(dtype)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """Convert to a dtype (``x.to(gradkit.float64)``); devices other than ``"cpu"`` raise.

        Returns ``self`` when nothing changes, as PyTorch does.
        """
        target = parse_to_arguments(args, kwargs)
        copy = kwargs.get("copy", False)
        if target is None or target.numpy == self._data.dtype:
            return self.clone() if copy else self
        return ew.Cast.apply(self, dtype=target.numpy)

    def cpu(self) -> Tensor:
        """The tensor itself (gradkit lives on the CPU)."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        """Raises, as PyTorch without CUDA: gradkit has no GPU backend."""
        raise AssertionError(NO_CUDA)

    def float(self) -> Tensor:
        """As float32."""
        return self.to(_dtype.float32)

    def double(self) -> Tensor:
        """As float64."""
        return self.to(_dtype.float64)

    def half(self) -> Tensor:
        """As float16."""
        return self.to(_dtype.float16)

    def long(self) -> Tensor:
        """As int64."""
        return self.to(_dtype.int64)

    def int(self) -> Tensor:
        """As int32."""
        return self.to(_dtype.int32)

    def short(self) -> Tensor:
        """As int16."""
        return self.to(_dtype.int16)

    def byte(self) -> Tensor:
        """As uint8."""
        return self.to(_dtype.uint8)

    def bool(self) -> Tensor:
        """As bool."""
        return self.to(_dtype.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        """Converted to ``other``'s dtype."""
        return self.to(other.dtype)

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self._data.dtype.kind == "f"

    def stride(self, dim: Optional[int] = None) -> Any:
        """Elements to step in memory per index of each dim, as ``torch.Tensor.stride``.

        Example:
            >>> gradkit.zeros(2, 3).stride(), gradkit.zeros(2, 3).t().stride(0)
            ((3, 1), 1)
        """
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        if dim is None:
            return steps
        return steps[reduction.normalize_dim(dim, self._data.ndim)] \
            if self._data.ndim else _raise(_no_dims_error(dim))

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the elements lie in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """The tensor itself if contiguous, else a contiguous copy."""
        if self._data.flags.c_contiguous:
            return self
        return ew.Clone.apply(self)

    def clone(self, *, memory_format: Any = None) -> Tensor:
        """A copy with its own memory, still connected to the graph."""
        return ew.Clone.apply(self)

    def detach(self) -> Tensor:
        """The same memory outside the graph (shares the version counter, as PyTorch)."""
        t = Tensor._wrap(self._data)
        if self._vc is None:
            self._vc = VersionCounter()
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        """Take this tensor out of the graph, in place."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return the tensor.

        Example:
            >>> x = gradkit.arange(4.0).requires_grad_()
        """
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            engine.retain(self.grad_fn, self)
            self._retains_grad = True

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed; the hook may
        return a tensor to use instead. Hooks run in registration order, before a leaf's
        ``.grad`` accumulates (and before ``retain_grad`` stores a non-leaf's).

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Example:
            >>> x = gradkit.ones(2, requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 2)
            >>> (x * 3).sum().backward(); x.grad
            tensor([6., 6.])
            >>> h.remove()
        """
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            hooks = self.__dict__.setdefault("_backward_hooks", OrderedDict())
        else:
            # A non-leaf's gradient is its node's incoming gradient: the node runs the hooks.
            if self.grad_fn.tensor_hooks is None:
                self.grad_fn.tensor_hooks = OrderedDict()
                self.grad_fn.observed = True
            hooks = self.grad_fn.tensor_hooks
        return RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(tensor)`` on a leaf after its ``.grad`` has been accumulated (e.g. to
        step an optimizer per parameter).

        Example:
            >>> w.register_post_accumulate_grad_hook(lambda p: print(p.grad))
        """
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        return RemovableHandle(self.__dict__.setdefault("_post_accumulate_grad_hooks",
                                                        OrderedDict()),
                               hook)

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains_grad

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor w.r.t. the graph's leaves into their ``.grad``.

        Args:
            gradient: d(result)/d(self), same shape; needed unless this tensor has one element.
            retain_graph: keep the graph for another backward.
            inputs: accumulate only into these leaves.

        Example:
            >>> y = x * x
            >>> y.backward(gradkit.ones(len(x)))   # same as y.sum().backward()
        """
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # ------------------------------------------------------------------------------------------
    # arithmetic operators
    # ------------------------------------------------------------------------------------------
    __add__ = __radd__ = _binary_operator(ew.Add)
    __sub__ = _binary_operator(ew.Sub)
    __rsub__ = _binary_operator(ew.RSub)
    __mul__ = __rmul__ = _binary_operator(ew.Mul)
    __truediv__ = _binary_operator(ew.Div)
    __rtruediv__ = _binary_operator(ew.RDiv)

    def __floordiv__(self, other: Any) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _plain_binary(ew.floor_divide, other, self._data)

    def __mod__(self, other: Any) -> Tensor:
        return self.remainder(other)

    def __rmod__(self, other: Any) -> Tensor:
        return _plain_binary(np.remainder, *ew.promote(other, self._data))

    def __pow__(self, exponent: Any) -> Tensor:
        return self.pow(exponent)

    def __rpow__(self, base: Any) -> Tensor:
        base = _operand(base)
        if isinstance(base, Tensor):
            return base.pow(self)
        return ew.RPow.apply(self, base)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _operand(other).matmul(self)

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __invert__(self) -> Tensor:
        if self._data.dtype == np.bool_:
            return _plain(~self._data)
        if self._data.dtype.kind in "iu":
            return _plain(np.invert(self._data))
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")

    def _logical(self, other: Any, ufunc: Any, name: str) -> Tensor:
        other_data = getattr(_operand(other), "_data", other)
        a, b = ew.promote(self._data, other_data)
        if np.asarray(a).dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            # PyTorch's dtype-dispatch errors are NotImplementedError.
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'Float\'')
        return _plain_binary(ufunc, a, b)

    def __and__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_and, "bitwise_and")

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_or, "bitwise_or")

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return self._logical(other, np.bitwise_xor, "bitwise_xor")

    __rxor__ = __xor__

    # comparisons: bool results, never differentiable
    def _compare(self, other: Any, ufunc: Any) -> Tensor:
        other = _operand(other)
        if other is NotImplemented:
            return other
        return _plain_binary(ufunc, *ew.promote(self._data, getattr(other, "_data", other)))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:
            return False  # type: ignore[return-value]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        if other is None:
            return True  # type: ignore[return-value]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        """Elementwise ``<`` (bool tensor)."""
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        """Elementwise ``<=`` (bool tensor)."""
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        """Elementwise ``>`` (bool tensor)."""
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        """Elementwise ``>=`` (bool tensor)."""
        return self._compare(other, np.greater_equal)

    lt, le, gt, ge = __lt__, __le__, __gt__, __ge__

    def eq(self, other: Any) -> Tensor:
        """Elementwise ``==`` (bool tensor)."""
        return self._compare(other, np.equal)

    def ne(self, other: Any) -> Tensor:
        """Elementwise ``!=`` (bool tensor)."""
        return self._compare(other, np.not_equal)

    def equal(self, other: Tensor) -> bool:
        """True when both tensors have the same shape and values."""
        return self._data.shape == other._data.shape and bool(np.all(self._data == other._data))

    def allclose(self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """True when all values are close: ``|a - b| <= atol + rtol·|b|``."""
        return bool(np.allclose(self._data, _operand(other)._data, rtol=rtol, atol=atol,
                                equal_nan=equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        """Elementwise closeness (bool tensor)."""
        return _plain(np.isclose(self._data, getattr(other, "_data", other), rtol=rtol,
                                 atol=atol, equal_nan=equal_nan))

    def logical_not(self) -> Tensor:
        """Elementwise NOT (bool tensor)."""
        return _plain(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        """Elementwise AND (bool tensor)."""
        return _plain_binary(np.logical_and, self._data, getattr(other, "_data", other))

    def logical_or(self, other: Any) -> Tensor:
        """Elementwise OR (bool tensor)."""
        return _plain_binary(np.logical_or, self._data, getattr(other, "_data", other))

    def logical_xor(self, other: Any) -> Tensor:
        """Elementwise XOR (bool tensor)."""
        return _plain_binary(np.logical_xor, self._data, getattr(other, "_data", other))

    def isnan(self) -> Tensor:
        """Where the values are NaN (bool tensor)."""
        return _plain(np.isnan(self._data))

    def isinf(self) -> Tensor:
        """Where the values are ±inf (bool tensor)."""
        return _plain(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        """Where the values are finite (bool tensor)."""
        return _plain(np.isfinite(self._data))

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where all values (along ``dim``) are nonzero."""
        axes = reduction.normalize_dims(dim, self._data.ndim)
        return _plain(np.all(self._data, axis=axes, keepdims=keepdim))

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """True where any value (along ``dim``) is nonzero."""
        axes = reduction.normalize_dims(dim, self._data.ndim)
        return _plain(np.any(self._data, axis=axes, keepdims=keepdim))

    # ------------------------------------------------------------------------------------------
    # named arithmetic and math
    # ------------------------------------------------------------------------------------------
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self + alpha * other``."""
        return _binary_alpha(ew.Add, self, other, alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self - alpha * other``."""
        return _binary_alpha(ew.Sub, self, other, alpha)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        """``self * other``."""
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other``; ``rounding_mode`` ``"floor"`` or ``"trunc"`` rounds the quotient."""
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode == "trunc":
            other_data = getattr(other, "_data", other)
            a, b = ew.true_divide_operands(self._data, other_data)
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.trunc(np.asarray(a / b))
            return _plain(q.astype(ew.result_dtype(self._data, other_data)))
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'")

    divide = div
    true_divide = __truediv__

    def floor_divide(self, other: Any) -> Tensor:
        """``self // other``, rounding toward minus infinity (not differentiable)."""
        return _plain_binary(ew.floor_divide, self._data,
                             getattr(_operand(other), "_data", other))

    def remainder(self, other: Any) -> Tensor:
        """``self % other`` with the sign of ``other``."""
        return ew.Remainder.apply(self, _operand(other))

    def fmod(self, other: Any) -> Tensor:
        """C's ``fmod``: the remainder with the sign of ``self`` (``remainder`` takes the sign of
        ``other``). d/dself = 1, d/dother = -trunc(self / other)."""
        other = _operand(other)
        other_data = getattr(other, "_data", other)
        if ew.result_dtype(self._data, other_data).kind != "f":
            a, b = ew.promote(self._data, other_data)
            ew._check_integer_division(a, b)
            return _plain_binary(np.fmod, a, b)  # integers: exact, not differentiable
        # self - other * trunc(self / other), with the quotient outside the graph: the
        # chain rule of this composition is exactly fmod's derivative.
        return self - other * (self / other).trunc()

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent`` (tensor or scalar exponent)."""
        exponent = _operand(exponent)
        if exponent is NotImplemented:
            raise TypeError("pow() exponent must be a number or a Tensor")
        return ew.Pow.apply(self, exponent)

    def square(self) -> Tensor:
        """``self ** 2``."""
        return ew.Pow.apply(self, 2)

    def neg(self) -> Tensor:
        """``-self``."""
        return ew.Neg.apply(self)

    negative = neg

    def abs(self) -> Tensor:
        """``|self|``."""
        return ew.Abs.apply(self)

    absolute = abs

    def exp(self) -> Tensor:
        """``e ** self``."""
        return ew.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm."""
        return ew.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Square root."""
        return ew.Sqrt.apply(self)

    def rsqrt(self) -> Tensor:
        """``1 / sqrt(self)``."""
        return 1 / ew.Sqrt.apply(self)

    def sin(self) -> Tensor:
        """Sine."""
        return ew.Sin.apply(self)

    def cos(self) -> Tensor:
        """Cosine."""
        return ew.Cos.apply(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
        return ew.Tanh.apply(self)

    def sinh(self) -> Tensor:
        """Hyperbolic sine."""
        return book_ops.Sinh.apply(self)

    def cosh(self) -> Tensor:
        """Hyperbolic cosine."""
        return book_ops.Cosh.apply(self)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False
                ) -> Tensor:
        """int64 indices that sort ``self`` along ``dim`` (ties keep their order)."""
        return _plain(book_ops.argsort_indices(self._data, dim, descending, stable))

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the nonzero elements: ``(n, ndim)`` int64, or one vector per dim."""
        found = book_ops.nonzero_indices(self._data, as_tuple)
        return tuple(_plain(i) for i in found) if as_tuple else _plain(found)

    def repeat_interleave(self, repeats: Any, dim: Any = None, *,
                          output_size: Any = None) -> Tensor:
        """Each element (each slice along ``dim``) repeated ``repeats`` times, in place order:
        ``tensor([1, 2]).repeat_interleave(2)`` is ``tensor([1, 1, 2, 2])``."""
        if isinstance(repeats, Tensor):
            repeats = repeats._data
        elif not isinstance(repeats, (int, np.integer)) or isinstance(repeats, bool):
            raise TypeError(f"repeat_interleave(): argument 'repeats' must be int or Tensor, "
                            f"not {type(repeats).__name__}")
        elif repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        source = self.reshape(-1) if dim is None else self
        axis = 0 if dim is None else reduction.normalize_dim(dim, self.ndim)
        if source.ndim == 0:
            source = source.reshape(1)
        counts = book_ops.repeat_counts(repeats, source.shape[axis], axis)
        if output_size is not None and int(counts.sum()) != output_size:
            raise RuntimeError("allocated size does not match required size")
        return book_ops.RepeatInterleave.apply(source, counts, axis)

    def sigmoid(self) -> Tensor:
        """``1 / (1 + exp(-self))``."""
        return ew.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        """``max(self, 0)``."""
        return ew.Relu.apply(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1 (not differentiable)."""
        return _plain(np.sign(self._data))

    def floor(self) -> Tensor:
        """Round down (not differentiable)."""
        return _plain(np.floor(self._data))

    def ceil(self) -> Tensor:
        """Round up (not differentiable)."""
        return _plain(np.ceil(self._data))

    def round(self, *, decimals: int = 0) -> Tensor:
        """Round half to even (not differentiable)."""
        return _plain(np.round(self._data, decimals))

    def trunc(self) -> Tensor:
        """Round toward zero (not differentiable)."""
        return _plain(np.trunc(self._data))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """Limit the values to ``[min, max]``."""
        return ew.Clamp.apply(self, low=_scalar(min), high=_scalar(max))

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        """Elementwise maximum of two tensors."""
        return ew.Maximum.apply(self, _tensor_operand(other, "maximum"))

    def minimum(self, other: Tensor) -> Tensor:
        """Elementwise minimum of two tensors."""
        return ew.Minimum.apply(self, _tensor_operand(other, "minimum"))

    # ------------------------------------------------------------------------------------------
    # reductions
    # ------------------------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            axis: Any = None, keepdims: Any = None) -> Tensor:
        """Sum over ``dim`` (all elements by default); ``axis``/``keepdims`` are aliases.

        Example:
            >>> gradkit.ones(2, 3).sum(dim=0)
            tensor([2., 2., 2.])
        """
        dim, keepdim = _dim_alias(dim, axis, keepdim, keepdims)
        return reduction.Sum.apply(self, dim=dim, keepdim=keepdim, dtype=_np_dtype(dtype))

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             axis: Any = None, keepdims: Any = None) -> Tensor:
        """Mean over ``dim`` (floating-point tensors only, as PyTorch)."""
        dim, keepdim = _dim_alias(dim, axis, keepdim, keepdims)
        return reduction.Mean.apply(self, dim=dim, keepdim=keepdim, dtype=_np_dtype(dtype))

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        """Product over all elements or one ``dim``."""
        return reduction.Prod.apply(self, dim=dim, keepdim=keepdim, dtype=_np_dtype(dtype))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The largest value; with ``dim`` a ``(values, indices)`` pair; with a tensor, the
        elementwise maximum (``torch.max(a, b)``)."""
        return _max_min(self, dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The smallest value; with ``dim`` a ``(values, indices)`` pair; with a tensor, the
        elementwise minimum."""
        return _max_min(self, dim, keepdim, largest=False)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The largest values over ``dim`` (gradient shared among ties)."""
        return reduction.MaxAll.apply(self, dim=dim if dim != () else None, keepdim=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        """The smallest values over ``dim`` (gradient shared among ties)."""
        return reduction.MaxAll.apply(self, dim=dim if dim != () else None, keepdim=keepdim,
                                      largest=False)

    def argmax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """The index of the largest value (of the flattened tensor when ``dim`` is None)."""
        return _arg_extreme(self, dim if axis is None else axis, keepdim, np.argmax)

    def argmin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Tensor:
        """The index of the smallest value (of the flattened tensor when ``dim`` is None)."""
        return _arg_extreme(self, dim if axis is None else axis, keepdim, np.argmin)

    def cumsum(self, dim: Any = None, *, dtype: Any = None, axis: Any = None) -> Tensor:
        """Cumulative sum along ``dim``."""
        dim = dim if axis is None else axis
        if dim is None:
            raise TypeError("cumsum() missing 1 required positional arguments: \"dim\"")
        return reduction.Cumsum.apply(self, dim, dtype=_np_dtype(dtype))

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False,
             dtype: Any = None) -> Tensor:
        """The vector 2-norm (matrix Frobenius norm) by default; ``p=1`` or ``inf`` too."""
        return reduction.Norm.apply(self, p=2 if p is None else p, dim=dim, keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Variance over ``dim``; unbiased (divides by N - 1) unless ``unbiased=False`` or
        ``correction=0``."""
        dim, correction = _var_args(dim, unbiased, correction)
        return reduction.Var.apply(self, dim=dim, correction=correction, keepdim=keepdim)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        """Standard deviation over ``dim`` (unbiased by default, as ``var``)."""
        dim, correction = _var_args(dim, unbiased, correction)
        return reduction.Std.apply(self, dim=dim, correction=correction, keepdim=keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        """``log(sum(exp(self), dim))`` computed without overflow."""
        return reduction.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    # ------------------------------------------------------------------------------------------
    # linear algebra
    # ------------------------------------------------------------------------------------------
    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with PyTorch's rules for 1-D, 2-D and batched operands."""
        return linalg.Matmul.apply(self, _tensor_operand(other, "matmul"))

    def mm(self, mat2: Tensor) -> Tensor:
        """Product of two matrices."""
        linalg.check_mm(self._data, _tensor_operand(mat2, "mm")._data)
        return self.matmul(mat2)

    def mv(self, vec: Tensor) -> Tensor:
        """Matrix-vector product."""
        linalg.check_mv(self._data, _tensor_operand(vec, "mv")._data)
        return self.matmul(vec)

    def dot(self, other: Tensor) -> Tensor:
        """Dot product of two 1-D tensors."""
        linalg.check_dot(self._data, _tensor_operand(other, "dot")._data)
        return self.matmul(other)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of two 3-D tensors."""
        linalg.check_bmm(self._data, _tensor_operand(mat2, "bmm")._data)
        return linalg.Bmm.apply(self, mat2)

    # ------------------------------------------------------------------------------------------
    # shape
    # ------------------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one size may be -1)."""
        shape = _size_args(shape)
        return track_view(shape_ops.Reshape.apply(self, shape=shape), self,
                          lambda a: a.reshape(shape))

    def view(self, *shape: Any) -> Tensor:
        """Like ``reshape`` but always a view; a dtype argument reinterprets the bytes."""
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Tensor, np.integer)):
            return Tensor._wrap(self._data.view(_dtype.to_dtype(shape[0]).numpy))
        shape = _size_args(shape)
        return track_view(shape_ops.View.apply(self, shape=shape), self,
                          lambda a: a.reshape(shape))

    def view_as(self, other: Tensor) -> Tensor:
        """A view with ``other``'s shape."""
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        """Reshaped to ``other``'s shape."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims ``start_dim..end_dim`` into one."""
        ndim = self._data.ndim
        if ndim == 0:
            return self.reshape(1)
        start = reduction.normalize_dim(start_dim, ndim)
        end = reduction.normalize_dim(end_dim, ndim)
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self._data.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:]) if start != end else self

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove dims of size 1 (all, or those in ``dim``)."""
        out = shape_ops.Squeeze.apply(self, dim=dim)
        return track_view(out, self, lambda a: a.reshape(out._data.shape))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dim of size 1 at ``dim``."""
        out = shape_ops.Unsqueeze.apply(self, dim=dim)
        return track_view(out, self, lambda a: a.reshape(out._data.shape))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        out = shape_ops.Transpose.apply(self, dim0, dim1)
        return track_view(out, self, lambda a: np.swapaxes(a, dim0, dim1) if a.ndim else a)

    swapaxes = transpose

    def t(self) -> Tensor:
        """Transpose of a matrix (0-D and 1-D tensors are returned as they are)."""
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self._data.ndim}D")
        if self._data.ndim != 2:
            return self
        return track_view(shape_ops.MatrixTranspose.apply(self, 0, 1), self, lambda a: a.T)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder dims."""
        dims = _size_args(dims)
        return track_view(shape_ops.Permute.apply(self, dims=dims), self,
                          lambda a: np.transpose(a, dims))

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """A view of the windows of length ``size`` along ``dimension``, ``step`` apart:
        that dim becomes the window index, and a last dim of length ``size`` is appended
        (see ``gradkit._ops.windows``).

        Example:
            >>> gradkit.arange(6.0).unfold(0, 3, 1).shape
            gradkit.Size([4, 3])
        """
        from ._ops.windows import UnfoldWindows, windows_of

        for name, value in (("dimension", dimension), ("size", size), ("step", step)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                position = ("dimension", "size", "step").index(name) + 1
                raise TypeError(f"unfold(): argument '{name}' (position {position}) must be "
                                f"int, not {type(value).__name__}")
        dim = reduction.normalize_dim(dimension, self._data.ndim)
        length = self._data.shape[dim] if self._data.ndim else 1
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > length:
            raise RuntimeError(f"maximum size for tensor at dimension {dim} is {length} but "
                               f"size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        if self._data.ndim == 0:  # PyTorch: a 0-d tensor's one window is the tensor itself
            return self.reshape(1)[:size]
        out = UnfoldWindows.apply(self, dimension=dim, size=size, step=step)
        return track_view(out, self, lambda a: windows_of(a, dim, size, step))

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to a larger shape without copying (-1 keeps a size)."""
        return shape_ops.Expand.apply(self, sizes=_size_args(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        """Broadcast to ``other``'s shape."""
        return self.expand(other.shape)

    def repeat(self, *repeats: Any) -> Tensor:
        """Tile the tensor along each dim."""
        return shape_ops.Repeat.apply(self, repeats=_size_args(repeats))

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed
        sizes."""
        axis = reduction.normalize_dim(dim, self._data.ndim)
        length = self._data.shape[axis]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != length:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {length} (input "
                    f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
        else:
            step = int(split_size_or_sections)
            if step <= 0 and length:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {length}")
            sizes = [min(step, length - i) for i in range(0, length, step)] if length else [0]
        pieces, start = [], 0
        for s in sizes:
            index = (slice(None),) * axis + (slice(start, start + s),)
            pieces.append(self[index])
            start += s
        return tuple(pieces)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` nearly equal pieces along ``dim``."""
        if chunks <= 0:
            raise RuntimeError("chunk expects `chunks` to be greater than 0, got: "
                               f"{chunks}")
        length = self._data.shape[reduction.normalize_dim(dim, self._data.ndim)]
        return self.split(max(1, -(-length // chunks)), dim)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, with that dim removed."""
        axis = reduction.normalize_dim(dim, self._data.ndim)
        return tuple(self[(slice(None),) * axis + (i,)] for i in range(self._data.shape[axis]))

    # ------------------------------------------------------------------------------------------
    # indexing
    # ------------------------------------------------------------------------------------------
    def __getitem__(self, index: Any) -> Tensor:
        if type(index) is Tensor and index._data.dtype in _ROW_INDEX_DTYPES and index._data.ndim \
                and self._data.ndim:
            # A batch of row indices (``features[batch_indices]``, every minibatch of the
            # scratch recipes): nothing to convert, and NumPy's own bounds error is turned
            # into PyTorch's by GetItem.
            return indexing.GetItem.apply(self, index=(index._data,), advanced=True)
        np_index, advanced = indexing.to_numpy_index(index, self._data.shape)
        out = indexing.GetItem.apply(self, index=np_index, advanced=advanced)
        if advanced:
            return out  # advanced indexing copies, as in PyTorch
        return track_view(out, self, lambda a: a[np_index])

    def __setitem__(self, index: Any, value: Any) -> None:
        indexing.check_byte_mask_fill(index, value)
        np_index, _ = indexing.to_numpy_index(index, self._data.shape)
        operand = _operand(value)
        if operand is NotImplemented:
            raise TypeError(f"can't assign a {type(value).__name__} to a Tensor")
        self._check_inplace()
        if _grad_state.enabled and (self._requires_grad or getattr(operand, "_requires_grad",
                                                                   False)):
            self._inplace_from(indexing.IndexPut.apply(self._snapshot(), operand,
                                                       index=np_index))
            return
        indexing.assign(self._data, np_index, getattr(operand, "_data", operand))
        self._bump()

    # ------------------------------------------------------------------------------------------
    # in-place ops
    # ------------------------------------------------------------------------------------------
    def _check_inplace(self) -> None:
        if _grad_state.enabled:
            if self._requires_grad and self.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad is being used in an in-place operation.")
            view = getattr(self, "_view", None)
            if view is not None and view[0]._requires_grad and view[0].grad_fn is None:
                raise RuntimeError(
                    "a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.")
        if not self._data.flags.writeable:
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")

    def _bump(self) -> None:
        if self._vc is not None:
            self._vc.value += 1

    def _snapshot(self) -> Tensor:
        """This tensor's current value and graph position, for recording an in-place op."""
        t = Tensor._wrap(self._data.copy(), self._requires_grad)
        t.grad_fn = self.grad_fn
        return t

    def _inplace_from(self, result: Tensor) -> Tensor:
        """Make ``self`` take ``result``'s values (in its own memory) and graph position."""
        _check_cast(result._data.dtype, self._data.dtype)
        if result._data.shape != self._data.shape:
            shape_ops.check_fits(self._data.shape, result._data.shape)
        np.copyto(self._data, result._data, casting="unsafe")
        view = getattr(self, "_view", None)
        if view is not None and result._requires_grad:
            # Written through a view: the root base's graph node changes (CopySlices), and this
            # view is re-derived from the new base.
            root, view_fn = view
            position = Tensor._wrap(root._data, root._requires_grad)
            position.grad_fn = root.grad_fn
            root.grad_fn = ViewWrite.apply(position, result, view_fn=view_fn).grad_fn
            root._requires_grad = True
            self.grad_fn = ViewOf.apply(root, view_fn=view_fn).grad_fn
            self._requires_grad = True
        else:
            self.grad_fn = result.grad_fn
            self._requires_grad = result._requires_grad
        self._bump()
        return self

    def _inplace_binary(self, op: type[Function], ufunc: Any, other: Any) -> Tensor:
        a = self._data
        if not _grad_state.enabled and a.dtype.kind == "f" and a.flags.writeable:
            # Under no_grad (every optimizer step, the book's ``sgd``): a float tensor updated
            # by a tensor of its own dtype or a Python number needs no graph, no promotion and
            # no cast check. Anything else, or shapes that do not fit, takes the full path.
            b = other._data if type(other) is Tensor else other
            if (type(b) is _ndarray and b.dtype is a.dtype) or type(b) is float \
                    or type(b) is int:
                try:
                    ufunc(a, b, out=a)
                except ValueError:
                    pass
                else:
                    if self._vc is not None:
                        self._vc.value += 1
                    return self
        other = _operand(other)
        if other is NotImplemented:
            raise TypeError("unsupported operand for an in-place op")
        self._check_inplace()
        if _grad_state.enabled and (self._requires_grad or getattr(other, "_requires_grad",
                                                                   False)):
            return self._inplace_from(op.apply(self._snapshot(), other))
        a = self._data
        b = getattr(other, "_data", other)
        _check_cast(ew.result_dtype(a, b) if ufunc is not np.true_divide
                    else np.result_type(ew.true_divide_operands(a, b)[0]), a.dtype)
        try:
            if type(b) is _ndarray and b.dtype != a.dtype:
                b = b.astype(a.dtype)
            ufunc(a, b, out=a, casting="unsafe")
        except ValueError:
            shape_ops.check_broadcast(a, b)
            raise RuntimeError(
                f"output with shape {list(a.shape)} doesn't match the broadcast shape "
                f"{list(np.broadcast_shapes(a.shape, np.shape(b)))}") from None
        self._bump()
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace_binary(ew.Add, np.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace_binary(ew.Sub, np.subtract, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace_binary(ew.Mul, np.multiply, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace_binary(ew.Div, np.true_divide, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In place: ``self += alpha * other``."""
        return self._inplace_binary(ew.Add, np.add, other if alpha == 1 else other * alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """In place: ``self -= alpha * other``."""
        return self._inplace_binary(ew.Sub, np.subtract, other if alpha == 1 else other * alpha)

    def mul_(self, other: Any) -> Tensor:
        """In place: ``self *= other``."""
        return self._inplace_binary(ew.Mul, np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """In place: ``self /= other``."""
        return self._inplace_binary(ew.Div, np.true_divide, other)

    def pow_(self, exponent: Any) -> Tensor:
        """In place: ``self **= exponent``."""
        return self._inplace_binary(ew.Pow, np.power, exponent)

    def _inplace_unary(self, result: Tensor) -> Tensor:
        """Store an out-of-place result (computed from ``self``) back into ``self``."""
        self._check_inplace()
        if result.grad_fn is not None:
            return self._inplace_from(result)
        _check_cast(result._data.dtype, self._data.dtype)
        np.copyto(self._data, result._data, casting="unsafe")
        self._bump()
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """In place: limit the values to ``[min, max]``."""
        source = self._snapshot() if self._requires_grad else self
        return self._inplace_unary(source.clamp(min, max))

    clip_ = clamp_

    def exp_(self) -> Tensor:
        """In place: ``e ** self``."""
        return self._inplace_unary((self._snapshot() if self._requires_grad else self).exp())

    def relu_(self) -> Tensor:
        """In place: ``max(self, 0)``."""
        return self._inplace_unary((self._snapshot() if self._requires_grad else self).relu())

    def neg_(self) -> Tensor:
        """In place: ``-self``."""
        return self._inplace_unary((self._snapshot() if self._requires_grad else self).neg())

    def zero_(self) -> Tensor:
        """In place: set every element to 0.

        Example:
            >>> w.grad.zero_()
        """
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """In place: set every element to ``value``."""
        if (type(value) is int or type(value) is float) and not self._requires_grad \
                and self._data.dtype.kind == "f" and self._data.flags.writeable:
            # Nothing to record or check (``param.grad.zero_()``): a leaf that requires grad
            # and views of one take the full path, which knows their errors.
            if getattr(self, "_view", None) is None or not _grad_state.enabled:
                self._data.fill(value)
                if self._vc is not None:
                    self._vc.value += 1
                return self
        self._check_inplace()
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value._data.ndim} dimensions.")
            value = value.item()
        if _grad_state.enabled and self._requires_grad:
            # The old values no longer matter: no gradient flows back through the fill.
            return self._inplace_from(_Fill.apply(self._snapshot(), value=value))
        self._data[...] = value
        self._bump()
        return self

    def copy_(self, src: Tensor, non_blocking: bool = False) -> Tensor:
        """In place: copy ``src``'s values (broadcast, converted) into ``self``."""
        src = _operand(src)
        self._check_inplace()
        source = getattr(src, "_data", src)
        if np.shape(source) != self._data.shape:
            shape_ops.check_fits(self._data.shape, np.shape(source))
        if _grad_state.enabled and (self._requires_grad or getattr(src, "_requires_grad", False)):
            return self._inplace_from(
                indexing.IndexPut.apply(self._snapshot(), src, index=(Ellipsis,)))
        np.copyto(self._data, source, casting="unsafe")
        self._bump()
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """In place: fill with samples from N(mean, std²).

        Example:
            >>> net[0].weight.data.normal_(0, 0.01)
        """
        from . import random as _random

        self._check_inplace()
        self._data[...] = _random.normal_array(mean, std, self._data.shape,
                                               self._data.dtype, generator)
        self._bump()
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """In place: fill with samples from U(a, b)."""
        from . import random as _random

        self._check_inplace()
        self._data[...] = _random.uniform_array(a, b, self._data.shape, self._data.dtype,
                                                generator)
        self._bump()
        return self

    def bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
        """In place: fill with 1 with probability ``p``, else 0."""
        from . import random as _random

        self._check_inplace()
        self._data[...] = _random.uniform_array(0.0, 1.0, self._data.shape, np.float64,
                                                generator) < p
        self._bump()
        return self

    # activations that PyTorch also has as methods
    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """``exp(x) / sum(exp(x), dim)``, computed stably."""
        from .nn import functional as F

        return F.softmax(self, dim)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        """``x - logsumexp(x, dim)``."""
        from .nn import functional as F

        return F.log_softmax(self, dim)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size`` with this tensor's dtype (unless given)."""
        target = _dtype.to_dtype(dtype) if dtype is not None else self.dtype
        return Tensor._wrap(np.zeros(_size_args(size), target.numpy), requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones of ``size`` with this tensor's dtype (unless given)."""
        target = _dtype.to_dtype(dtype) if dtype is not None else self.dtype
        return Tensor._wrap(np.ones(_size_args(size), target.numpy), requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A new tensor from ``data`` with this tensor's dtype (unless given)."""
        from ._creation import tensor as make_tensor

        return make_tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


class _Fill(Function):
    """``fill_`` on a tensor in a graph: the result no longer depends on the old values."""

    node_name = "FillBackward2"

    node_name = "FillBackward0"

    @staticmethod
    def forward(ctx, a, value=0):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)

    backward_graph = backward  # a constant zero gradient either way


def _rebuild(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor._wrap(array, requires_grad)


def _no_dims_error(dim: Any) -> IndexError:
    """PyTorch's error for ``size(dim)`` / ``stride(dim)`` of a 0-d tensor."""
    return IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def _raise(error: Exception) -> Any:
    raise error


def _check_cast(source: np.dtype, target: np.dtype) -> None:
    """PyTorch refuses in-place results of a higher category (float into an int tensor)."""
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    if order[np.dtype(source).kind] > order[np.dtype(target).kind]:
        names = {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool"}
        raise RuntimeError(
            f"result type {names[np.dtype(source).kind]} can't be cast to the desired output "
            f"type {names[np.dtype(target).kind]}")


def _scalar(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value._data
    return value


def _tensor_operand(value: Any, name: str) -> Tensor:
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not "
                    f"{type(value).__name__}")


def _binary_alpha(op: type[Function], a: Tensor, other: Any, alpha: Any) -> Tensor:
    other = _operand(other)
    if other is NotImplemented:
        raise TypeError(f"unsupported operand type {type(other).__name__}")
    return op.apply(a, other, alpha=alpha)


def _dim_alias(dim: Any, axis: Any, keepdim: Any, keepdims: Any) -> tuple[Any, bool]:
    """PyTorch accepts NumPy's ``axis``/``keepdims`` spellings too."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, bool(keepdim)


def _np_dtype(d: Any) -> Any:
    return None if d is None else _dtype.to_dtype(d).numpy


def _var_args(dim: Any, unbiased: Any, correction: Any) -> tuple[Any, Any]:
    if isinstance(dim, bool):  # the old positional form var(unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _max_min(t: Tensor, dim: Any, keepdim: bool, largest: bool) -> Any:
    if isinstance(dim, Tensor):
        op = ew.Maximum if largest else ew.Minimum
        return op.apply(t, dim)
    if dim is None:
        return reduction.MaxAll.apply(t, dim=None, keepdim=False, largest=largest)
    values = reduction.MaxDim.apply(t, dim, keepdim=keepdim, largest=largest)
    ctx = values.grad_fn
    if ctx is None:
        # Not recorded: recompute the indices (cheap next to a graph's bookkeeping).
        axis = reduction.normalize_dim(dim, t._data.ndim)
        if t._data.ndim == 0:
            indices = np.zeros((), np.int64)
        else:
            indices = (np.argmax if largest else np.argmin)(t._data, axis=axis,
                                                             keepdims=keepdim)
    else:
        indices = reduction.max_dim_indices(ctx)
    kind = return_types.max if largest else return_types.min
    return kind(values, _plain(np.asarray(indices, dtype=np.int64)))


def _arg_extreme(t: Tensor, dim: Any, keepdim: bool, fn: Any) -> Tensor:
    data = t._data
    if data.dtype == np.bool_:
        raise RuntimeError(f"{fn.__name__}(): does not support bool input")
    if data.size == 0 and dim is None:
        raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for "
                         "input.numel() == 0.")
    if dim is None:
        out = fn(data.reshape(-1))
        if keepdim:
            out = np.reshape(out, (1,) * data.ndim)
        return _plain(np.asarray(out, dtype=np.int64))
    axis = reduction.normalize_dim(dim, data.ndim)
    if data.ndim == 0:
        return _plain(np.zeros((), np.int64))
    if data.shape[axis] == 0:
        raise IndexError(f"{fn.__name__}(): Expected reduction dim {axis} to have non-zero size.")
    return _plain(np.asarray(fn(data, axis=axis, keepdims=keepdim), dtype=np.int64))


Function.tensor_type = Tensor
_DIRECT_OPERANDS = frozenset({Tensor, float, int})
