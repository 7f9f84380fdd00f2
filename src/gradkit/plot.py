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
import threading
import time
from typing import Any, Callable, Sequence

import numpy as np

from ._fileio import atomic_write

__all__ = ["in_notebook", "pyplot", "use_svg_display", "set_figsize", "set_axes", "plot",
           "show_images", "Animator", "LiveFigure", "save_figure", "show_by_saving"]


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
         axes: Any = None) -> None:
    """Plot one or several curves (the book's ``d2l.plot``); tensors are accepted.

    Args:
        X: x values, or the y values when ``Y`` is None; one sequence or a list of them.
        Y: y values: one sequence or a list of them.

    Returns None, as the book's (a notebook cell ending with this call shows only the
    figure); the curves are on ``axes`` or ``d2l.plt.gca()``.

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


class LiveFigure:
    """Shows a figure that keeps changing, at most a few times a second, and always ends complete.

    The book's ``Animator`` redraws the whole figure on every point, which in a terminal means a
    ``savefig`` per point (0.7 s with log axes: most of a small training's time) and in Jupyter an
    SVG render per point. Here callers update their lines' data (cheap) and call :meth:`changed`;
    the figure is shown (Jupyter: ``display`` + ``clear_output(wait=True)``) or saved (elsewhere)
    only when ``interval`` seconds, and at least ``cost_factor`` times the last render's cost,
    have passed since the last one. What is held back is never lost:

    - :meth:`flush` shows/saves the pending state now (``train_ch3`` and ``Trainer.fit`` call it
      when they return);
    - in a terminal, a held-back change is saved by a timer thread when its wait is over; the
      thread is not a daemon, so Python waits for it before exiting and the file on disk ends
      complete even when a plain loop of ``animator.add`` ends the program;
    - in Jupyter, the cell's ``post_execute`` event shows the final state when the inline
      backend did not already show (and close) the figure.

    Args:
        fig: the matplotlib figure.
        save_path: the file to save to outside Jupyter (a temporary PNG if None, made on the
            first save).
        interval: the minimum seconds between two renders.
        clock: the time source (a stub in tests).

    Example:
        >>> live = LiveFigure(fig, "curves.png"); line.set_data(xs, ys); live.changed()
        >>> live.flush()  # the file now shows every point
    """

    def __init__(self, fig: Any, save_path: str | None = None, interval: float = 0.5,
                 cost_factor: float = 3.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.fig = fig
        self.save_path = save_path
        self.interval = interval
        self.cost_factor = cost_factor
        self.clock = clock
        self.notebook = in_notebook()
        self.renders = 0  # how many times the figure was shown or saved
        self._dirty = False
        self._next_time = -float("inf")  # the earliest time of the next render
        self._lock = threading.RLock()  # the timer thread and the caller both render
        self._timer: threading.Timer | None = None
        self._hooked = False

    def changed(self) -> None:
        """The figure's data changed: render now if the last render is old enough, else later."""
        with self._lock:
            self._dirty = True
            wait = self._next_time - self.clock()
            if wait <= 0:
                self._render()
            elif self.notebook:
                self._hook_cell_end()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self._on_timer)
                self._timer.start()

    def flush(self) -> None:
        """Render the pending change now (nothing to do if the last render is current)."""
        with self._lock:
            self._cancel_timer()
            if self._dirty:
                self._render()

    def _render(self) -> None:
        start = self.clock()
        if self.notebook:
            from IPython import display

            display.display(self.fig)
            display.clear_output(wait=True)
        else:
            if self.save_path is None:
                handle, self.save_path = tempfile.mkstemp(prefix="gradkit-figure-",
                                                          suffix=".png")
                os.close(handle)
            save_figure(self.fig, self.save_path)
            self.fig.gradkit_path = self.save_path  # plt.show() saves it there too
        end = self.clock()
        self.renders += 1
        self._dirty = False
        self._next_time = end + max(self.interval, self.cost_factor * (end - start))

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
            if self._dirty:
                self._render()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _hook_cell_end(self) -> None:
        """Show the final state when the notebook cell ends (once per held-back change)."""
        if self._hooked:
            return
        from IPython import get_ipython

        shell = get_ipython()
        events = getattr(shell, "events", None)
        if events is None:
            return
        self._hooked = True
        events.register("post_execute", self._on_cell_end)

    def _on_cell_end(self) -> None:
        from IPython import get_ipython

        get_ipython().events.unregister("post_execute", self._on_cell_end)
        self._hooked = False
        plt = sys.modules.get("matplotlib.pyplot")
        # The inline backend shows every open figure at the cell's end and closes it: then the
        # final state is on screen already, and showing it again would duplicate it.
        if plt is not None and not plt.fignum_exists(self.fig.number):
            self._dirty = False
            return
        self.flush()


class Animator:
    """Plot data incrementally (the book's ``Animator``).

    In Jupyter the figure redraws in place. Elsewhere it needs no IPython: each ``add`` prints
    one line with the values and the figure is saved to ``save_path`` (by default a file in the
    temporary folder, named in the first line); no window opens and nothing blocks. Each
    ``add`` only updates the lines' data; the figure is shown or saved at most a few times a
    second, and always ends complete (see :class:`LiveFigure`; call :meth:`flush` to render now).

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
        self.live = None if self.fig is None else LiveFigure(
            self.fig, None if save_path is None else os.fspath(save_path))
        self._lines: list[Any] = []
        self._autoscale = (xlim is None, ylim is None)
        self._announced = False

    @property
    def save_path(self) -> str | None:
        """The file the figure is saved to outside Jupyter (None until the first save)."""
        return None if self.live is None else self.live.save_path

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
        if self.live is not None:
            with self.live._lock:  # the saving timer thread must not see half an update
                self._update_lines()
            self.live.changed()
        if not self.notebook:
            self._report(x, y)

    def flush(self) -> None:
        """Show or save the figure now, with every point added so far."""
        if self.live is not None:
            self.live.flush()

    def _update_lines(self) -> None:
        """Give the lines their data (made on the first add, as the book's first plot)."""
        axes = self.axes[0]
        if not self._lines:
            self._lines = [axes.plot(px, py, fmt)[0]
                           for px, py, fmt in zip(self.X, self.Y, self.fmts)]
            self.config_axes()
        for line, px, py in zip(self._lines, self.X, self.Y):
            line.set_data(px, py)
        if any(self._autoscale):  # the book's cla()/plot() rescaled the open limits
            axes.relim()
            axes.autoscale_view(scalex=self._autoscale[0], scaley=self._autoscale[1])

    def _report(self, x: Sequence[Any], y: Sequence[Any]) -> None:
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
