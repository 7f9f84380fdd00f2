"""``mxnet.autograd`` on gradkit's engine: ``record()``, ``pause()``, ``is_training()``, and
Gluon's gradient buffers.

Gluon differs from PyTorch in three ways that this module carries:

* the graph is recorded only inside ``with autograd.record():``; everything else runs as under
  ``gradkit.no_grad()`` (so ``param[:] = param - lr * param.grad`` needs no ``no_grad``);
* ``backward()`` on a non-scalar output differentiates the sum of its elements;
* a variable's gradient is a buffer made by ``attach_grad()`` (zeros) that each backward
  *overwrites* (``grad_req='write'``, the default) or adds to (``'add'``); it is never None.

Example:
    >>> from mxnet import autograd, nd
    >>> x = nd.arange(4); x.attach_grad()
    >>> with autograd.record():
    ...     y = 2 * x * x
    >>> y.backward()       # sums y
    >>> x.grad
    <BLANKLINE>
    [ 0.  4.  8. 12.]
    <NDArray 4 @cpu(0)>
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Sequence

import numpy as np

import gradkit
from gradkit.autograd.grad_mode import state as _grad_mode

__all__ = ["record", "pause", "train_mode", "predict_mode", "is_recording", "is_training",
           "set_recording", "set_training", "backward"]


class _State:
    __slots__ = ("recording", "training")

    def __init__(self) -> None:
        self.recording = False
        self.training = False


_state = _State()

# id(tensor) -> (weak reference, grad_req) for every variable that has a Gluon gradient buffer.
_variables: dict[int, tuple[weakref.ref, str]] = {}


class _Scope:
    """Sets the recording and training flags for a ``with`` block (``None`` keeps a flag)."""

    def __init__(self, recording: bool | None, training: bool | None) -> None:
        self._recording = recording
        self._training = training

    def __enter__(self) -> None:
        self._saved = (_state.recording, _state.training)
        if self._recording is not None:
            _state.recording = self._recording
        if self._training is not None:
            _state.training = self._training

    def __exit__(self, *exc: object) -> None:
        _state.recording, _state.training = self._saved


def record(train_mode: bool = True) -> _Scope:  # noqa: F811 - MXNet's parameter name
    """Record the computation inside the block for ``backward()`` (training mode by default).

    Example:
        >>> with autograd.record():
        ...     l = loss(net(X), y)
        >>> l.backward()
    """
    return _Scope(True, train_mode)


def pause(train_mode: bool = False) -> _Scope:  # noqa: F811
    """Stop recording inside a ``record()`` block.

    Example:
        >>> with autograd.record():
        ...     with autograd.pause():
        ...         y = x * 2    # not recorded
    """
    return _Scope(False, train_mode)


def train_mode() -> _Scope:
    """Training mode (``Dropout`` active) without changing recording.

    Example:
        >>> with autograd.train_mode():
        ...     y = net(X)
    """
    return _Scope(None, True)


def predict_mode() -> _Scope:
    """Prediction mode (``Dropout`` inactive) without changing recording.

    Example:
        >>> with autograd.record(), autograd.predict_mode():
        ...     y = net(X)
    """
    return _Scope(None, False)


def is_recording() -> bool:
    """True inside ``record()``.

    Example:
        >>> autograd.is_recording()
        False
    """
    return _state.recording


def is_training() -> bool:
    """True in training mode (inside ``record()`` unless ``train_mode=False``).

    Example:
        >>> with autograd.record():
        ...     print(autograd.is_training())
        True
    """
    return _state.training


def set_recording(is_recording: bool) -> bool:  # noqa: F811
    """Set the recording flag; returns the previous one.

    Example:
        >>> previous = autograd.set_recording(True)
    """
    previous, _state.recording = _state.recording, bool(is_recording)
    return previous


def set_training(train_mode: bool) -> bool:  # noqa: F811
    """Set the training flag; returns the previous one.

    Example:
        >>> previous = autograd.set_training(False)
    """
    previous, _state.training = _state.training, bool(train_mode)
    return previous


def compute(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a gradkit computation, recording the graph only inside ``record()``.

    Example:
        >>> compute(gradkit.mul, w_tensor, 2)   # no graph outside record()
    """
    previous = _grad_mode.enabled
    _grad_mode.enabled = _state.recording
    try:
        return function(*args, **kwargs)
    finally:
        _grad_mode.enabled = previous


def attach(tensor: gradkit.Tensor, grad_req: str = "write") -> None:
    """Give ``tensor`` a zero gradient buffer that backward writes (or adds) into.

    Example:
        >>> attach(w_tensor)            # what NDArray.attach_grad() and Gluon parameters do
    """
    if grad_req not in ("write", "add", "null"):
        raise ValueError(f"grad_req must be 'write', 'add' or 'null', got {grad_req!r}")
    key = id(tensor)
    if grad_req == "null":
        _variables.pop(key, None)
        tensor.requires_grad_(False)
        tensor.grad = None
        return
    tensor.requires_grad_(True)
    tensor.grad = gradkit.zeros_like(tensor)
    _variables[key] = (weakref.ref(tensor, lambda _, key=key: _variables.pop(key, None)),
                       grad_req)


def grad_req(tensor: gradkit.Tensor) -> str:
    """The variable's gradient mode: ``'write'``, ``'add'`` or ``'null'`` (no buffer)."""
    entry = _variables.get(id(tensor))
    return entry[1] if entry is not None and entry[0]() is tensor else "null"


def _differentiate(heads: Sequence[gradkit.Tensor], head_grads: Sequence[Any],
                   retain_graph: bool) -> None:
    for head in heads:
        if head.grad_fn is None:
            raise RuntimeError(
                "Cannot differentiate node because it is not in a computational graph. You "
                "need to set is_recording to true or use autograd.record() to save "
                "computational graphs for backward.")
    # 'write' buffers are emptied so that the engine's accumulation starts from nothing; the
    # new gradient is then copied into the same buffer, which the user may hold a reference to.
    writes = []
    for ref, req in list(_variables.values()):
        tensor = ref()
        if tensor is not None and req == "write":
            writes.append((tensor, tensor.grad))
            tensor.grad = None
    try:
        gradkit.autograd.backward(list(heads), list(head_grads), retain_graph=retain_graph)
    finally:
        for tensor, buffer in writes:
            new = tensor.grad
            if new is not None and buffer is not None:
                np.copyto(buffer.numpy(), new.numpy())
            tensor.grad = buffer if buffer is not None else new


def backward(heads: Any, head_grads: Any = None, retain_graph: bool = False,
             train_mode: bool = True) -> None:  # noqa: F811
    """Differentiate ``heads`` (NDArrays, each summed if not scalar) into the attached buffers.

    Example:
        >>> with autograd.record():
        ...     l = loss(net(X), y)
        >>> autograd.backward(l)      # same as l.backward()
    """
    from .ndarray.ndarray import NDArray, tensor_of

    if isinstance(heads, NDArray):
        heads, head_grads = [heads], [head_grads]
    heads = [tensor_of(h) for h in heads]
    if head_grads is None:
        head_grads = [None] * len(heads)
    grads = [gradkit.ones_like(h) if g is None else tensor_of(g) for h, g in
             zip(heads, head_grads)]
    _differentiate(heads, grads, retain_graph)
