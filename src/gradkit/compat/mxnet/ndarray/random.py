"""``mxnet.nd.random``: random arrays from gradkit's generator (``mx.random.seed`` seeds it).

Example:
    >>> from mxnet import nd
    >>> nd.random.normal(scale=0.01, shape=(2, 1)).shape
    (2, 1)
"""
from __future__ import annotations

from typing import Any

import numpy as np

import gradkit

from .ndarray import NDArray, _dtype

__all__ = ["normal", "uniform", "randint", "shuffle"]


def _shape(shape: Any) -> tuple[int, ...]:
    if shape is None or shape == ():
        return (1,)
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)


def normal(loc: float = 0, scale: float = 1, shape: Any = None, dtype: Any = "float32",
           ctx: Any = None, **kwargs: Any) -> NDArray:
    """Samples from N(loc, scale²).

    Example:
        >>> features = nd.random.normal(scale=1, shape=(1000, 2))
    """
    return NDArray(gradkit.normal(float(loc), float(scale), _shape(shape)).to(_dtype(dtype)))


def uniform(low: float = 0, high: float = 1, shape: Any = None, dtype: Any = "float32",
            ctx: Any = None, **kwargs: Any) -> NDArray:
    """Samples from U[low, high).

    Example:
        >>> nd.random.uniform(-1, 1, shape=(2, 2)).shape
        (2, 2)
    """
    values = gradkit.rand(_shape(shape)) * (float(high) - float(low)) + float(low)
    return NDArray(values.to(_dtype(dtype)))


def randint(low: int, high: int, shape: Any = None, dtype: Any = "int32",
            ctx: Any = None, **kwargs: Any) -> NDArray:
    """Integers in [low, high).

    Example:
        >>> nd.random.randint(0, 10, shape=(3,)).shape
        (3,)
    """
    return NDArray(gradkit.randint(int(low), int(high), _shape(shape)).to(_dtype(dtype)))


def shuffle(data: NDArray, **kwargs: Any) -> NDArray:
    """A copy with the first axis randomly permuted.

    Example:
        >>> sorted(nd.random.shuffle(nd.arange(3)).asnumpy().tolist())
        [0.0, 1.0, 2.0]
    """
    return NDArray(data._tensor.detach()[gradkit.randperm(len(data))])
