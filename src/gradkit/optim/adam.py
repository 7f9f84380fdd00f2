"""``Adam`` and ``AdamW``: adaptive moment estimation, with PyTorch's exact update order.

Example:
    >>> opt = gradkit.optim.Adam(net.parameters(), lr=1e-3)
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam with PyTorch's update (step t, moments m and v):

    g = ∇ (+ weight_decay·p, L2); m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²;
    p = p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps), with v replaced by its running max
    under ``amsgrad``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β1, β2), default (0.9, 0.999).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty added to the gradient (default 0), or with
            ``decoupled_weight_decay`` a decay p = p·(1 − lr·weight_decay) (AdamW).
        amsgrad: use the running maximum of v.
        maximize: ascend instead of descend.
        decoupled_weight_decay: AdamW's weight decay (PyTorch ≥ 2.6 spells AdamW this way).

    Example:
        >>> opt = gradkit.optim.Adam(net.parameters(), lr=0.01, betas=(0.9, 0.99))
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: Any = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: Any = None,
                 decoupled_weight_decay: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        # foreach/capturable/differentiable/fused choose PyTorch kernels; gradkit has one NumPy
        # path, but keeps them in the groups so repr(opt) and state_dict() read as PyTorch's.
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad, maximize = (group["weight_decay"], group["amsgrad"],
                                               group["maximize"])
            decoupled = group.get("decoupled_weight_decay", False)
            for p, grad, state in self._params_with_grad(group):
                data = p._data
                if not state:
                    state["step"] = Tensor._wrap(np.zeros((), np.float32))
                    state["exp_avg"] = Tensor._wrap(np.zeros_like(data))
                    state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(data))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(data))
                state["step"]._data += 1
                step = float(state["step"]._data)
                if weight_decay and decoupled:
                    data *= 1 - lr * weight_decay
                grad = self._effective_grad(data, grad, maximize,
                                            0 if decoupled else weight_decay)
                # Work arrays are reused across steps (see Optimizer._add_scaled_): fresh
                # temporaries of a large parameter cost more in page faults than the math.
                work = self._scratch_like(data, "adam")
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                # m = lerp(m, g, 1 − β1), as PyTorch
                np.subtract(grad, exp_avg, out=work, casting="same_kind")
                self._add_scaled_(exp_avg, 1 - beta1, work)
                # v = β2·v + (1 − β2)·g²
                exp_avg_sq *= beta2
                np.multiply(grad, grad, out=work, casting="same_kind")
                self._add_scaled_(exp_avg_sq, 1 - beta2, work)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2_sqrt = math.sqrt(1 - beta2 ** step)
                second = exp_avg_sq
                if amsgrad:
                    second = state["max_exp_avg_sq"]._data
                    np.maximum(second, exp_avg_sq, out=second)
                # p = p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
                denominator = np.sqrt(second, out=work)
                denominator /= bias_correction2_sqrt
                denominator += eps
                np.divide(exp_avg, denominator, out=work)
                self._add_scaled_(data, -lr / bias_correction1, work)
                p._bump()
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p·(1 − lr·weight_decay) before the Adam step
    (default weight_decay 0.01).

    Example:
        >>> opt = gradkit.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Any = None, capturable: bool = False, differentiable: bool = False,
                 fused: Any = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
