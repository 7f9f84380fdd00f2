"""Drawing for the book's helpers: figures, axes, image grids and the live ``Animator``.

matplotlib is imported only when something is drawn. Inside Jupyter, figures show inline and
the ``Animator`` redraws in place; anywhere else (a terminal, an IDE, CI) the non-interactive
Agg backend is used, so no window pops up and nothing blocks, and figures are saved to files.

Example:
    >>> from gradkit import plot
    >>> plot.plot(gradkit.arange(5.0), [gradkit.arange(5.0) ** 2], legend=["x²"])
"""
from __future__ import annotations

import os
import sys
import tempfile
from typing import Any, Callable, Sequence

import numpy as np

from ._fileio import atomic_write

__all__ = ["in_notebook", "pyplot", "use_svg_display", "set_figsize", "set_axes", "plot",
           "show_images", "Animator", "save_figure", "show_by_saving"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where figures can be displayed inline).

    Example:
        >>> gradkit.plot.in_notebook()
        False
    """
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ipython = shell.get_ipython()  # type: ignore[attr-defined]
    except AttributeError:
        return False
    return ipython is not None and type(ipython).__name__ == "ZMQInteractiveShell"


def pyplot() -> Any:
    """``matplotlib.pyplot``, imported now; outside notebooks with the Agg backend (no
    windows, nothing blocks) unless ``MPLBACKEND`` chooses another. With that backend
    ``plt.show()`` saves each open figure to a PNG file and prints its name, so the book's
    ``d2l.plot(...); d2l.plt.show()`` shows something from a terminal too.

    Example:
        >>> plt = gradkit.plot.pyplot()
    """
    if "matplotlib.pyplot" not in sys.modules:
        try:
            import matplotlib
        except ImportError:
            raise ImportError("drawing needs matplotlib: pip install matplotlib "
                              "(or pip install \"gradkit[plot]\")") from None
        if not in_notebook() and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            plt.show = show_by_saving  # Agg's own show() can only warn
    import matplotlib.pyplot as plt

    return plt


def show_by_saving(*args: Any, **kwargs: Any) -> list[str]:
    """``plt.show()`` where no window can open: save each open figure to a PNG file in the
    temporary folder, print its name, and close it (as a blocking ``show()`` would).

    Returns:
        The paths written.

    Example:
        >>> d2l.plot(x, [f(x)]); d2l.plt.show()
        (figure saved to /tmp/gradkit-figure-k2x9.png)
    """
    plt = sys.modules["matplotlib.pyplot"]
    paths = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        path = getattr(figure, "gradkit_path", None)  # an Animator's figure keeps its file
        if path is None:
            handle, path = tempfile.mkstemp(prefix="gradkit-figure-", suffix=".png")
            os.close(handle)
        save_figure(figure, path)
        print(f"(figure saved to {path})")
        paths.append(path)
    plt.close("all")
    return paths


def _array(x: Any) -> Any:
    """Tensors become NumPy arrays for matplotlib (detached)."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        return x.detach().numpy()
    return x


def _is_scalar(value: Any) -> bool:
    """One value: a number, or a 0-d tensor or array (which have ``__len__`` but no length)."""
    return not hasattr(value, "__len__") or getattr(value, "ndim", 1) == 0


def use_svg_display() -> None:
    """Show figures as SVG in Jupyter (does nothing elsewhere).

    Example:
        >>> gradkit.d2l.use_svg_display()
    """
    if in_notebook():
        try:
            from matplotlib_inline import backend_inline

            backend_inline.set_matplotlib_formats("svg")
        except ImportError:  # older IPython
            from IPython import display

            display.set_matplotlib_formats("svg")


def set_figsize(figsize: tuple[float, float] = (3.5, 2.5)) -> None:
    """Set the default figure size (inches).

    Example:
        >>> gradkit.d2l.set_figsize((6, 3))
    """
    use_svg_display()
    pyplot().rcParams["figure.figsize"] = figsize


