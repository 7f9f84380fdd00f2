"""The backward pass: iterative, in reverse topological order, with broadcasting undone here once.

``run_backward`` walks the graph from the roots without recursion (a chain of 100,000 ops works),
calls each node's ``backward`` once all of its consumers have sent their gradient, sums each
input's gradient down to the input's shape (``unbroadcast``) and dtype, and accumulates into
leaves' ``.grad``. Gradients of intermediate nodes are dropped as soon as they are used.
With ``create_graph=True`` the same walk runs on Tensors instead (``higher_order.py``), so the
gradients can be differentiated again; this first-order loop stays on NumPy arrays.

Example:
    >>> x = gradkit.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
"""
from __future__ import annotations

import weakref
from heapq import heappop, heappush
from typing import Any, Sequence

import numpy as np

from . import anomaly_mode
from .function import Function

__all__ = ["unbroadcast", "run_backward", "backward", "grad", "queue_callback"]

# Callables to run once the current backward pass has finished (module hooks use it).
_callbacks: list = []


def queue_callback(callback: Any) -> None:
    """Run ``callback()`` at the end of the backward pass in progress (PyTorch's
    ``Variable._execution_engine.queue_callback``)."""
    _callbacks.append(callback)


def _run_callbacks() -> None:
    while _callbacks:
        _callbacks.pop(0)()


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape``, undoing NumPy broadcasting.

    Args:
        grad: gradient of a broadcast result, e.g. shape ``(4, 3)``.
        shape: the input's shape, e.g. ``(3,)`` or ``(4, 1)``.

    Example:
        >>> unbroadcast(np.ones((4, 3)), (1, 3))
        array([[4., 4., 4.]])
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


def _accumulate_leaf(leaf: Any, g: np.ndarray, owned_this_pass: set) -> None:
    """Add ``g`` into ``leaf.grad``: a fresh tensor the first time, in place after that.

    A gradient array taken over in this pass may also be read by other nodes of the pass, so a
    second contribution in the same pass is added out of place.
    """
    current = leaf._grad
    if current is None:
        if not g.flags.writeable or g.base is not None:
            g = g.copy()  # broadcast views are read-only; views may alias a shared gradient
        leaf._grad = Function.tensor_type._wrap(g)
        owned_this_pass.add(id(leaf))
    elif id(leaf) in owned_this_pass or not current._data.flags.writeable:
        current._data = current._data + g
    else:
        np.add(current._data, g, out=current._data, casting="unsafe")


def _store_retained(node: Function, g: np.ndarray) -> None:
    tensor = node.retained()
    if tensor is None:
        return
    if tensor._grad is None:
        tensor._grad = Function.tensor_type._wrap(g.copy())
    else:  # a new tensor, as PyTorch: a reference to the old .grad keeps its values
        tensor._grad = Function.tensor_type._wrap(tensor._grad._data + g)


def run_backward(roots: Sequence[tuple[Any, np.ndarray]], retain_graph: bool,
                 capture: dict | None = None, create_graph: bool = False) -> None:
    """Propagate ``(tensor, grad)`` roots back through the graph.

    Nodes run in decreasing order of creation (``Function.sequence_nr``), PyTorch's order: an
    op's inputs always existed before it, so when a node comes off the heap every node that
    feeds it a gradient has already run, and its gradient is complete. No pass to count
    dependencies is needed.

    Args:
        roots: output tensors with the gradient of each (same shape as the tensor).
        retain_graph: keep saved arrays so the graph can be walked again.
        capture: for ``autograd.grad``: maps ``id(leaf)`` or a node to a slot; gradients of those
            are stored in ``capture["results"]`` instead of accumulating into ``.grad``.
        create_graph: run every node's ``backward_graph`` on Tensors, recording the backward
            pass itself (see ``higher_order``).
    """
    try:
        _run_backward(roots, retain_graph, capture, create_graph)
    except BaseException:
        _callbacks.clear()  # the pass did not finish: its callbacks must not run later
        raise
    if _callbacks:
        _run_callbacks()


