"""Random numbers: ``Generator``, ``manual_seed`` and the sampling factories.

gradkit draws from NumPy's PCG64 through a ``Generator`` object; a seed makes runs repeatable
(but the streams differ from PyTorch's, so seeded values are not PyTorch's values). Samples are
drawn directly in the target dtype (float32), never through float64.

Example:
    >>> gradkit.manual_seed(0)
    >>> gradkit.normal(0, 1, (2, 3)).shape
    gradkit.Size([2, 3])
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from . import _dtype
from ._creation import _shape
from ._ops.shape import broadcast_shapes
from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm", "normal",
           "bernoulli", "multinomial", "rand_like", "randn_like", "randint_like"]


class Generator:
    """A source of random numbers with its own state, like ``torch.Generator``.

    Example:
        >>> g = gradkit.Generator().manual_seed(42)
        >>> gradkit.randperm(5, generator=g)
        tensor([...])
    """

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the state from ``seed``; returns the generator."""
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        new = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        """The seed last set."""
        return self._seed

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor (for ``set_state``)."""
        import json

        text = json.dumps(self._rng.bit_generator.state)
        return Tensor._wrap(np.frombuffer(text.encode(), dtype=np.uint8).copy())

    def set_state(self, state: Tensor) -> "Generator":
        """Restore a state from ``get_state``."""
        import json

        self._rng.bit_generator.state = json.loads(bytes(state._data).decode())
        return self

    @property
    def device(self) -> Any:
        from .tensor import device

        return device("cpu")


default_generator = Generator()


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it.

    Example:
        >>> gradkit.manual_seed(0)
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(state: Tensor) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(state)


def _float_dtype(dtype: Any, device: Any = None) -> np.dtype:
    """The NumPy dtype to sample in (a float dtype); also rejects devices other than the CPU."""
    if device is not None:
        from .tensor import require_cpu

        require_cpu(device)
    d = _dtype.to_dtype(dtype)
    if not d.is_floating_point:
        # PyTorch's kernels are dispatched by dtype; a missing one is NotImplementedError.
        raise NotImplementedError(f"sampling is not implemented for {d} (use a float dtype)")
    return d.numpy


def normal_array(mean: float, std: float, shape: tuple, dtype: Any,
                 generator: Generator | None) -> np.ndarray:
    """Samples of N(mean, std²) as an array of ``dtype`` (drawn in float32 when it is float32)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = np.dtype(dtype)
    draw = dtype if dtype in (np.float32, np.float64) else np.float64
    values = _rng(generator).standard_normal(shape, dtype=draw)
    if std != 1:
        values *= draw.type(std)
    if mean != 0:
        values += draw.type(mean)
    return values.astype(dtype, copy=False)


def uniform_array(low: float, high: float, shape: tuple, dtype: Any,
                  generator: Generator | None) -> np.ndarray:
    """Samples of U(low, high) as an array of ``dtype``."""
    dtype = np.dtype(dtype)
    draw = dtype if dtype in (np.float32, np.float64) else np.float64
    values = _rng(generator).random(shape, dtype=draw)
    if (low, high) != (0, 1):
        values *= draw.type(high - low)
        values += draw.type(low)
    return values.astype(dtype, copy=False)


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rand(*sizes: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, out: Any = None,
         layout: Any = None) -> Tensor:
    """Uniform samples in [0, 1).

    Example:
        >>> gradkit.rand(2, 3).shape
        gradkit.Size([2, 3])
    """
    return _finish(uniform_array(0.0, 1.0, _shape(sizes, "rand", size),
                                 _float_dtype(dtype, device), generator), requires_grad)


def randn(*sizes: Any, size: Any = None, generator: Generator | None = None,
          dtype: Any = None, device: Any = None, requires_grad: bool = False, out: Any = None,
          layout: Any = None) -> Tensor:
    """Standard normal samples.

    Example:
        >>> gradkit.randn(3, 4).shape
        gradkit.Size([3, 4])
    """
    return _finish(normal_array(0.0, 1.0, _shape(sizes, "randn", size),
                                _float_dtype(dtype, device), generator), requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,  # noqa: A002
              **_: Any) -> Tensor:
    """Uniform samples with ``input``'s shape and dtype."""
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,  # noqa: A002
               **_: Any) -> Tensor:
    """Standard normal samples with ``input``'s shape and dtype."""
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(*args: Any, size: Any = None, low: Any = None, high: Any = None,
            generator: Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False, **_: Any) -> Tensor:
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)`` (each also by keyword); int64 unless ``dtype`` says otherwise.

    Example:
        >>> gradkit.randint(0, 10, (3,)).dtype
        gradkit.int64
    """
    positional = list(args)
    if size is None and positional and isinstance(positional[-1], (tuple, list)):
        size = positional.pop()
    if high is None:
        if not positional:
            raise TypeError("randint() missing 1 required positional argument: 'high'")
        high = positional.pop()
    if low is None:
        low = positional.pop() if positional else 0
    if positional:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    low, high = _integer(low, "low"), _integer(high, "high")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    target = _dtype.int64.numpy if dtype is None else _dtype.to_dtype(dtype).numpy
    values = _rng(generator).integers(low, high, size=_shape((size,), "randint"), dtype=np.int64)
    return _finish(values.astype(target, copy=False), requires_grad)


def _integer(value: Any, name: str) -> int:
    """An int bound of ``randint`` (an int tensor of one element counts; a float does not)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"randint(): argument '{name}' must be int, not "
                        f"{type(value).__name__}") from None


