"""Grad mode: whether ops record the graph (``no_grad``, ``enable_grad``, ``set_grad_enabled``).

The flag lives in one attribute, ``state.enabled``, read once per op by ``Function.apply``.

Example:
    >>> x = gradkit.ones(2, requires_grad=True)
    >>> with gradkit.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode"]


class _GradState:
    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward.

    Example:
        >>> gradkit.is_grad_enabled()
        True
    """
    return state.enabled


def _with_mode(func: F, mode: bool) -> F:
    """``func`` wrapped to run with grad mode set to ``mode`` (restored afterwards)."""
    if inspect.isgeneratorfunction(func):
        return _generator_with_mode(func, mode)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = state.enabled
        state.enabled = mode
        try:
            return func(*args, **kwargs)
        finally:
            state.enabled = previous

    return wrapper  # type: ignore[return-value]


def _generator_with_mode(func: F, mode: bool) -> F:
    """A decorated generator function: calling it only creates the generator, so the mode is
    set around each step of the generator instead, and the caller's mode between steps."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        generator = func(*args, **kwargs)
        to_send = None
        while True:
            previous = state.enabled
            state.enabled = mode
            try:
                value = generator.send(to_send)
            except StopIteration as stop:
                return stop.value
            finally:
                state.enabled = previous
            to_send = yield value

    return wrapper  # type: ignore[return-value]


class _GradModeContext:
    """Base of the grad-mode context managers; each is also a decorator.

    ``@no_grad()`` and ``@no_grad`` (without parentheses) both decorate a function, as in PyTorch 2.
    """

    mode: bool = False

    def __new__(cls, orig_func: Callable[..., Any] | None = None):  # type: ignore[misc]
        self = super().__new__(cls)
        if callable(orig_func):
            # Used as ``@no_grad`` without parentheses: decorate right away.
            self.__init__()
            return self(orig_func)
        return self

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(state.enabled)
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._previous.pop()

    def __call__(self, func: F) -> F:
        return _with_mode(func, self.mode)


class no_grad(_GradModeContext):
    """Context manager and decorator that stops ops from recording the graph.

    Results made inside have ``requires_grad=False``; in-place updates of leaves are allowed.

    Example:
        >>> with gradkit.no_grad():
        ...     w -= 0.1 * w.grad
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns recording back on inside ``no_grad``.

    Example:
        >>> with gradkit.no_grad():
        ...     with gradkit.enable_grad():
        ...         y = x * 2      # recorded
    """

    mode = True


class inference_mode(no_grad):
    """Like ``no_grad`` (gradkit has no separate inference tensors); ``inference_mode(False)``
    leaves the mode as it is.

    Example:
        >>> with gradkit.inference_mode():
        ...     y = net(X)
    """

    def __init__(self, mode: Any = True) -> None:
        super().__init__()
        self._active = bool(mode)

    def __enter__(self) -> None:
        self._previous.append(state.enabled)
        if self._active:
            state.enabled = False


class set_grad_enabled:
    """Turn recording on or off: as a call (takes effect at once), a context manager or a decorator.

    Args:
        mode: True to record, False not to.

    Example:
        >>> with gradkit.set_grad_enabled(False):
        ...     y = x * 2
    """

    def __init__(self, mode: bool) -> None:
        self.previous = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.previous

    def __call__(self, func: F) -> F:
        # As a decorator the mode applies per call, not from the moment of decoration.
        state.enabled = self.previous
        return _with_mode(func, self.mode)
