"""``torch.cuda`` under the runner: gradkit is CPU-only, so there is never a GPU.

Scripts commonly pick their device with ``torch.cuda.is_available()``; that check works and
answers ``False``. Anything else under ``torch.cuda`` raises ``NotImplementedError``.

Example:
    >>> import torch   # under the runner
    >>> device = "cuda" if torch.cuda.is_available() else "cpu"
    >>> device
    'cpu'
"""
from __future__ import annotations

__all__ = ["is_available", "device_count"]


def is_available() -> bool:
    """Always ``False``: gradkit runs on the CPU.

    Example:
        >>> torch.cuda.is_available()
        False
    """
    return False


def device_count() -> int:
    """Always ``0``.

    Example:
        >>> torch.cuda.device_count()
        0
    """
    return 0
