"""``autograd.functional``: Jacobians, Hessians and their products, as in PyTorch.

All are built from ``autograd.grad``; the second-order ones (``hessian``, ``hvp``, ``vhp``,
``jvp``) differentiate a gradient, so they use ``create_graph=True``.

- ``vjp(f, x, v)``: vᵀ·J, one backward pass.
- ``jvp(f, x, v)``: J·v, by the double-backward trick (the vjp is linear in its vector u, so
  differentiating it w.r.t. u gives J·v) -- gradkit has no forward mode.
- ``jacobian(f, x)``: one backward pass per output element, shape ``out.shape + in.shape``.
- ``hessian(f, x)``: the Jacobian of the gradient of a scalar ``f``.
- ``hvp(f, x, v)`` = H·v and ``vhp(f, x, v)`` = vᵀ·H (equal for a twice continuously
  differentiable f, as H is symmetric).

``vectorize`` and ``strategy="forward-mode"`` are accepted for PyTorch's signature; they only
change how PyTorch computes the same numbers, and gradkit always runs reverse mode, row by row.

Example:
    >>> x = gradkit.arange(3.0)
    >>> gradkit.autograd.functional.jacobian(lambda x: 2 * x * x, x)
    tensor([[0., 0., 0.],
            [0., 4., 0.],
            [0., 0., 8.]])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import grad
from .function import Function
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(was it a tuple, the tensors as a tuple), with PyTorch's TypeError for other types."""
    tensor_type = Function.tensor_type
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for item in items:
        if not isinstance(item, tensor_type):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {items.index(item)} has type "
                    f"{type(item)}.")
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the given {arg_name} has type {type(x)}.")
    return is_tuple, items


def _prepare_inputs(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad: detached copies of the user's leaves, or (with create_graph
    and an input already in a graph) a view that keeps the user's graph connected."""
    prepared = []
    for x in inputs:
        if create_graph and x.requires_grad:
            prepared.append(x.view_as(x))
        else:
            prepared.append(x.detach().requires_grad_(True))
    return tuple(prepared)


