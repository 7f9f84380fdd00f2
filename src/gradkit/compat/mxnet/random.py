"""``mxnet.random``: ``seed`` and the samplers of ``nd.random``.

Example:
    >>> import mxnet as mx
    >>> mx.random.seed(42)     # seeds gradkit's generator
"""
from __future__ import annotations

import gradkit

from .ndarray.random import normal, randint, shuffle, uniform

__all__ = ["seed", "normal", "uniform", "randint", "shuffle"]


def seed(seed_state: int, ctx: object = "all") -> None:
    """Seed the generator behind every MXNet sampler (gradkit's default generator).

    Example:
        >>> mx.random.seed(1)
    """
    gradkit.manual_seed(int(seed_state))
