"""``gluon.Trainer``: applies a gradkit optimizer to Gluon parameters.

``trainer.step(batch_size)`` rescales the gradients by ``1/batch_size`` (the losses are summed
by ``backward``) and takes one step. The buffers themselves are left unscaled, so
``param.grad()`` still shows what backward wrote, and are not zeroed: the next backward
overwrites them (``grad_req='write'``).

Example:
    >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03})
    >>> with autograd.record():
    ...     l = loss(net(X), y)
    >>> l.backward()
    >>> trainer.step(batch_size)
"""
from __future__ import annotations

from typing import Any

import gradkit

from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]

# MXNet optimizer name -> (gradkit optimizer, {MXNet hyper-parameter: gradkit keyword}).
_OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": "lr", "momentum": "momentum", "wd": "weight_decay"}),
    "adam": ("Adam", {"learning_rate": "lr", "wd": "weight_decay", "epsilon": "eps"}),
}
_DEFAULT_LR = {"sgd": 0.01, "adam": 0.001}


class Trainer:
    """Updates ``params`` with ``optimizer`` (``'sgd'`` or ``'adam'``).

    Args:
        params: a ``ParameterDict`` (``net.collect_params()``) or a list of Parameters.
        optimizer: the optimizer's name.
        optimizer_params: ``{'learning_rate': 0.03, 'wd': ..., 'momentum': ...,
            'clip_gradient': ..., 'rescale_grad': ...}`` (Adam: ``beta1``, ``beta2``,
            ``epsilon``).

    Example:
        >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03})
    """

    def __init__(self, params: Any, optimizer: str, optimizer_params: dict | None = None,
                 kvstore: Any = "device", compression_params: Any = None,
                 update_on_kvstore: Any = None) -> None:
        if isinstance(params, (ParameterDict, dict)):
            params = list(params.values())
        self._params: list[Parameter] = list(params)
        for param in self._params:
            if not isinstance(param, Parameter):
                raise ValueError("First argument must be a list or dict of Parameters, got "
                                 f"list of {type(param)}.")
        name = optimizer.lower() if isinstance(optimizer, str) else optimizer
        if name not in _OPTIMIZERS:
            raise NotImplementedError(f"gluon.Trainer optimizer {optimizer!r} is not implemented "
                                      "in gradkit (use 'sgd' or 'adam')")
        self._name = name
        hyper = dict(optimizer_params or {})
        self._scale = float(hyper.pop("rescale_grad", 1.0))
        self._clip = hyper.pop("clip_gradient", None)
        hyper.setdefault("learning_rate", _DEFAULT_LR[name])
        self._hyper = hyper
        self._optimizer: gradkit.optim.Optimizer | None = None  # made at the first step

    @property
    def learning_rate(self) -> float:
        """The current learning rate."""
        return float(self._hyper["learning_rate"])

    def set_learning_rate(self, lr: float) -> None:
        """Change the learning rate.

        Example:
            >>> trainer.set_learning_rate(0.01)
        """
        self._hyper["learning_rate"] = lr
        if self._optimizer is not None:
            for group in self._optimizer.param_groups:
                group["lr"] = lr

    def _make_optimizer(self, tensors: list[gradkit.Tensor]) -> gradkit.optim.Optimizer:
        class_name, names = _OPTIMIZERS[self._name]
        kwargs = {names[k]: v for k, v in self._hyper.items() if k in names}
        if self._name == "adam":
            kwargs["betas"] = (self._hyper.get("beta1", 0.9), self._hyper.get("beta2", 0.999))
        unknown = set(self._hyper) - set(names) - {"beta1", "beta2"}
        if unknown:
            raise NotImplementedError(f"gluon.Trainer '{self._name}' options {sorted(unknown)} "
                                      "are not implemented in gradkit")
        return getattr(gradkit.optim, class_name)(tensors, **kwargs)

    def step(self, batch_size: int, ignore_stale_grad: bool = False) -> None:
        """One update with the gradients divided by ``batch_size``.

        Example:
            >>> trainer.step(batch_size)
        """
        tensors = [p._check_initialized() for p in self._params if p.grad_req != "null"]
        if self._optimizer is None:
            self._optimizer = self._make_optimizer(tensors)
        scale = self._scale / batch_size
        buffers = [t.grad for t in tensors]
        with gradkit.no_grad():
            for tensor, buffer in zip(tensors, buffers):
                if buffer is not None:
                    scaled = buffer * scale
                    if self._clip is not None:
                        scaled = scaled.clamp(-self._clip, self._clip)
                    tensor.grad = scaled
            try:
                self._optimizer.step()
            finally:
                for tensor, buffer in zip(tensors, buffers):
                    tensor.grad = buffer

    update = step

    def allreduce_grads(self) -> None:
        """Nothing to reduce on one device."""
