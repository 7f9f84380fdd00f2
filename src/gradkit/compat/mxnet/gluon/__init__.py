"""``mxnet.gluon``: ``nn``, ``loss``, ``data``, ``Trainer``, ``Parameter``, on gradkit.

Example:
    >>> from mxnet import gluon, init
    >>> from mxnet.gluon import nn
    >>> net = nn.Sequential(); net.add(nn.Dense(1)); net.initialize(init.Normal(sigma=0.01))
    >>> trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.03})
"""
from . import data, loss, nn
from .block import Block, HybridBlock
from .parameter import DeferredInitializationError, Parameter, ParameterDict
from .trainer import Trainer

__all__ = ["nn", "loss", "data", "Trainer", "Parameter", "ParameterDict", "Block",
           "HybridBlock", "DeferredInitializationError"]
