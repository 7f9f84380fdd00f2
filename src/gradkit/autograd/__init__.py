"""Automatic differentiation: the ``Function`` base class, the backward engine and grad mode;
higher-order gradients (``create_graph=True``, ``functional``, ``gradgradcheck``) and anomaly
detection (``detect_anomaly``).

Example:
    >>> x = gradkit.arange(4.0, requires_grad=True)
    >>> y = 2 * gradkit.dot(x, x)
    >>> y.backward()
    >>> x.grad
    tensor([ 0.,  4.,  8., 12.])
"""
from . import functional
from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_detect_anomaly)
from .engine import backward, grad
from .function import Function
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "functional",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]
