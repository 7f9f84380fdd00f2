"""The multinomial distribution: counts of ``total_count`` draws over ``k`` categories.

Example:
    >>> fair_probs = gradkit.ones([6]) / 6
    >>> Multinomial(1, fair_probs).sample((10,)).shape
    gradkit.Size([10, 6])
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import _dtype
from ..random import _rng
from ..tensor import Tensor

__all__ = ["Multinomial"]


class Multinomial:
    """Counts of ``total_count`` independent draws from categories with probabilities ``probs``.

    Args:
        total_count: draws per sample.
        probs: non-negative weights over the last dim, shape ``(..., k)``; normalized.
        logits: alternatively, unnormalized log-probabilities.

    Example:
        >>> m = Multinomial(100, gradkit.tensor([0.5, 0.5]))
        >>> m.sample().sum()
        tensor(100.)
    """

    def __init__(self, total_count: int = 1, probs: Tensor | None = None,
                 logits: Tensor | None = None, validate_args: Any = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if not isinstance(total_count, (int, np.integer)):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        if probs is not None:
            weights = np.asarray(probs._data if isinstance(probs, Tensor) else probs,
                                 dtype=np.float64)
            if weights.ndim == 0:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            if np.any(weights < 0) or not np.all(np.isfinite(weights)):
                raise ValueError("Expected parameter probs to be non-negative and finite, "
                                 f"but found invalid values:\n{probs}")
            dtype = probs.dtype if isinstance(probs, Tensor) else _dtype.get_default_dtype()
        else:
            raw = np.asarray(logits._data if isinstance(logits, Tensor) else logits, np.float64)
            weights = np.exp(raw - raw.max(axis=-1, keepdims=True))
            dtype = logits.dtype if isinstance(logits, Tensor) else _dtype.get_default_dtype()
        self._probs = weights / weights.sum(axis=-1, keepdims=True)
        self._dtype = dtype.numpy
        self.total_count = int(total_count)

    @property
    def probs(self) -> Tensor:
        """The normalized probabilities, shape ``(..., k)``."""
        return Tensor._wrap(self._probs.astype(self._dtype))

    @property
    def logits(self) -> Tensor:
        """Log-probabilities."""
        with np.errstate(divide="ignore"):
            return Tensor._wrap(np.log(self._probs).astype(self._dtype))

    @property
    def batch_shape(self) -> tuple:
        return self._probs.shape[:-1]

    @property
    def event_shape(self) -> tuple:
        return self._probs.shape[-1:]

    @property
    def mean(self) -> Tensor:
        """``total_count · probs``."""
        return Tensor._wrap((self.total_count * self._probs).astype(self._dtype))

    @property
    def variance(self) -> Tensor:
        """``total_count · probs · (1 - probs)``."""
        p = self._probs
        return Tensor._wrap((self.total_count * p * (1 - p)).astype(self._dtype))

    def sample(self, sample_shape: Sequence[int] = ()) -> Tensor:
        """Counts, shape ``sample_shape + batch_shape + (k,)``, in the probabilities' dtype.

        Example:
            >>> Multinomial(10, gradkit.ones(6) / 6).sample((500,)).shape
            gradkit.Size([500, 6])
        """
        sample_shape = tuple(int(s) for s in (sample_shape if isinstance(sample_shape,
                                                                          (tuple, list))
                                               else (sample_shape,)))
        rng = _rng(None)
        flat = self._probs.reshape(-1, self._probs.shape[-1])
        draws = np.stack([rng.multinomial(self.total_count, p, size=sample_shape)
                          for p in flat], axis=len(sample_shape))
        shape = sample_shape + self._probs.shape
        return Tensor._wrap(draws.reshape(shape).astype(self._dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        """Log-probability of a count vector ``value`` (last dim ``k``)."""
        counts = np.asarray(value._data, np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_p = np.where(counts > 0, counts * np.log(self._probs), 0.0).sum(axis=-1)
        log_factorial = np.vectorize(lambda n: math.lgamma(n + 1))
        result = log_factorial(counts.sum(axis=-1)) - log_factorial(counts).sum(axis=-1) + log_p
        return Tensor._wrap(np.asarray(result, dtype=self._dtype))

    def __repr__(self) -> str:
        return f"Multinomial(probs: {self.probs.shape})"