def _run_backward(roots: Sequence[tuple[Any, np.ndarray]], retain_graph: bool,
                  capture: dict | None, create_graph: bool) -> None:
    if create_graph:
        from .higher_order import run_backward_graph

        return run_backward_graph(roots, retain_graph, capture)
    anomaly = anomaly_mode.state.enabled
    grads: dict[Function, np.ndarray] = {}
    ready: list[tuple[int, Function]] = []  # a heap of (-sequence_nr, node)
    owned_this_pass: set = set()
    hooked: dict = {}  # id(leaf) -> [leaf, gradient] for leaves with hooks

    def store(leaf: Any, g: np.ndarray) -> None:
        _accumulate_leaf(leaf, g, owned_this_pass)
    capture_leaves = capture["leaves"] if capture is not None else None
    capture_nodes = capture["nodes"] if capture is not None else None
    results = capture["results"] if capture is not None else None

    for tensor, g in roots:
        node = tensor.grad_fn
        if node is None:
            deliver_leaf(tensor, g, store, capture_leaves, results, hooked)
        elif node in grads:
            grads[node] = grads[node] + g
        else:
            grads[node] = g
            heappush(ready, (-node.sequence_nr, node))

    ndarray = np.ndarray
    pop, push, take = heappop, heappush, grads.pop
    free = not retain_graph
    while ready:
        node = pop(ready)[1]
        g = take(node)
        if node.observed:  # hooks or retain_grad on this node's output
            if node.tensor_hooks is not None:
                g = _run_hooks(node.tensor_hooks, g)
            if node.retained is not None:
                _store_retained(node, g)
        if capture_nodes is not None and node in capture_nodes:
            add_into(results, capture_nodes[node], g)
        input_grads = node.backward(node, g)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        if anomaly:
            anomaly_mode.check_outputs(node, input_grads)
        if free and node.to_save:
            node.to_save = ()
            node.freed = True
        for edge, ig in zip(node.next_edges, input_grads):
            if edge is None or ig is None:
                continue
            target, shape, dtype, is_node = edge
            if type(ig) is not ndarray:
                ig = np.asarray(ig)
            if ig.shape != shape:
                ig = unbroadcast(ig, shape)
                if ig.shape != shape:  # a shape the op changed without broadcasting
                    ig = ig.reshape(shape)
            if ig.dtype is not dtype and ig.dtype != dtype:
                ig = ig.astype(dtype)
            if not is_node:
                deliver_leaf(target, ig, store, capture_leaves, results, hooked)
            elif target in grads:
                grads[target] = grads[target] + ig
            else:
                grads[target] = ig
                push(ready, (-target.sequence_nr, target))
    if hooked:
        deliver_hooked_leaves(hooked, store, capture_leaves, results)


def _run_hooks(hooks: dict, g: Any) -> Any:
    """Call a tensor's hooks in registration order; a hook may return a replacement gradient.
    Hooks always receive a Tensor; ``g`` is returned in the form it came (array or Tensor)."""
    tensor_type = Function.tensor_type
    is_array = type(g) is np.ndarray
    current = tensor_type._wrap(g) if is_array else g
    for hook in list(hooks.values()):
        replaced = hook(current)
        if replaced is not None:
            if not isinstance(replaced, tensor_type):
                raise TypeError("hooks must return a Tensor or None, but got "
                                f"{type(replaced).__name__}")
            if replaced.shape != current.shape:
                raise RuntimeError(f"hook returned an invalid gradient: expected shape "
                                   f"{list(current.shape)} but got {list(replaced.shape)}")
            current = replaced
    if not is_array:
        return current
    # A replacement may be a tensor the user keeps: never let ``.grad`` alias (and later
    # accumulate into) its memory.
    return current._data if current._data is g else current._data.copy()


def add_into(results: list, slot: int, g: Any) -> None:
    """``results[slot] += g``, starting from nothing (``autograd.grad``'s captures)."""
    results[slot] = g if results[slot] is None else results[slot] + g


def deliver_leaf(leaf: Any, g: Any, store: Any, capture_leaves: dict | None,
                 results: list | None, hooked: dict) -> None:
    """Send ``g`` to a leaf: captured for ``autograd.grad``, or ``store(leaf, g)`` into
    ``.grad``. A leaf with hooks collects its contributions in ``hooked`` first: its hooks
    see the pass's total gradient once, as PyTorch's AccumulateGrad node does."""
    attributes = leaf.__dict__  # empty for almost every leaf: inlined, as it runs per leaf
    if attributes and (attributes.get("_backward_hooks")
                       or attributes.get("_post_accumulate_grad_hooks")):
        entry = hooked.get(id(leaf))
        if entry is None:
            hooked[id(leaf)] = [leaf, g]
        else:
            entry[1] = entry[1] + g
        return
    if capture_leaves is not None:
        slot = capture_leaves.get(id(leaf))
        if slot is not None:
            add_into(results, slot, g)
        return  # autograd.grad never touches .grad
    store(leaf, g)


def deliver_hooked_leaves(hooked: dict, store: Any, capture_leaves: dict | None,
                          results: list | None) -> None:
    """At the end of a pass: run each hooked leaf's hooks on its total gradient, then
    ``store(leaf, g)`` (or capture it), then its post-accumulate hooks."""
    for leaf, g in hooked.values():
        hooks = leaf.__dict__.get("_backward_hooks")
        if hooks:
            g = _run_hooks(hooks, g)
        if capture_leaves is not None:
            slot = capture_leaves.get(id(leaf))
            if slot is not None:
                add_into(results, slot, g)
            continue
        store(leaf, g)
        for hook in list(leaf.__dict__.get("_post_accumulate_grad_hooks", {}).values()):
            hook(leaf)


