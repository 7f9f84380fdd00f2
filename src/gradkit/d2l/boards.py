"""The English edition's ``ProgressBoard``: curves drawn point by point while a model trains.

Example:
    >>> board = d2l.ProgressBoard('x')
    >>> for x in range(10):
    ...     board.draw(x, x ** 2, 'square', every_n=2)
"""
from __future__ import annotations

import collections
import math
from typing import Any, Sequence

from ..plot import LiveFigure, in_notebook, pyplot, use_svg_display
from .hyperparameters import HyperParameters

__all__ = ["ProgressBoard"]

Point = collections.namedtuple("Point", ["x", "y"])


class ProgressBoard(HyperParameters):
    """The board that plots data points in animation (d2l 1.0.3's, same arguments).

    ``draw(x, y, label, every_n)`` collects points per label and adds their mean to the curve
    every ``every_n`` points. In Jupyter the figure redraws in place; in a terminal or an IDE
    the board prints one line per unit of x (per epoch, under ``Trainer.fit``) with each
    curve's latest value, and saves the figure to a PNG named in the first line. Either way the
    figure is rendered at most a few times a second and ends complete (``flush``; see
    ``gradkit.plot.LiveFigure``).

    Args:
        xlabel, ylabel, xlim, ylim, xscale, yscale: the axes' settings.
        ls, colors: line style and color of the 1st, 2nd... label (at most 4 curves drawn).
        fig, axes: draw there instead of a new figure.
        figsize: the new figure's size.
        display: draw at all (False: only collect the points).

    Example:
        >>> board = d2l.ProgressBoard('x')
        >>> for x in np.arange(0, 10, 0.1):
        ...     board.draw(x, np.sin(x), 'sin', every_n=2)
        >>> board.data['sin'][0]
        Point(x=0.05, y=0.0499...)
    """

    def __init__(self, xlabel: str | None = None, ylabel: str | None = None, xlim: Any = None,
                 ylim: Any = None, xscale: str = "linear", yscale: str = "linear",
                 ls: Sequence[str] = ["-", "--", "-.", ":"],  # noqa: B006 (the book's)
                 colors: Sequence[str] = ["C0", "C1", "C2", "C3"],  # noqa: B006
                 fig: Any = None, axes: Any = None, figsize: tuple = (3.5, 2.5),
                 display: bool = True) -> None:
        self.save_hyperparameters()
        self.raw_points: collections.OrderedDict[str, list[Point]] = collections.OrderedDict()
        self.data: collections.OrderedDict[str, list[Point]] = collections.OrderedDict()
        self.live: LiveFigure | None = None
        self._lines: dict[str, Any] = {}
        self._row: tuple[int, dict[str, float]] | None = None  # the line not yet printed
        self._announced = False

    @property
    def save_path(self) -> str | None:
        """The PNG the figure is saved to outside Jupyter (None until the first save)."""
        return None if self.live is None else self.live.save_path

    def draw(self, x: float, y: Any, label: str, every_n: int = 1) -> None:
        """Add point ``(x, y)`` to curve ``label``; every ``every_n`` points of that label, their
        mean becomes one point of the drawn curve."""
        points = self.raw_points.setdefault(label, [])
        line = self.data.setdefault(label, [])
        points.append(Point(x, y))
        if len(points) != every_n:
            return
        mean = Point(sum(float(p.x) for p in points) / len(points),
                     sum(float(p.y) for p in points) / len(points))
        line.append(mean)
        points.clear()
        if not self.display:
            return
        self._draw_lines()
        if not in_notebook():
            self._report(label, mean)

    def flush(self) -> None:
        """Render the figure now with every point so far (and print the pending line)."""
        if self.live is not None:
            self.live.flush()
        if self._row is not None:
            self._print_row()

    def _draw_lines(self) -> None:
        if self.fig is None:
            use_svg_display()
            self.fig = pyplot().figure(figsize=self.figsize)
        if self.live is None:
            self.live = LiveFigure(self.fig)
        axes = self.axes if self.axes else self.fig.gca()
        with self.live._lock:  # the saving timer thread must not see half an update
            for (label, points), ls, color in zip(self.data.items(), self.ls, self.colors):
                if label not in self._lines:
                    self._lines[label] = axes.plot([], [], linestyle=ls, color=color)[0]
                self._lines[label].set_data([p.x for p in points], [p.y for p in points])
            axes.relim()
            axes.autoscale_view()
            if self.xlim:
                axes.set_xlim(self.xlim)
            if self.ylim:
                axes.set_ylim(self.ylim)
            axes.set_xlabel(self.xlabel)
            axes.set_ylabel(self.ylabel)
            axes.set_xscale(self.xscale)
            axes.set_yscale(self.yscale)
            axes.legend(list(self._lines.values()), list(self._lines))
        self.live.changed()

    def _report(self, label: str, point: Point) -> None:
        """Collect the latest value of each curve per unit of x; print the row when x moves on."""
        row = math.ceil(point.x)
        if self._row is not None and row > self._row[0]:
            self._print_row()
        if self._row is None:
            self._row = (row, {})
        self._row[1][label] = point.y

    def _print_row(self) -> None:
        row, values = self._row  # type: ignore[misc]
        self._row = None
        text = ", ".join(f"{label} {value:.4f}" for label, value in values.items())
        line = f"{self.xlabel or 'x'} {row}: {text}"
        if not self._announced:
            line += f"  (figure: {self.save_path})"
            self._announced = True
        print(line, flush=True)
