"""The ``Function`` base class: one differentiable op, and the one place the graph is recorded.

A subclass writes ``forward(ctx, *arrays, **kwargs) -> array`` and ``backward(ctx, grad) ->
array | tuple``, both on NumPy arrays, side by side so the chain rule reads off the code. To be
differentiable twice (``create_graph=True``) it also gives ``backward_graph(ctx, grad)``: the
same derivative written with Tensor ops (often the very same body: ``backward_graph =
backward``), which ``autograd/higher_order.py`` runs with Tensors so that it is recorded.
``Function.apply`` runs forward on the inputs' arrays, wraps the result in a Tensor and, only when
grad mode is on and some input requires grad, links the result into the graph.

Example:
    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> y = Square.apply(gradkit.tensor([3.0], requires_grad=True))
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .grad_mode import state as _grad_state

__all__ = ["Function", "VersionCounter"]

_ndarray = np.ndarray
_new = object.__new__
# Numbers the recorded nodes in creation order; the engine runs backward in reverse of it.
_sequence = itertools.count()


class VersionCounter:
    """A tensor's count of in-place modifications, shared by tensors that share memory via
    ``detach()``, and held by graph nodes that saved the tensor (so nodes never keep the tensor
    itself alive)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Function:
    """Base class of every differentiable op; an instance is both the op's ``ctx`` and its graph
    node (``grad_fn``), named like PyTorch's (``MulBackward0``).

    Attributes set by ``apply`` when the op is recorded:
        next_edges: per input, ``None`` or ``(target, shape, dtype, is_node)`` where target is the
            input's ``grad_fn`` node (``is_node``) or the leaf tensor whose ``.grad`` accumulates.
    """

    #: Set by ``gradkit.tensor`` at import: the class that wraps results (keeps layer 2 below 3).
    tensor_type: Any = None
    #: PyTorch's node name; defaults to ``<ClassName>Backward0``.
    node_name: str | None = None

    to_save: tuple = ()
    saved_versions: tuple = ()
    freed = False
    retained: Any = None  # weak reference to a non-leaf output whose .grad is kept
    #: Hooks of the output tensor (``Tensor.register_hook`` on a non-leaf): an ordered dict.
    tensor_hooks: Any = None
    #: True once the output has hooks or ``retain_grad``: the engine's one test per node.
    observed = False
    #: The user's stack at the forward call, recorded only in anomaly mode.
    forward_stack: Any = None
    #: ``backward_graph(ctx, grad)``: the op's backward written with Tensor ops, so that it is
    #: itself recorded (``create_graph=True``). ``ctx.saved_tensors`` then holds Tensors. An op
    #: without one cannot be differentiated twice and says so.
    backward_graph: Any = None

    # -- what subclasses write -------------------------------------------------------------
    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Function, grad: np.ndarray) -> Any:
        raise NotImplementedError

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for backward; their tensors' versions are checked when they are used."""
        self.to_save = arrays

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays; raises if the graph was freed or a saved tensor changed in place."""
        if self.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward."
            )
        for index, counter, version, _ in self.saved_versions:
            if counter.value != version:
                self._raise_modified(index, counter, version)
        return self.to_save

    def _raise_modified(self, index: int, counter: VersionCounter, version: int) -> None:
        array = self.to_save[index]
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{array.dtype} {list(array.shape)}], which is saved by "
            f"{self.name()}, is at version {counter.value}; expected version {version} instead. "
            "Hint: compute it out of place (e.g. `y = y + 1` instead of `y += 1`), or clone() "
            "it before modifying it.")

    def name(self) -> str:
        """PyTorch's name of this node (an op may pick one per call, as ``PowBackward1`` for a
        tensor exponent)."""
        return self.node_name or f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """PyTorch-style ``((node_or_None, 0), ...)`` for inspecting the graph."""
        return tuple((None if e is None else e[0] if e[3] else _AccumulateGrad(e[0]), 0)
                     for e in getattr(self, "next_edges", ()))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    @classmethod
    def explain_error(cls, arrays: tuple) -> None:
        """Called when ``forward`` raised a ValueError: raise the PyTorch-style error that
        explains it in the user's terms (ops that broadcast override this), or return to let
        the original error through."""

    # -- the one place that records the graph ----------------------------------------------
    @classmethod
    def apply(cls, *inputs: Any, **kwargs: Any) -> Any:
        """Run the op on tensors (or Python scalars) and return the result tensor."""
        tensor_type = cls.tensor_type
        ctx = _new(cls)
        # One pass over the inputs takes their arrays and whether any requires grad. This runs
        # for every op, so the one- and two-input cases are unrolled; isinstance, not getattr
        # with a default: a failed attribute lookup on a Python scalar costs more than the
        # NumPy op itself on small tensors.
        needs_grad = False
        count = len(inputs)
        if count == 2:
            a, b = inputs
            if isinstance(a, tensor_type):
                needs_grad = a._requires_grad
                a = a._data
            if isinstance(b, tensor_type):
                needs_grad = needs_grad or b._requires_grad
                b = b._data
            arrays: Any = (a, b)
        elif count == 1:
            a = inputs[0]
            if isinstance(a, tensor_type):
                needs_grad = a._requires_grad
                a = a._data
            arrays = (a,)
        else:
            arrays = []
            for x in inputs:
                if isinstance(x, tensor_type):
                    needs_grad = needs_grad or x._requires_grad
                    x = x._data
                arrays.append(x)
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ValueError:
            cls.explain_error(arrays)
            raise
        if type(out) is not _ndarray:
            out = np.asarray(out)
        result = _new(tensor_type)
        result._data = out
        result._grad = None
        result._vc = None
        result._retains_grad = False
        if not (needs_grad and _grad_state.enabled):
            # Nothing to differentiate (labels, masks, accuracy counts), or no_grad.
            result._requires_grad = False
            result.grad_fn = None
            return result
        # Where each input's gradient goes: its grad_fn node, or the leaf itself
        # (AccumulateGrad), with the shape and dtype the gradient must be brought to.
        edges = []
        for x in inputs:
            if isinstance(x, tensor_type) and x._requires_grad:
                data = x._data
                node = x.grad_fn
                edges.append((node, data.shape, data.dtype, True) if node is not None
                             else (x, data.shape, data.dtype, False))
            else:
                edges.append(None)
        ctx.next_edges = edges
        ctx.sequence_nr = next(_sequence)
        if ctx.to_save:
            ctx.saved_versions = _saved_versions(ctx.to_save, inputs, arrays, result)
        result._requires_grad = True
        result.grad_fn = ctx
        return result


#: ``Function.apply`` as defined above; anomaly mode swaps in ``RECORDING_APPLY`` while it is on
#: (``anomaly_mode.sync_apply``), so that outside it recording a stack costs nothing at all.
PLAIN_APPLY = Function.__dict__["apply"]


def _apply_recording_stack(cls: type, *inputs: Any, **kwargs: Any) -> Any:
    """``apply``, then the user's stack kept on the new node (anomaly mode)."""
    from .anomaly_mode import record_stack

    result = PLAIN_APPLY.__func__(cls, *inputs, **kwargs)
    node = getattr(result, "grad_fn", None)
    if node is not None:
        node.forward_stack = record_stack()
    return result


RECORDING_APPLY = classmethod(_apply_recording_stack)


def _saved_versions(saved: tuple, inputs: tuple, arrays: Any, result: Any) -> list:
    """Record the version of each saved array that belongs to an input or the output tensor,
    as ``(index, counter, version, owner)``: owner is the input's position, or -1 for the
    output (``create_graph`` rebuilds the saved arrays as Tensors connected to the graph).
    ``arrays`` are the inputs' arrays (a Python scalar stands for itself)."""
    versions = []
    out = result._data
    for index, array in enumerate(saved):
        if array is out:
            owner, position = result, -1
        else:
            # Identity with a tensor input's array (an input that is not a tensor, a Python
            # scalar or a raw array, is its own "array": nobody's version to record).
            for position, candidate in enumerate(arrays):
                if candidate is array:
                    owner = inputs[position]
                    if owner is not array:
                        break
            else:
                continue  # a scalar or a private intermediate: nobody else can modify it
        counter = owner._vc
        if counter is None:
            counter = owner._vc = VersionCounter()
        versions.append((index, counter, counter.value, position))
    return versions


class _AccumulateGrad:
    """What ``next_functions`` shows for a leaf, as PyTorch does."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"
