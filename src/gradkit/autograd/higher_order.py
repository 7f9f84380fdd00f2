"""The recorded backward pass (``create_graph=True``): gradients that have a ``grad_fn``.

The first-order pass (``engine.run_backward``) runs each node's ``backward`` on NumPy arrays and
records nothing. With ``create_graph=True`` the same walk runs each node's ``backward_graph``
instead, on Tensors, with grad mode on, so every operation of the backward pass is itself a node
and the gradients can be differentiated again, to any order:

- the incoming gradient is a Tensor;
- ``ctx.saved_tensors`` holds Tensors connected to the graph: an input's saved array becomes
  that input (the leaf itself, or a Tensor whose ``grad_fn`` is the input's node), the result's
  saved array a Tensor whose ``grad_fn`` is the node itself, and arrays the op made privately
  (masks, indices) constants;
- summing a gradient down to a broadcast input's shape, and casting it to the input's dtype,
  are recorded ops too.

Example:
    >>> x = gradkit.tensor(3.0, requires_grad=True)
    >>> (g,) = gradkit.autograd.grad(x ** 3, x, create_graph=True)   # 3x² = 27
    >>> gradkit.autograd.grad(g, x)                                    # 6x = 18
    (tensor(18.),)
"""
from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Sequence

import numpy as np

from .._dtype import _BY_NUMPY
from . import anomaly_mode
from .function import Function
from .grad_mode import state as _grad_state

__all__ = ["run_backward_graph", "sum_to"]


def sum_to(grad: Any, shape: tuple) -> Any:
    """``unbroadcast`` on a Tensor, recorded: sum ``grad`` down to ``shape``.

    Example:
        >>> sum_to(gradkit.ones(4, 3, requires_grad=True), (1, 3)).shape
        gradkit.Size([1, 3])
    """
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(dim=tuple(range(extra)))
    if grad.ndim == len(shape):
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        if axes:
            grad = grad.sum(dim=axes, keepdim=True)
    if tuple(grad.shape) != tuple(shape):  # a shape the op changed without broadcasting
        grad = grad.reshape(shape)
    return grad


def _as_tensor(value: Any) -> Any:
    tensor_type = Function.tensor_type
    if isinstance(value, tensor_type):
        return value
    return tensor_type._wrap(np.asarray(value))


def _connected(array: np.ndarray, grad_fn: Function) -> Any:
    """A Tensor over ``array`` whose gradient flows into ``grad_fn``."""
    t = Function.tensor_type._wrap(array, True)
    t.grad_fn = grad_fn
    return t


def saved_as_tensors(node: Function, arrays: tuple) -> tuple:
    """``node``'s saved arrays as Tensors connected to the graph (see the module docstring)."""
    owners = {index: position for index, _, _, position in node.saved_versions}
    edges = node.next_edges
    tensor_type = Function.tensor_type
    rebuilt = []
    for index, array in enumerate(arrays):
        position = owners.get(index)
        if type(array) is not np.ndarray:
            rebuilt.append(array)  # a Python number or None: stays as it is
        elif position is None or (position >= 0 and edges[position] is None):
            rebuilt.append(tensor_type._wrap(array))  # private to the op, or needs no grad
        elif position == -1:
            rebuilt.append(_connected(array, node))
        else:
            target, _, _, is_node = edges[position]
            rebuilt.append(_connected(array, target) if is_node else target)
    return tuple(rebuilt)


def _node_backward_graph(node: Function, grad: Any) -> tuple:
    """Run ``node``'s recorded backward: its ``backward_graph`` with saved Tensors."""
    backward_graph = type(node).backward_graph
    if backward_graph is None:
        raise RuntimeError(
            f"create_graph=True: {node.name()} ({type(node).__name__}) has no differentiable "
            "backward in gradkit, so its gradient cannot be differentiated again")
    if getattr(node, "promotes", False):
        for edge in node.next_edges:
            if edge is not None and edge[2] != grad._data.dtype:
                raise RuntimeError(
                    f"create_graph=True through {node.name()} with operands of different dtypes "
                    f"({edge[2]} and {grad._data.dtype}) is not supported: cast them to one "
                    "dtype first")
    arrays = node.saved_tensors  # raises if freed or modified in place
    if arrays:
        node.to_save = saved_as_tensors(node, arrays)
    try:
        input_grads = backward_graph(node, grad)
    finally:
        if arrays:
            node.to_save = arrays
    return input_grads if type(input_grads) is tuple else (input_grads,)


def run_backward_graph(roots: Sequence[tuple[Any, Any]], retain_graph: bool,
                       capture: dict | None = None) -> None:
    """``engine.run_backward`` with every gradient a Tensor and every step recorded.

    Same order (decreasing ``sequence_nr``), same captures for ``autograd.grad``; leaves'
    ``.grad`` becomes a Tensor with a ``grad_fn`` (added out of place, as PyTorch does).
    """
    previous = _grad_state.enabled
    _grad_state.enabled = True
    try:
        _walk(roots, retain_graph, capture)
    finally:
        _grad_state.enabled = previous


def store(leaf: Any, g: Any) -> None:
    """Accumulate into ``leaf.grad`` out of place: the old ``.grad`` may be in a graph."""
    leaf._grad = g if leaf._grad is None else leaf._grad + g


def _walk(roots: Sequence[tuple[Any, Any]], retain_graph: bool, capture: dict | None) -> None:
    # The hooks run the same way on both paths (engine imports this module lazily).
    from .engine import _run_hooks as run_hooks, add_into, deliver_hooked_leaves, deliver_leaf

    grads: dict[Function, Any] = {}
    ready: list[tuple[int, Function]] = []
    capture_leaves = capture["leaves"] if capture is not None else None
    capture_nodes = capture["nodes"] if capture is not None else None
    results = capture["results"] if capture is not None else None
    anomaly = anomaly_mode.state.enabled

    hooked: dict = {}  # leaves with hooks: their total gradient, delivered at the end

    def send(g: Any, target: Any, is_node: bool) -> None:
        if not is_node:
            deliver_leaf(target, g, store, capture_leaves, results, hooked)
        elif target in grads:
            grads[target] = grads[target] + g
        else:
            grads[target] = g
            heappush(ready, (-target.sequence_nr, target))

    for tensor, g in roots:
        send(g, tensor if tensor.grad_fn is None else tensor.grad_fn, tensor.grad_fn is not None)

    while ready:
        node = heappop(ready)[1]
        g = grads.pop(node)
        if node.tensor_hooks is not None:
            g = run_hooks(node.tensor_hooks, g)
        if node.retained is not None:
            tensor = node.retained()
            if tensor is not None:
                tensor._grad = g if tensor._grad is None else tensor._grad + g
        if capture_nodes is not None and node in capture_nodes:
            add_into(results, capture_nodes[node], g)
        input_grads = _node_backward_graph(node, g)
        if anomaly:
            anomaly_mode.check_outputs(node, input_grads)
        if not retain_graph and node.to_save:
            node.to_save = ()
            node.freed = True
        for edge, ig in zip(node.next_edges, input_grads):
            if edge is None or ig is None:
                continue
            target, shape, dtype, is_node = edge
            ig = _as_tensor(ig)
            if tuple(ig.shape) != shape:
                ig = sum_to(ig, shape)
            if ig._data.dtype != dtype:
                ig = ig.to(_BY_NUMPY[dtype])  # recorded: ToCopyBackward0
            send(ig, target, is_node)
    if hooked:
        deliver_hooked_leaves(hooked, store, capture_leaves, results)