def randint_like(input: Tensor, low: int = 0, high: int | None = None,  # noqa: A002
                 **kwargs: Any) -> Tensor:
    """Random integers with ``input``'s shape and dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=kwargs.get("dtype") or input.dtype)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64).

    Example:
        >>> sorted(gradkit.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    values = _rng(generator).permutation(int(n))
    target = _dtype.int64.numpy if dtype is None else _dtype.to_dtype(dtype).numpy
    return Tensor._wrap(values.astype(target, copy=False))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Sequence[int] | None = None, *,
           generator: Generator | None = None, out: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False, layout: Any = None) -> Tensor:
    """Samples of N(mean, std²), in the three forms the book uses:
    ``normal(0, 1, (n, 2))``, ``normal(0, 0.01, y.shape)``,
    ``normal(0, 0.01, size=(2, 1), requires_grad=True)``; ``mean`` and/or ``std`` may also be
    tensors (one sample per element, shapes broadcast).

    Example:
        >>> gradkit.normal(0, 0.01, size=(2, 1), requires_grad=True).shape
        gradkit.Size([2, 1])
    """
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: give a "
                            "size, or tensors as mean/std")
        return _finish(normal_array(float(mean), float(std), _shape((size,), "normal"),
                                    _float_dtype(dtype, device), generator), requires_grad)
    mean_a = mean._data if mean_t else np.asarray(mean, np.float32)
    std_a = std._data if std_t else np.asarray(std, mean_a.dtype)
    if np.any(std_a < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    target = (mean_a if mean_t else std_a).dtype
    if target.kind != "f":
        target = _dtype.get_default_dtype().numpy
    shape = broadcast_shapes(mean_a.shape, std_a.shape) if size is None else \
        _shape((size,), "normal")
    noise = normal_array(0.0, 1.0, shape, target, generator)
    return _finish((mean_a + std_a * noise).astype(target, copy=False), requires_grad)


def bernoulli(input: Tensor, p: float | None = None, *,  # noqa: A002
              generator: Generator | None = None, out: Any = None) -> Tensor:
    """1 with probability ``input`` (elementwise), else 0; same shape and dtype as ``input``.

    Example:
        >>> gradkit.bernoulli(gradkit.full((3,), 0.5)).shape
        gradkit.Size([3])
    """
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"bernoulli" not implemented for {input.dtype.name} '
                                  "(use a float tensor of probabilities)")
    probs = input._data if p is None else np.full(input._data.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli_ expects all elements of p to be in [0, 1]")
    draws = _rng(generator).random(input._data.shape) < probs
    return Tensor._wrap(draws.astype(input._data.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None, out: Any = None) -> Tensor:
    """Indices sampled from the rows of ``input`` (non-negative weights, need not sum to 1).

    Args:
        input: weights, shape ``(k,)`` or ``(n, k)``.
        num_samples: samples per row.
        replacement: draw with replacement (without it, at most ``k`` samples).

    Returns:
        int64 indices, shape ``(num_samples,)`` or ``(n, num_samples)``.

    Example:
        >>> gradkit.multinomial(gradkit.tensor([0.0, 1.0]), 2, replacement=True)
        tensor([1, 1])
    """
    if input._data.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype.name}")
    weights = input._data.astype(np.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    rows = weights.reshape(-1, weights.shape[-1])
    if np.any(rows < 0) or not np.all(np.isfinite(rows)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    k = rows.shape[1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _rng(generator)
    probs = rows / rows.sum(axis=1, keepdims=True)
    if replacement:
        cumulative = np.cumsum(probs, axis=1)
        cumulative[:, -1] = 1.0
        u = rng.random((rows.shape[0], num_samples))
        samples = np.stack([np.searchsorted(c, row_u, side="right")
                            for c, row_u in zip(cumulative, u)])
        samples = np.minimum(samples, k - 1)
    else:
        # Gumbel top-k: sorting log p + Gumbel noise samples without replacement.
        with np.errstate(divide="ignore"):
            keys = np.log(probs) + rng.gumbel(size=probs.shape)
        samples = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    samples = samples.astype(np.int64)
    return Tensor._wrap(samples[0] if weights.ndim == 1 else samples)
