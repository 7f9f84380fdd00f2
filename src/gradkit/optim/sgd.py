"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

Example:
    >>> trainer = gradkit.optim.SGD(net.parameters(), lr=0.03)
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, required

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, with PyTorch's update:

    g = ∇ (+ weight_decay·p); with momentum μ: b = μ·b + (1 − dampening)·g (b = g at first),
    g = g + μ·b if nesterov else b; then p = p − lr·g (or + with ``maximize``).

    Args:
        params: parameters or parameter groups.
        lr: learning rate.
        momentum, dampening, weight_decay: as above (default 0).
        nesterov: Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend instead of descend.

    Example:
        >>> opt = gradkit.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: Any = None, differentiable: bool = False,
                 fused: Any = None) -> None:
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        # foreach/differentiable/fused choose PyTorch kernels; gradkit has one NumPy path, but
        # keeps them in the groups so repr(opt) and state_dict() read as PyTorch's.
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            nesterov, maximize = group["nesterov"], group["maximize"]
            for p, grad, state in self._params_with_grad(group):
                data = p._data
                grad = self._effective_grad(data, grad, maximize, weight_decay)
                if momentum:
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        buffer = state["momentum_buffer"] = Tensor._wrap(np.array(grad))
                    else:
                        buf = buffer._data
                        buf *= momentum
                        if dampening:
                            self._add_scaled_(buf, 1 - dampening, grad)
                        else:
                            buf += grad
                    grad = grad + momentum * buffer._data if nesterov else buffer._data
                # In place on the parameter's own array: no graph, no new parameter array.
                self._add_scaled_(data, -lr, grad)
                p._bump()
        return loss
