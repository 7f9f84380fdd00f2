"""The function aliases the book's shared code calls (``d2l.reshape``, ``d2l.reduce_sum``...).

Both editions define them (they let one text serve several frameworks); 1.0.3 adds a few
(``meshgrid``, ``sinh``, ``cosh``, ``expand_dims``, ``swapaxes``, ``repeat``). Each alias looks
its torch function up when called, so a function gradkit gains later (or that a test replaces)
is the one used.

Example:
    >>> d2l.reduce_sum(d2l.ones(2, 3), axis=1)
    tensor([3., 3.])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import gradkit as torch

__all__ = [
    "ones_like", "ones", "zeros_like", "zeros", "tensor", "arange", "meshgrid", "linspace", "eye",
    "sin", "sinh", "cos", "cosh", "tanh", "exp", "log", "abs", "sigmoid", "normal", "rand",
    "randn", "matmul", "batch_matmul", "stack", "concat", "int32", "int64", "float32", "numpy",
    "size", "reshape", "to", "reduce_sum", "reduce_mean", "argmax", "astype", "transpose",
    "expand_dims", "swapaxes", "repeat",
]


def _torch_function(name: str) -> Callable[..., Any]:
    """``torch.<name>``, looked up at call time (the alias works as soon as gradkit has it)."""
    def alias(*args: Any, **kwargs: Any) -> Any:
        try:
            function = getattr(torch, name)
        except AttributeError:
            raise NotImplementedError(f"d2l.{name} needs torch.{name}, which gradkit does not "
                                      "have yet") from None
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = name
    alias.__doc__ = f"""``torch.{name}(...)``.

    Example:
        >>> d2l.{name}(...)  # the same call as torch.{name}(...)
    """
    return alias


ones_like, ones, zeros_like, zeros = torch.ones_like, torch.ones, torch.zeros_like, torch.zeros
tensor, arange, linspace, eye = torch.tensor, torch.arange, torch.linspace, torch.eye
sin, cos, tanh, exp, log, abs = torch.sin, torch.cos, torch.tanh, torch.exp, torch.log, torch.abs
sigmoid, normal, rand, randn = torch.sigmoid, torch.normal, torch.rand, torch.randn
matmul, batch_matmul, stack, concat = torch.matmul, torch.bmm, torch.stack, torch.cat
int32, int64, float32 = torch.int32, torch.int64, torch.float32
# Functions gradkit is gaining (issue 9, item 7): resolved when called.
meshgrid, sinh, cosh = _torch_function("meshgrid"), _torch_function("sinh"), _torch_function("cosh")


def numpy(x: torch.Tensor, *args: Any, **kwargs: Any) -> np.ndarray:
    """``x.detach().numpy()``.

    Example:
        >>> d2l.numpy(gradkit.ones(2))
        array([1., 1.], dtype=float32)
    """
    return x.detach().numpy(*args, **kwargs)


def size(x: torch.Tensor, *args: Any, **kwargs: Any) -> int:
    """``x.numel()``.

    Example:
        >>> d2l.size(gradkit.ones(2, 3))
        6
    """
    return x.numel(*args, **kwargs)


def reshape(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.reshape(...)``.

    Example:
        >>> d2l.reshape(gradkit.arange(6), (2, 3)).shape
        gradkit.Size([2, 3])
    """
    return x.reshape(*args, **kwargs)


def to(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.to(...)``.

    Example:
        >>> d2l.to(gradkit.ones(2), d2l.cpu())
        tensor([1., 1.])
    """
    return x.to(*args, **kwargs)


def reduce_sum(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.sum(...)``.

    Example:
        >>> d2l.reduce_sum(gradkit.ones(2, 3), axis=0)
        tensor([2., 2., 2.])
    """
    return x.sum(*args, **kwargs)


def reduce_mean(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.mean(...)``.

    Example:
        >>> d2l.reduce_mean(gradkit.tensor([1.0, 3.0]))
        tensor(2.)
    """
    return x.mean(*args, **kwargs)


def argmax(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.argmax(...)``.

    Example:
        >>> d2l.argmax(gradkit.tensor([[0.1, 0.9]]), axis=1)
        tensor([1])
    """
    return x.argmax(*args, **kwargs)


def astype(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.type(...)``.

    Example:
        >>> d2l.astype(gradkit.tensor([True]), d2l.float32)
        tensor([1.])
    """
    return x.type(*args, **kwargs)


def transpose(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.t(...)``.

    Example:
        >>> d2l.transpose(gradkit.ones(2, 3)).shape
        gradkit.Size([3, 2])
    """
    return x.t(*args, **kwargs)


def expand_dims(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.unsqueeze(...)`` (1.0.3).

    Example:
        >>> d2l.expand_dims(gradkit.ones(3), 0).shape
        gradkit.Size([1, 3])
    """
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.swapaxes(...)`` (1.0.3).

    Example:
        >>> d2l.swapaxes(gradkit.ones(2, 3), 0, 1).shape
        gradkit.Size([3, 2])
    """
    return x.swapaxes(*args, **kwargs)


def repeat(x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
    """``x.repeat(...)`` (1.0.3).

    Example:
        >>> d2l.repeat(gradkit.ones(2), 2).shape
        gradkit.Size([4])
    """
    return x.repeat(*args, **kwargs)
