"""The book's toolkit, both editions in one module: ``from gradkit import d2l`` (or, through
``gradkit.compat``, ``from d2l import torch as d2l``) runs the code of the Chinese edition
(d2l 2.0.0: ``train_ch3``, ``load_data_fashion_mnist``, ``Animator``) and of the English one
(d2l 1.0.3: ``Module``, ``Trainer``, ``DataModule``, ``ProgressBoard``), with the same names and
signatures. Everything is re-exported flat as ``d2l.*``; the parts live in:

========================  ===============================================================
``zh_training.py``        2.0.0's function-style helpers: ``synthetic_data``, ``sgd``,
                          ``load_data_fashion_mnist``, ``Accumulator``, ``train_ch3``...
``hyperparameters.py``    1.0.3's ``HyperParameters`` and ``add_to_class``
``module.py``             1.0.3's ``Module`` and ``Classifier`` (loss, steps, plotting)
``trainer.py``            1.0.3's ``Trainer``: **``Trainer.fit``** and ``fit_epoch``
``data.py``               1.0.3's ``DataModule``, ``SyntheticRegressionData``, ``FashionMNIST``
``models.py``             1.0.3's ``LinearRegressionScratch``, ``SGD``, ``LinearRegression``,
                          ``SoftmaxRegression``, ``init_cnn``
``boards.py``             1.0.3's ``ProgressBoard``
``cnn.py``                the convolution chapters: ``corr2d``, ``evaluate_accuracy_gpu``,
                          ``train_ch6`` (2.0.0), ``LeNet`` (1.0.3)
``devices.py``            ``cpu``, ``gpu``, ``num_gpus``, ``try_gpu``, ``try_all_gpus``
``download.py``           ``DATA_HUB``, ``DATA_URL``, ``download``, ``extract``
``aliases.py``            the function aliases (``d2l.reshape``, ``d2l.reduce_sum``...)
``gradkit/plot.py``       the drawing both share: ``plot``, ``set_figsize``, ``show_images``,
                          ``Animator``, and ``LiveFigure`` (throttled rendering)
========================  ===============================================================

Names both editions define, and how they compare (checked against both ``d2l/torch.py``):

- The same in both: ``Timer``, ``Accumulator``, ``accuracy``, ``synthetic_data``, ``linreg``,
  ``squared_loss``, ``sgd``, ``load_array``, ``get_fashion_mnist_labels``,
  ``get_dataloader_workers``, ``evaluate_loss``, ``set_axes``, ``set_figsize``, ``plot``
  (1.0.3's ``legend=[]`` default and 2.0.0's ``legend=None`` draw the same), ``show_images``
  (1.0.3 converts any tensor with ``d2l.numpy``, 2.0.0 only calls ``img.numpy()``: gradkit
  detaches first, so both work on tensors that require grad), ``Animator``, the aliases.
- ``load_data_fashion_mnist``: the same loaders; 1.0.3 builds them with
  ``torch.utils.data.DataLoader`` too. gradkit's never downloads (bundled data) and takes
  ``root``.
- ``download``: 1.0.3's ``download(url, folder='../data', sha1_hash=None)``; 2.0.0's
  ``download(name, cache_dir)`` is the same call with a ``DATA_HUB`` name, which 1.0.3 also
  accepts. Failures raise ``RuntimeError``/``KeyError`` instead of asserting.
- ``try_all_gpus``: with no GPU, 2.0.0 returns ``[cpu()]``, 1.0.3 ``[]``; gradkit returns
  ``[cpu()]`` (code that takes ``devices[0]`` keeps working).
- ``train_ch3``, ``train_epoch_ch3``, ``evaluate_accuracy``, ``predict_ch3`` exist in 2.0.0
  only; the 1.0.3 toolkit classes exist in 1.0.3 only: no conflict.

Where gradkit is kinder than the book (the behaviour is otherwise the book's): ``train_ch3``
warns instead of asserting (``train_ch3_history`` is the same training returning its
figures); ``ProgressBoard`` without ``xlabel``
leaves the x axis unlabelled (the book's labels it with the last x value);
``Module.plot`` draws every batch when there are fewer batches than points per epoch (the
book's ``every_n=0`` never draws); drawing is throttled to a few renders a second and flushed
when training returns (the book renders on every point); outside Jupyter the boards print a
line per epoch and save their figure to a PNG. matplotlib is imported only when something is
drawn (``d2l.plt`` imports it on first use).

Example:
    >>> from gradkit import d2l
    >>> model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
    >>> d2l.Trainer(max_epochs=10).fit(model, d2l.FashionMNIST(batch_size=256))
"""
from __future__ import annotations

from typing import Any

from ..plot import Animator, plot, set_axes, set_figsize, show_images, use_svg_display
from . import aliases, zh_training
from .aliases import *  # noqa: F401,F403
from .boards import ProgressBoard
from .cnn import LeNet, corr2d, evaluate_accuracy_gpu, train_ch6, train_ch6_history
from .data import DataModule, FashionMNIST, SyntheticRegressionData
from .devices import cpu, gpu, num_gpus, try_all_gpus, try_gpu
from .download import DATA_HUB, DATA_URL, download, download_all, download_extract, extract
from .hyperparameters import HyperParameters, add_to_class
from .models import SGD, LinearRegression, LinearRegressionScratch, SoftmaxRegression, init_cnn
from .module import Classifier, Module
from .trainer import Trainer, grad_clipping
from .zh_training import *  # noqa: F401,F403

__all__ = [
    # drawing, both editions
    "use_svg_display", "set_figsize", "set_axes", "plot", "show_images", "Animator",
    # 1.0.3's toolkit
    "HyperParameters", "add_to_class", "ProgressBoard", "Module", "Classifier", "DataModule",
    "Trainer", "grad_clipping", "SyntheticRegressionData", "FashionMNIST", "LinearRegressionScratch", "SGD",
    "LinearRegression", "SoftmaxRegression", "init_cnn",
    "cpu", "gpu", "num_gpus", "try_gpu", "try_all_gpus",
    "DATA_HUB", "DATA_URL", "download", "extract", "download_extract", "download_all",
    *zh_training.__all__,
    # the convolution chapters (zh 6, en 7)
    "corr2d", "evaluate_accuracy_gpu", "train_ch6", "train_ch6_history", "LeNet",
]

#: 1.0.3 names ``torch.nn.Module`` so (its ``Module`` is ``d2l.nn_Module`` + ``HyperParameters``).
from ..nn import Module as nn_Module  # noqa: E402


def __getattr__(name: str) -> Any:
    # ``d2l.plt`` is matplotlib.pyplot, imported only when first used.
    if name == "plt":
        from ..plot import pyplot

        return pyplot()
    raise AttributeError(f"module 'gradkit.d2l' has no attribute '{name}'")