def _root_grads(outputs: Sequence[Any], grad_outputs: Sequence[Any] | None,
                create_graph: bool = False) -> list[tuple[Any, Any]]:
    """Each output with its starting gradient: an array, or with ``create_graph`` a Tensor
    (the user's own, if it requires grad, so the result can be differentiated w.r.t. it)."""
    tensor_type = Function.tensor_type
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"got {len(grad_outputs)} tensors in grad_tensors but {len(outputs)} outputs")
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, tensor_type):
            raise TypeError(f"backward expects tensors, but output {i} is {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            array = np.empty(out._data.shape, out._data.dtype)
            array.fill(1)  # np.ones_like's Python wrapper costs more, once per step
        else:
            if create_graph and isinstance(g, tensor_type) and g._requires_grad:
                if g.shape != out.shape:
                    raise RuntimeError(
                        f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                        f"output[{i}] has a shape of {out.shape}.")
                roots.append((out, g))
                continue
            array = g._data if isinstance(g, tensor_type) else np.asarray(g)
            if array.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{tensor_type._size_type(array.shape)} and output[{i}] has a shape of "
                    f"{tensor_type._size_type(out._data.shape)}.")
            # Copy: the user's tensor must never become (part of) some leaf's .grad.
            array = np.array(array, dtype=out._data.dtype)
        roots.append((out, tensor_type._wrap(array) if create_graph else array))
    return roots


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves of their graph.

    Args:
        tensors: a tensor or a sequence of tensors (the roots).
        grad_tensors: the gradient of each root; may be omitted for one-element roots.
        retain_graph: keep the graph for another backward (default: ``create_graph``).
        create_graph: record the backward pass too, so that the gradients (with a
            ``grad_fn``) can be differentiated again (second and higher derivatives).
        inputs: if given, only these leaves accumulate ``.grad``.

    Example:
        >>> y = (x * x).sum()
        >>> gradkit.autograd.backward(y)
    """
    if retain_graph is None:
        retain_graph = create_graph  # PyTorch's default
    tensor_type = Function.tensor_type
    if isinstance(tensors, tensor_type):
        tensors = [tensors]
    if isinstance(grad_tensors, tensor_type) or grad_tensors is None:
        grad_tensors = None if grad_tensors is None else [grad_tensors]
    roots = _root_grads(list(tensors), grad_tensors, create_graph)
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, tensor_type) else list(inputs)
        results = grad(list(tensors), inputs, grad_tensors, retain_graph=retain_graph,
                       create_graph=create_graph, allow_unused=True, _roots=roots)
        for leaf, g in zip(inputs, results):
            if g is None:
                continue
            if create_graph:
                leaf._grad = g if leaf._grad is None else leaf._grad + g
            else:
                _accumulate_leaf(leaf, g._data, set())
        return
    run_backward(roots, bool(retain_graph), create_graph=create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False, _roots: Any = None) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``.

    Args:
        outputs: a tensor or sequence of tensors.
        inputs: tensors that require grad (leaves or intermediate results).
        grad_outputs: the gradient of each output (optional for one-element outputs).
        retain_graph: keep the graph for another pass (default: ``create_graph``).
        create_graph: record the backward pass, so that the results have a ``grad_fn`` and
            can be differentiated again.
        allow_unused: return ``None`` for inputs the outputs do not depend on, instead of raising.
        materialize_grads: return zeros instead of ``None`` for unused inputs.

    Returns:
        A tuple with one tensor (or ``None``) per input.

    Example:
        >>> x = gradkit.tensor([3.0], requires_grad=True)
        >>> gradkit.autograd.grad((x ** 2).sum(), x)
        (tensor([6.]),)
    """
    if retain_graph is None:
        retain_graph = create_graph  # PyTorch's default
    tensor_type = Function.tensor_type
    if isinstance(outputs, tensor_type):
        outputs = [outputs]
    if isinstance(inputs, tensor_type):
        inputs = [inputs]
    outputs, inputs = list(outputs), list(inputs)
    if isinstance(grad_outputs, tensor_type):
        grad_outputs = [grad_outputs]
    if materialize_grads:
        allow_unused = True
    leaves: dict[int, int] = {}
    nodes: dict[Function, int] = {}
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        if t.grad_fn is None:
            leaves[id(t)] = i
        else:
            nodes[t.grad_fn] = i
    results: list = [None] * len(inputs)
    roots = _roots if _roots is not None else _root_grads(outputs, grad_outputs, create_graph)
    run_backward(roots, bool(retain_graph),
                 capture={"leaves": leaves, "nodes": nodes, "results": results},
                 create_graph=create_graph)
    out = []
    for t, g in zip(inputs, results):
        if g is None:
            if materialize_grads:
                out.append(tensor_type._wrap(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
            out.append(None)
        elif create_graph:
            out.append(g)  # already a Tensor of the input's dtype, with its grad_fn
        else:
            out.append(tensor_type._wrap(np.array(g, dtype=t._data.dtype)))
    return tuple(out)


def retain(node: Function, tensor: Any) -> None:
    """Make ``node`` store its gradient into ``tensor.grad`` (``Tensor.retain_grad``)."""
    node.retained = weakref.ref(tensor)
    node.observed = True
