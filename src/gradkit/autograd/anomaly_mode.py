"""Anomaly mode: find the forward op whose backward made a NaN.

Inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``) every recorded node keeps the
user's stack at its forward call (``Function.apply`` is swapped for a recording one while the
mode is on), and the backward pass checks each node's output gradients:
the first node that returns NaN stops the pass with PyTorch's ``RuntimeError`` (``Function
'SqrtBackward0' returned nan values in its 0th output.``), after a ``UserWarning`` that shows
where in the user's code the forward op was called. Outside the mode nothing is recorded or
checked (one flag test per backward node).

Example:
    >>> x = gradkit.tensor([-1.0], requires_grad=True)
    >>> with gradkit.autograd.detect_anomaly():
    ...     x.sqrt().sum().backward()
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from __future__ import annotations

import functools
import os
import traceback
import warnings
from typing import Any, Callable, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


state = _AnomalyState()

# Frames inside gradkit itself are left out of the forward trace: the user wants their line.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sync_apply() -> None:
    """Make ``Function.apply`` record forward stacks exactly while anomaly mode is on."""
    from . import function  # imported here: function.py is below this module

    function.Function.apply = function.RECORDING_APPLY if state.enabled else \
        function.PLAIN_APPLY


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` / after ``set_detect_anomaly(True)``.

    Example:
        >>> gradkit.is_anomaly_enabled()
        False
    """
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode also checks backward outputs for NaN."""
    return state.check_nan


def record_stack() -> list:
    """The caller's stack, without gradkit's own frames (called by ``Function.apply``)."""
    frames = traceback.extract_stack()
    return [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]


def check_outputs(node: Any, outputs: tuple) -> None:
    """Raise PyTorch's error if any gradient ``node`` returned holds NaN (after warning with
    the forward trace)."""
    if not state.check_nan:
        return
    for i, g in enumerate(outputs):
        if g is None:
            continue
        array = getattr(g, "_data", g)
        if isinstance(array, np.ndarray) and array.dtype.kind == "f" and np.isnan(array).any():
            warn_forward_trace(node)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")


def warn_forward_trace(node: Any) -> None:
    """The UserWarning PyTorch shows before an anomaly error: where the forward op was called."""
    stack = node.forward_stack
    if stack is None:
        trace = ("No forward pass information available. Enable detect anomaly during forward "
                 "pass for more information.")
    else:
        trace = "".join(traceback.format_list(stack))
    warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                  f"error:\n{trace}", UserWarning, stacklevel=3)


class detect_anomaly:
    """Context manager and decorator that turns anomaly detection on for its block.

    Args:
        check_nan: raise when a backward produces NaN (default True).

    Example:
        >>> with gradkit.autograd.detect_anomaly():
        ...     loss = model(X).sum()
        ...     loss.backward()     # a NaN names the op and its forward line
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous: list[tuple[bool, bool]] = []
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self._previous.append((state.enabled, state.check_nan))
        state.enabled, state.check_nan = True, self.check_nan
        sync_apply()

    def __exit__(self, *exc: object) -> None:
        state.enabled, state.check_nan = self._previous.pop()
        sync_apply()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once as a call, or for a block as a context manager.

    Args:
        mode: True to record forward stacks and check backward outputs.
        check_nan: raise when a backward produces NaN.

    Example:
        >>> gradkit.autograd.set_detect_anomaly(True)
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.previous = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = bool(mode), bool(check_nan)
        sync_apply()

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.enabled, state.check_nan = self.previous
        sync_apply()
