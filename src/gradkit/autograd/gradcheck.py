"""``gradcheck``: compare backward's gradients with central finite differences.

Example:
    >>> x = gradkit.randn(3, dtype=gradkit.float64, requires_grad=True)
    >>> gradkit.autograd.gradcheck(lambda t: (t.exp() * t).sum(), (x,))
    True
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import grad
from .function import Function
from .grad_mode import enable_grad, no_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytical and numerical gradients disagree."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _flat_outputs(func: Callable[..., Any], inputs: tuple) -> np.ndarray:
    outs = _as_tuple(func(*inputs))
    return np.concatenate([np.asarray(o._data, dtype=np.float64).ravel() for o in outs
                           if isinstance(o, Function.tensor_type)])


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, **_: Any) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against finite differences.

    Args:
        func: takes the inputs, returns a tensor or a tuple of tensors.
        inputs: a tensor or tuple; those with ``requires_grad=True`` are checked (use float64).
        eps: finite-difference step.
        atol, rtol: tolerances of the comparison.
        raise_exception: raise ``GradcheckError`` on a mismatch (else return False).

    Returns:
        True when every Jacobian entry agrees.

    Example:
        >>> gradkit.autograd.gradcheck(gradkit.sin, (gradkit.rand(4, dtype=gradkit.float64,
        ...                                                      requires_grad=True),))
        True
    """
    inputs = _as_tuple(inputs)
    tensor_type = Function.tensor_type
    checked = [t for t in inputs if isinstance(t, tensor_type) and t.requires_grad]
    outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, tensor_type)]
    sizes = [o._data.size for o in outputs]

    for index, t in enumerate(checked):
        # Numerical Jacobian: one row per input element, one column per output element.
        numerical = np.zeros((t._data.size, sum(sizes)))
        with no_grad():
            for j in range(t._data.size):
                position = np.unravel_index(j, t._data.shape)
                original = t._data[position].copy()
                t._data[position] = original + eps
                plus = _flat_outputs(func, inputs)
                t._data[position] = original - eps
                minus = _flat_outputs(func, inputs)
                t._data[position] = original
                numerical[j] = (plus - minus) / (2 * eps)
        # Analytical Jacobian: one vector-Jacobian product per output element.
        analytical = np.zeros_like(numerical)
        column = 0
        for out, size in zip(outputs, sizes):
            if not out.requires_grad:
                column += size
                continue
            for k in range(size):
                seed = np.zeros(size, dtype=out._data.dtype)
                seed[k] = 1
                (g,) = grad(out, [t], tensor_type._wrap(seed.reshape(out._data.shape)),
                            retain_graph=True, allow_unused=True)
                if g is not None:
                    analytical[:, column + k] = np.asarray(g._data, np.float64).ravel()
            column += size
        if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            element, column = np.unravel_index(np.argmax(np.abs(analytical - numerical)),
                                               numerical.shape)
            output = int(np.searchsorted(np.cumsum(sizes), column, side="right"))
            raise GradcheckError(
                f"Jacobian mismatch for output {output} with respect to input {index},\n"
                f"numerical:{numerical}\nanalytical:{analytical}\n"
                f"largest difference at input element {int(element)}, output element "
                f"{int(column - sum(sizes[:output]))}")
    return True


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0, **_: Any) -> bool:
    """Check second derivatives: ``gradcheck`` of the gradients of ``func`` (computed with
    ``create_graph=True``) w.r.t. the inputs and the output gradients.

    Args:
        func: takes the inputs, returns a tensor or a tuple of tensors.
        inputs: a tensor or tuple; those with ``requires_grad=True`` are checked (use float64).
        grad_outputs: the gradient of each output; random (float64, requiring grad) if None.
        eps, atol, rtol, raise_exception: as in ``gradcheck``.
        seed: seeds the random ``grad_outputs``, so a failure can be reproduced.

    Example:
        >>> x = gradkit.rand(3, dtype=gradkit.float64, requires_grad=True)
        >>> gradkit.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    tensor_type = Function.tensor_type
    with enable_grad():
        outputs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, tensor_type)]
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(tensor_type._wrap(rng.standard_normal(o._data.shape).astype(
            o._data.dtype), True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_inputs = len(inputs)
    differentiable = [i for i, t in enumerate(inputs)
                      if isinstance(t, tensor_type) and t.requires_grad]

    def first_derivatives(*args: Any) -> tuple:
        xs, vs = args[:n_inputs], args[n_inputs:]
        with enable_grad():
            outs = [o for o in _as_tuple(func(*xs)) if isinstance(o, tensor_type)]
            pairs = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
            grads = grad([o for o, _ in pairs], [xs[i] for i in differentiable],
                         [v for _, v in pairs], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, tuple(inputs) + tuple(grad_outputs), eps=eps,
                     atol=atol, rtol=rtol, raise_exception=raise_exception)
