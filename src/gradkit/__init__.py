"""gradkit: a readable deep-learning system on NumPy with PyTorch's API.

Use it as you would ``torch``: tensors with autograd, ``nn``, ``optim``, ``utils.data`` and the
book's toolkit ``gradkit.d2l``. Heavy or optional parts (vision, plotting, the command line) are
imported on first use so that ``import gradkit`` stays fast.

Example:
    >>> import gradkit as torch
    >>> x = torch.arange(4.0, requires_grad=True)
    >>> y = 2 * torch.dot(x, x)
    >>> y.backward()
    >>> x.grad
    tensor([ 0.,  4.,  8., 12.])
"""
from __future__ import annotations

import importlib
from typing import Any

from . import _dtype
from ._malloc import keep_freed_memory as _keep_freed_memory
from ._dtype import (bool_ as bool, double, dtype, float, float16, float32, float64,  # noqa: A004
                     get_default_dtype, half, int, int8, int16, int32, int64, long,
                     promote_types, set_default_dtype, short, uint8)
from ._size import Size
from ._printing import set_printoptions
from .tensor import Tensor, device, return_types
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import is_anomaly_check_nan_enabled, is_anomaly_enabled
from ._creation import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                        HalfTensor, IntTensor, LongTensor, ShortTensor, arange, as_tensor, asarray, empty, empty_like, eye, from_numpy, full,
                        full_like, is_tensor, linspace, numel, ones, ones_like, tensor, zeros,
                        zeros_like)
from .random import (Generator, bernoulli, default_generator, get_rng_state, initial_seed,
                     manual_seed, multinomial, normal, rand, rand_like, randint, randint_like,
                     randn, randn_like, randperm, seed, set_rng_state)
from ._functions import *  # noqa: F401,F403  (the gradkit.exp(x)-style functions)
from ._functions import __all__ as _function_names
from ._functions_d2l import argsort, cosh, meshgrid, nonzero, repeat_interleave, sinh
from . import distributions
from ._blas import (are_deterministic_algorithms_enabled, get_num_threads, set_num_threads,
                    use_deterministic_algorithms)

__version__ = "0.1.0"


# Submodules imported on first use (``gradkit.nn`` ...), to keep ``import gradkit`` fast.
_LAZY_SUBMODULES = {"nn", "optim", "utils", "vision", "d2l", "serialization", "cli", "compat", "viz",
                    "testing"}


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("save", "load"):
        return getattr(importlib.import_module(".serialization", __name__), name)
    if name in ("conv1d", "conv2d", "max_pool2d"):  # torch.conv2d etc.: the functional ones
        return getattr(importlib.import_module(".nn.functional", __name__), name)
    raise AttributeError(f"module 'gradkit' has no attribute '{name}'")


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    """True for float16/32/64 tensors."""
    return input.is_floating_point()


_keep_freed_memory()  # see _malloc: no page faults for each step's temporaries