def _grads(outputs: tuple, inputs: tuple, grad_outputs: Any, create_graph: bool,
           strict: bool, fn_name: str, stage: str = "outputs") -> tuple:
    """``autograd.grad`` of the outputs that require grad; zeros for unused inputs (or, when
    ``strict``, PyTorch's error)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if strict:
        for i, o in enumerate(outputs):
            if not o.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode.")
    if not pairs:
        results: tuple = (None,) * len(inputs)
    else:
        results = grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                       retain_graph=True, create_graph=create_graph, allow_unused=True)
    out = []
    for i, (x, g) in enumerate(zip(inputs, results)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The {stage} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode.")
            g = Function.tensor_type._wrap(np.zeros_like(x._data))
        out.append(g)
    return tuple(out)


def _finish(values: tuple, create_graph: bool) -> tuple:
    return values if create_graph else tuple(v.detach() for v in values)


def _call(func: Callable[..., Any], inputs: tuple, fn_name: str) -> tuple[bool, tuple]:
    with enable_grad():
        outputs = func(*inputs)
    return _as_tuple(outputs, "outputs of the user-provided function", fn_name)


def _check_v(v: Any, like: tuple, is_tuple: bool, fn_name: str, what: str) -> tuple:
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(
                f"The vector v can only be None if the {what} a single Tensor with a single "
                "element.")
        return (Function.tensor_type._wrap(np.ones_like(like[0]._data)),)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(like)} but got "
                           f"{len(vs)}.")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(
                f"Entry {i} in v has invalid size: should be {b.shape} but got {a.shape}.")
    return vs


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """The vector-Jacobian product vᵀ·J of ``func`` at ``inputs``.

    Args:
        func: takes the input tensors, returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        v: one tensor per output, of its shape (may be None for a one-element output).
        create_graph: make the result differentiable.
        strict: raise if an output does not depend on the inputs.

    Returns:
        ``(func_output, vjp)``; vjp has the inputs' structure and shapes.

    Example:
        >>> vjp(lambda x: x * x, gradkit.tensor([1.0, 2.0]), gradkit.ones(2))[1]
        tensor([2., 4.])
    """
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _prepare_inputs(xs, create_graph)
    outputs_tuple, outs = _call(func, xs, "vjp")
    vs = _check_v(v, outs, outputs_tuple, "vjp", "user-provided function returns")
    result = _finish(_grads(outs, xs, vs, create_graph, strict, "vjp"), create_graph)
    outs = _finish(outs, create_graph)
    return (outs if outputs_tuple else outs[0]), (result if inputs_tuple else result[0])


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """The Jacobian-vector product J·v of ``func`` at ``inputs`` (double-backward trick).

    Args:
        v: one tensor per input, of its shape (may be None for a one-element input).

    Returns:
        ``(func_output, jvp)``; jvp has the outputs' structure and shapes.

    Example:
        >>> jvp(lambda x: x * x, gradkit.tensor([1.0, 2.0]), gradkit.ones(2))[1]
        tensor([2., 4.])
    """
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    xs = _prepare_inputs(xs, create_graph)
    vs = _check_v(v, xs, inputs_tuple, "jvp", "input to the user-provided function is")
    outputs_tuple, outs = _call(func, xs, "jvp")
    tensor_type = Function.tensor_type
    # u ↦ uᵀ·J is linear in u; its derivative w.r.t. u, applied to v, is J·v.
    us = tuple(tensor_type._wrap(np.zeros_like(o._data), True) for o in outs)
    with enable_grad():
        vjps = _grads(outs, xs, us, True, strict, "jvp")
        connected = [(g, w) for g, w in zip(vjps, vs) if g.requires_grad]
        if connected:
            results = grad([g for g, _ in connected], list(us), [w for _, w in connected],
                           create_graph=create_graph, allow_unused=True)
        else:
            results = (None,) * len(us)
    result = tuple(tensor_type._wrap(np.zeros_like(o._data)) if r is None else r
                   for o, r in zip(outs, results))
    result, outs = _finish(result, create_graph), _finish(outs, create_graph)
    return (outs if outputs_tuple else outs[0]), (result if outputs_tuple else result[0])


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: entry [i][j] has shape
    ``output_i.shape + input_j.shape``.

    Args:
        func: takes the input tensors, returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors.
        create_graph: make the result differentiable (``hessian`` uses it).
        strict: raise if an output does not depend on an input (else zeros).
        vectorize, strategy: accepted for PyTorch's signature (same results).

    Returns:
        A tensor for one input and one output; a tuple over inputs (or outputs), or a tuple of
        tuples ``[output][input]`` when both are tuples.

    Example:
        >>> jacobian(lambda x: 2 * x * x, gradkit.tensor([1.0, 2.0]))
        tensor([[4., 0.],
                [0., 8.]])
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         "Hint: If your function has more outputs than inputs, "
                         '"forward-mode" tends to be more performant. Otherwise, prefer to '
                         'use "reverse-mode".')
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _prepare_inputs(xs, create_graph)
    outputs_tuple, outs = _call(func, xs, "jacobian")
    tensor_type = Function.tensor_type
    table = []
    for i, out in enumerate(outs):
        rows: list[list] = [[] for _ in xs]
        for k in range(out.numel()):
            seed = np.zeros(out._data.size, dtype=out._data.dtype)
            seed[k] = 1  # row k of the Jacobian: the vjp with the k-th unit vector
            seed_tensor = tensor_type._wrap(seed.reshape(out._data.shape))
            for j, g in enumerate(_grads((out,), xs, (seed_tensor,), create_graph, strict,
                                         "jacobian")):
                rows[j].append(g)
        per_input = []
        for j, x in enumerate(xs):
            shape = tuple(out.shape) + tuple(x.shape)
            if rows[j]:
                block = _stack(rows[j]).reshape(shape)
            else:  # an output with no elements
                block = tensor_type._wrap(np.zeros(shape, dtype=x._data.dtype))
            per_input.append(block if create_graph else block.detach())
        table.append(tuple(per_input))
    if not inputs_tuple:
        table = [row[0] for row in table]
    result = tuple(table)
    return result if outputs_tuple else result[0]


def _stack(tensors: list) -> Any:
    from .._ops.shape import Stack  # the op layer, above this one: imported when used

    return Stack.apply(*tensors, dim=0)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar ``func`` at ``inputs``: shape ``input.shape + input.shape``
    (a tuple of tuples ``[i][j]`` for a tuple of inputs).

    Example:
        >>> hessian(lambda x: (x ** 3).sum(), gradkit.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args: Any) -> Any:
        _, outs = _call(func, args, "hessian")
        if len(outs) != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if outs[0].numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return jacobian(lambda *a: func(*a).reshape(()), args, create_graph=True,
                        strict=strict)

    result = jacobian(gradient, xs, create_graph=create_graph, strict=strict,
                      strategy=outer_jacobian_strategy)
    if not inputs_tuple:
        return result[0][0]
    return result


def _second_order(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool,
                  strict: bool, fn_name: str) -> tuple:
    inputs_tuple, xs = _as_tuple(inputs, "inputs", fn_name)
    xs = _prepare_inputs(xs, create_graph)
    vs = _check_v(v, xs, inputs_tuple, fn_name, "input to the user-provided function is")
    _, outs = _call(func, xs, fn_name)
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor "
                           "containing a single element")
    with enable_grad():
        grads = _grads(outs, xs, (None,), True, strict, fn_name)
        connected = [(g, w) for g, w in zip(grads, vs) if g.requires_grad]
        if connected:
            results = grad([g for g, _ in connected], list(xs), [w for _, w in connected],
                           create_graph=create_graph, allow_unused=True)
        else:
            results = (None,) * len(xs)
    tensor_type = Function.tensor_type
    result = tuple(tensor_type._wrap(np.zeros_like(x._data)) if r is None else r
                   for x, r in zip(xs, results))
    result, outs = _finish(result, create_graph), _finish(outs, create_graph)
    return outs[0], (result if inputs_tuple else result[0])


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """The vector-Hessian product vᵀ·H of a scalar ``func``: ``(func_output, vhp)``.

    Example:
        >>> vhp(lambda x: (x ** 3).sum(), gradkit.tensor([1.0, 2.0]), gradkit.ones(2))[1]
        tensor([ 6., 12.])
    """
    return _second_order(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """The Hessian-vector product H·v of a scalar ``func``: ``(func_output, hvp)`` (H is
    symmetric, so this is ``vhp``'s value).

    Example:
        >>> hvp(lambda x: (x ** 3).sum(), gradkit.tensor([1.0, 2.0]), gradkit.ones(2))[1]
        tensor([ 6., 12.])
    """
    return _second_order(func, inputs, v, create_graph, strict, "hvp")
