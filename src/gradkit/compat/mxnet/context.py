"""``mxnet.Context``: where arrays live. gradkit has only the CPU, so every context is ``cpu(0)``.

Example:
    >>> import mxnet as mx
    >>> mx.cpu(), mx.context.num_gpus()
    (cpu(0), 0)
"""
from __future__ import annotations

__all__ = ["Context", "cpu", "gpu", "num_gpus", "current_context"]


class Context:
    """A device: ``cpu(0)``.

    Example:
        >>> Context("cpu", 0)
        cpu(0)
    """

    def __init__(self, device_type: str = "cpu", device_id: int = 0) -> None:
        self.device_type = device_type
        self.device_id = device_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Context) and (self.device_type, self.device_id) == (
            other.device_type, other.device_id)

    def __hash__(self) -> int:
        return hash((self.device_type, self.device_id))

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def cpu(device_id: int = 0) -> Context:
    """The CPU context.

    Example:
        >>> mx.cpu()
        cpu(0)
    """
    return Context("cpu", device_id)


def gpu(device_id: int = 0) -> Context:
    """Not available: gradkit runs on the CPU only.

    Raises:
        NotImplementedError: always.

    Example:
        >>> ctx = mx.gpu() if mx.context.num_gpus() else mx.cpu()
    """
    raise NotImplementedError("mxnet.gpu is not implemented in gradkit (it runs on the CPU)")


def num_gpus() -> int:
    """Always 0.

    Example:
        >>> mx.context.num_gpus()
        0
    """
    return 0


def current_context() -> Context:
    """``cpu(0)``.

    Example:
        >>> mx.context.current_context()
        cpu(0)
    """
    return cpu()
