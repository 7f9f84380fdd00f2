"""The Gluon facade: what MXNet 1.x code of D2L chapters 2–3 uses, on gradkit's engine.

Under ``python -m gradkit.compat`` (or ``gradkit.compat.install()``), ``import mxnet`` and
``from mxnet import nd, autograd, gluon, init`` get these modules. Arrays are ``NDArray``
wrappers around gradkit tensors; ``autograd.record()``, Gluon blocks, losses and the
``Trainer`` follow Gluon's semantics (see each module). Anything else raises
``NotImplementedError`` naming it.

Example:
    >>> from gradkit.compat.mxnet import nd, autograd
    >>> x = nd.arange(4); x.attach_grad()
    >>> with autograd.record():
    ...     y = 2 * nd.dot(x, x)
    >>> y.backward(); x.grad
    <BLANKLINE>
    [ 0.  4.  8. 12.]
    <NDArray 4 @cpu(0)>
"""
from . import autograd, context, initializer, ndarray, random
from . import initializer as init
from . import ndarray as nd
from .context import Context, cpu, gpu
from . import gluon

__version__ = "1.9.1"  # the MXNet API this facade follows

__all__ = ["nd", "ndarray", "autograd", "gluon", "init", "initializer", "random", "context",
           "Context", "cpu", "gpu"]
