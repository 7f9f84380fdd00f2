"""``gradkit.nn``: modules, parameters, initializers and ``functional``, as ``torch.nn``.

Example:
    >>> from gradkit import nn
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    >>> print(net)
    Sequential(
      (0): Flatten(start_dim=1, end_dim=-1)
      (1): Linear(in_features=784, out_features=10, bias=True)
    )
"""
from . import functional, init
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _module_names
from .parameter import Parameter, UninitializedParameter

__all__ = ["functional", "init", "Parameter", "UninitializedParameter"] + _module_names
from .modules.batchnorm import UninitializedBuffer  # noqa: E402

__all__ += ["UninitializedBuffer"]