def set_axes(axes: Any, xlabel: str | None, ylabel: str | None, xlim: Any, ylim: Any,
             xscale: str, yscale: str, legend: Sequence[str] | None) -> None:
    """Label, scale and limit a matplotlib ``axes`` and add a legend and a grid.

    Example:
        >>> gradkit.d2l.set_axes(ax, "epoch", "loss", [1, 10], None, "linear", "log", ["train"])
    """
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def plot(X: Any, Y: Any = None, xlabel: str | None = None, ylabel: str | None = None,
         legend: Sequence[str] | None = None, xlim: Any = None, ylim: Any = None,
         xscale: str = "linear", yscale: str = "linear",
         fmts: Sequence[str] = ("-", "m--", "g-.", "r:"), figsize: tuple = (3.5, 2.5),
         axes: Any = None) -> Any:
    """Plot one or several curves (the book's ``d2l.plot``); tensors are accepted.

    Args:
        X: x values, or the y values when ``Y`` is None; one sequence or a list of them.
        Y: y values: one sequence or a list of them.

    Returns:
        The matplotlib axes.

    Example:
        >>> x = gradkit.arange(0, 3, 0.1)
        >>> gradkit.d2l.plot(x, [x ** 3 - 1 / x, 2 * x - 3], "x", "f(x)",
        ...                  legend=["f(x)", "Tangent line (x=1)"])
    """
    if legend is None:
        legend = []
    set_figsize(figsize)
    axes = axes if axes else pyplot().gca()

    def has_one_axis(values: Any) -> bool:
        return (hasattr(values, "ndim") and values.ndim == 1
                or isinstance(values, list) and not hasattr(values[0], "__len__"))

    if has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        if len(x):
            axes.plot(_array(x), _array(y), fmt)
        else:
            axes.plot(_array(y), fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def show_images(imgs: Any, num_rows: int, num_cols: int, titles: Sequence[str] | None = None,
                scale: float = 1.5) -> Any:
    """A grid of images (tensors, arrays or PIL images) with optional titles.

    Returns:
        The array of matplotlib axes.

    Example:
        >>> X, y = next(iter(gradkit.utils.data.DataLoader(mnist_train, batch_size=18)))
        >>> gradkit.d2l.show_images(X.reshape(18, 28, 28), 2, 9,
        ...                         titles=gradkit.d2l.get_fashion_mnist_labels(y))
    """
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = pyplot().subplots(num_rows, num_cols, figsize=figsize)
    axes = np.asarray(axes).flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        ax.imshow(_array(img))
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


def save_figure(fig: Any, path: str | os.PathLike) -> str:
    """Save ``fig`` as an image (format from the suffix, PNG by default), atomically; returns
    the path.

    Example:
        >>> gradkit.plot.save_figure(fig, "runs/curves.png")
    """
    fmt = os.path.splitext(os.fspath(path))[1].lstrip(".") or "png"
    return atomic_write(path, lambda temp: fig.savefig(temp, format=fmt, bbox_inches="tight",
                                                       dpi=120))


class Animator:
    """Plot data incrementally (the book's ``Animator``).

    In Jupyter the figure redraws in place. Elsewhere it needs no IPython: each ``add`` prints
    one line with the values and saves the figure to ``save_path`` (by default a file in the
    temporary folder, named in the first line); no window opens and nothing blocks.

    Args:
        xlabel, ylabel, legend, xlim, ylim, xscale, yscale, fmts, nrows, ncols, figsize: as the
            book's.
        save_path: where to save the figure outside Jupyter.
        verbose: print a line per ``add`` outside Jupyter (default True).

    Example:
        >>> animator = gradkit.d2l.Animator(xlabel="epoch", xlim=[1, 10],
        ...                                 legend=["train loss", "train acc", "test acc"])
        >>> animator.add(1, (0.8, 0.7, 0.75))
    """

    def __init__(self, xlabel: str | None = None, ylabel: str | None = None,
                 legend: Sequence[str] | None = None, xlim: Any = None, ylim: Any = None,
                 xscale: str = "linear", yscale: str = "linear",
                 fmts: Sequence[str] = ("-", "m--", "g-.", "r:"), nrows: int = 1,
                 ncols: int = 1, figsize: tuple = (3.5, 2.5),
                 save_path: str | os.PathLike | None = None, verbose: bool = True) -> None:
        if legend is None:
            legend = []
        use_svg_display()
        self.missing: str | None = None  # why there is no figure, if there is none
        try:
            self.fig, self.axes = pyplot().subplots(nrows, ncols, figsize=figsize)
        except ImportError as error:
            # Without matplotlib the numbers still matter: print them and draw nothing,
            # rather than lose a training run to a missing plotting library.
            self.fig, self.axes, self.missing = None, [None], str(error)
        if nrows * ncols == 1:
            self.axes = [self.axes]
        self.config_axes = lambda: set_axes(self.axes[0], xlabel, ylabel, xlim, ylim, xscale,
                                            yscale, legend)
        self.X: list | None = None
        self.Y: list | None = None
        self.fmts = fmts
        self.legend = list(legend)
        self.notebook = in_notebook()
        self.verbose = verbose
        self.save_path = None if save_path is None else os.fspath(save_path)
        self._announced = False

    def add(self, x: Any, y: Any) -> None:
        """Add a point to each curve: ``x`` one value or one per curve, ``y`` one per curve."""
        if _is_scalar(y):
            y = [y]
        n = len(y)
        if _is_scalar(x):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(float(a))
                self.Y[i].append(float(b))
        if self.fig is None:
            self._report(x, y)
            return
        self.axes[0].cla()
        for px, py, fmt in zip(self.X, self.Y, self.fmts):
            self.axes[0].plot(px, py, fmt)
        self.config_axes()
        if self.notebook:
            from IPython import display

            display.display(self.fig)
            display.clear_output(wait=True)
            return
        self._report(x, y)

    def _report(self, x: Sequence[Any], y: Sequence[Any]) -> None:
        if self.fig is not None:
            if self.save_path is None:
                handle, self.save_path = tempfile.mkstemp(prefix="gradkit-animator-",
                                                          suffix=".png")
                os.close(handle)
            save_figure(self.fig, self.save_path)
            self.fig.gradkit_path = self.save_path  # plt.show() saves it there too
        if not self.verbose:
            return
        names = self.legend or [f"y{i}" for i in range(len(y))]
        values = ", ".join(f"{name} {float(v):.4f}" for name, v in zip(names, y)
                           if v is not None)
        line = f"{x[0]:g}: {values}" if isinstance(x[0], (int, float)) else f"{x[0]}: {values}"
        if not self._announced:  # one line per add: the first one also says where the figure is
            line += (f"  (figure: {self.save_path})" if self.fig is not None
                     else f"  (no figure: {self.missing})")
            self._announced = True
        print(line, flush=True)
