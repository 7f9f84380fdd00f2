"""The ``gradkit.*`` functions that the real ``d2l`` 1.0.3 package (``d2l/torch.py``) calls and
gradkit's own code had not needed: ``argsort``, ``cosh``, ``sinh``, ``nonzero``,
``repeat_interleave`` (function forms of the tensor methods) and ``meshgrid``.

Example:
    >>> xs, ys = gradkit.meshgrid(gradkit.arange(2), gradkit.arange(3), indexing="ij")
    >>> xs.shape
    gradkit.Size([2, 3])
"""
from __future__ import annotations

import warnings
from typing import Any

from ._functions import _from_method
from .tensor import Tensor

__all__ = ["argsort", "cosh", "sinh", "nonzero", "repeat_interleave", "meshgrid"]

argsort = _from_method("argsort")
cosh = _from_method("cosh")
sinh = _from_method("sinh")
nonzero = _from_method("nonzero")


def repeat_interleave(input: Any, repeats: Any = None, dim: Any = None, *,  # noqa: A002
                      output_size: Any = None) -> Tensor:
    """``input.repeat_interleave(repeats, dim)``; with one integer tensor alone,
    ``repeat_interleave(r)`` repeats ``arange(len(r))`` by ``r`` (``[2, 0, 1]`` -> ``[0, 0, 2]``).

    Example:
        >>> gradkit.repeat_interleave(gradkit.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"repeat_interleave(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if repeats is None:
        from ._creation import arange

        if input.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        counts = input.reshape(-1)
        return arange(counts.shape[0]).repeat_interleave(counts, output_size=output_size)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d (or 0-d) tensors, differentiable: with ``indexing="ij"``
    output ``k`` varies along dim ``k``; ``"xy"`` swaps the first two dims (NumPy's default).
    Without ``indexing``, ``"ij"`` with PyTorch's UserWarning. Tensors may come as one list.

    Shapes: inputs of lengths ``(n0, n1, ...)`` give outputs of shape ``(n0, n1, ...)``
    (``(n1, n0, ...)`` for ``"xy"``).

    Example:
        >>> a, b = gradkit.meshgrid(gradkit.arange(2), gradkit.arange(3), indexing="xy")
        >>> a.shape, b.shape
        (gradkit.Size([3, 2]), gradkit.Size([3, 2]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("gradkit.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'gradkit.meshgrid: indexing must be one of "xy" or "ij", but '
                           f'received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid(): expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
        if t.ndim > 1:
            raise RuntimeError(f"gradkit.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a {t.ndim}-d tensor of shape {list(t.shape)}")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    vectors = [t.reshape(-1) for t in tensors]
    # "xy" is "ij" on the first two inputs swapped, with the first two outputs swapped back.
    swap = indexing == "xy" and len(vectors) > 1
    if swap:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = tuple(v.shape[0] for v in vectors)
    grids = []
    for k, v in enumerate(vectors):
        view = [1] * len(vectors)
        view[k] = -1
        grids.append(v.reshape(view).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
