"""Devices, as the book asks for them: gradkit runs on the CPU, so there are no GPUs.

Example:
    >>> d2l.num_gpus(), d2l.try_gpu()
    (0, device(type='cpu'))
"""
from __future__ import annotations

from typing import Any

import gradkit as torch

__all__ = ["cpu", "gpu", "num_gpus", "try_gpu", "try_all_gpus"]


def cpu() -> Any:
    """The CPU device.

    Example:
        >>> d2l.cpu()
        device(type='cpu')
    """
    return torch.device("cpu")


def gpu(i: int = 0) -> Any:
    """GPU ``i`` as a device object, as the book's ``d2l.gpu`` gives on a CPU-only PyTorch:
    naming the device works; putting data there raises PyTorch's ``AssertionError: Torch not
    compiled with CUDA enabled`` (the book's code asks :func:`num_gpus` first).

    Example:
        >>> d2l.gpu()
        device(type='cuda', index=0)
    """
    return torch.device(f"cuda:{i}")


def num_gpus() -> int:
    """The number of GPUs: 0.

    Example:
        >>> d2l.num_gpus()
        0
    """
    return 0


def try_gpu(i: int = 0) -> Any:
    """GPU ``i`` if it exists, else the CPU (always the CPU here).

    Example:
        >>> d2l.try_gpu()
        device(type='cpu')
    """
    if num_gpus() >= i + 1:
        return gpu(i)
    return cpu()


def try_all_gpus() -> list[Any]:
    """All GPUs, or ``[cpu()]`` when there is none (the zh 2.0.0 behaviour; 1.0.3 returns ``[]``,
    which breaks code that takes ``devices[0]``).

    Example:
        >>> d2l.try_all_gpus()
        [device(type='cpu')]
    """
    devices = [gpu(i) for i in range(num_gpus())]
    return devices if devices else [cpu()]
