"""The run folder's figures: training curves, a grid of predictions, a confusion matrix.

Each figure is drawn with matplotlib's non-interactive backend and saved atomically.

Example:
    >>> curves(metrics, Path("runs/demo/curves.png"))
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..autograd.grad_mode import no_grad
from ..plot import pyplot, save_figure, show_images
from .base import Experiment

__all__ = ["curves", "predictions", "confusion"]


def curves(metrics: dict[str, Any], path: Path) -> None:
    """Loss (and accuracy) per epoch of every experiment of a run."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for record in metrics["experiments"]:
        history = record["history"]
        if not history:
            continue
        epochs = [h["epoch"] for h in history]
        prefix = f"{record['name']} " if record["name"] else ""
        for key, fmt in (("train_loss", "-"), ("train_acc", "m--"), ("test_acc", "g-."),
                         ("test_loss", "r:")):
            if key in history[0]:
                ax.plot(epochs, [h[key] for h in history], fmt,
                        label=prefix + key.replace("_", " "))
    if metrics.get("task") == "regression":
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_title(metrics["recipe"])
    ax.grid(True)
    ax.legend(fontsize="small")
    save_figure(fig, path)
    plt.close(fig)


def predictions(experiment: Experiment, path: Path, n: int = 12) -> None:
    """The first ``n`` test images with their true and predicted labels."""
    X, y = next(iter(experiment.test_iter))
    with no_grad():
        if hasattr(experiment.net, "eval"):
            experiment.net.eval()
        predicted = experiment.net(X).argmax(axis=1)
    labels = experiment.labels or [str(i) for i in range(10)]
    titles = [f"{labels[int(t)]}\n{labels[int(p)]}" + ("" if int(t) == int(p) else " ✗")
              for t, p in zip(y[:n], predicted[:n])]
    images = X[:n].reshape((min(n, len(X)), X.shape[-2], X.shape[-1]))
    plt = pyplot()
    axes = show_images(images, 2, (len(images) + 1) // 2, titles=titles, scale=1.6)
    for ax in axes:
        ax.title.set_fontsize(8)
        for image in ax.images:
            image.set_cmap("gray_r")
    fig = axes[0].figure
    fig.suptitle("true / predicted (✗ = wrong)", fontsize=9)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def confusion(matrix: np.ndarray, labels: Sequence[Any], path: Path) -> None:
    """The confusion matrix (rows: true class, columns: predicted), with counts."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    image = ax.imshow(matrix, cmap="Blues")
    ticks = range(len(labels))
    ax.set_xticks(list(ticks), [str(label) for label in labels], rotation=45, ha="right")
    ax.set_yticks(list(ticks), [str(label) for label in labels])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if matrix[i, j] > threshold else "black")
    fig.colorbar(image, ax=ax)
    save_figure(fig, path)
    plt.close(fig)
