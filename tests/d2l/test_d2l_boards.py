"""Drawing while training: ``ProgressBoard``'s points (the book's every_n averaging), its
terminal lines, and the throttled rendering of both boards (``LiveFigure``): many points in a
tight loop render a few times, and the figure always ends complete, on screen and on disk."""
from __future__ import annotations

import collections
import sys
import types

import numpy as np
import pytest

import gradkit
from gradkit import d2l, plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def book_board_points(xs, ys, every_n):
    """The book's ProgressBoard.draw bookkeeping, for one label: the mean of each full group
    of ``every_n`` points."""
    points, line = [], []
    for x, y in zip(xs, ys):
        points.append((x, y))
        if len(points) == every_n:
            line.append((sum(p[0] for p in points) / every_n, sum(p[1] for p in points) / every_n))
            points.clear()
    return line, points


class Clock:
    """A stub time source: time moves only when a test says so."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def saves(monkeypatch):
    """Record each save of a figure: (path, the data of each line at that moment)."""
    record = []

    def save_figure(fig, path):
        record.append((path, [line.get_xydata().tolist() for ax in fig.axes
                              for line in ax.get_lines()]))
        return str(path)

    monkeypatch.setattr(plot, "save_figure", save_figure)
    return record


@pytest.mark.parametrize("every_n", [1, 3, 4])
def test_draw_averages_every_n_points_per_label_like_the_book(every_n):
    board = d2l.ProgressBoard("x", display=False)
    xs = np.arange(0, 2, 0.1)
    for x in xs:
        board.draw(x, np.sin(x), "sin", every_n=every_n)
        board.draw(x, gradkit.tensor(np.cos(x)), "cos", every_n=2 * every_n)
    for label, fn, n in (("sin", np.sin, every_n), ("cos", np.cos, 2 * every_n)):
        expected, pending = book_board_points(xs, fn(xs), n)
        np.testing.assert_allclose(np.array(board.data[label], dtype=float), expected, rtol=1e-6)
        assert len(board.raw_points[label]) == len(pending)
    assert list(board.data) == ["sin", "cos"] and board.fig is None  # display=False: no figure


def test_board_keeps_the_books_arguments_as_attributes():
    board = d2l.ProgressBoard(xlabel="x", ylim=[0, 1])
    assert (board.xlabel, board.ylim, board.xscale, board.figsize) == ("x", [0, 1], "linear",
                                                                        (3.5, 2.5))
    assert board.ls == ["-", "--", "-.", ":"] and board.colors == ["C0", "C1", "C2", "C3"]
    assert board.display is True and board.hparams["ylim"] == [0, 1]


def test_board_in_a_terminal_prints_a_line_per_epoch_and_saves_a_png(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setattr(plot.tempfile, "tempdir", str(tmp_path))
    gradkit.manual_seed(0)
    data = d2l.SyntheticRegressionData(w=gradkit.tensor([2, -3.4]), b=4.2, num_train=100,
                                       num_val=40, batch_size=10)
    model = d2l.LinearRegression(lr=0.03)
    d2l.Trainer(max_epochs=3).fit(model, data)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1: train_loss ") and ", val_loss " in lines[0]
    assert lines[2].startswith("epoch 3: train_loss ")
    path = lines[0].split("(figure: ")[1].rstrip(")")
    assert path == model.board.save_path and path.startswith(str(tmp_path))
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    val = [p.y for p in model.board.data["val_loss"]]
    assert lines[2].endswith(f"val_loss {val[-1]:.4f}")


def test_many_adds_in_a_tight_loop_render_once_and_flush_completes(tmp_path, saves, capsys):
    animator = d2l.Animator(legend=["a", "b"], save_path=tmp_path / "a.png", verbose=False)
    clock = Clock()
    animator.live.clock = clock
    for i in range(200):
        animator.add(i, (i / 10, None if i % 2 else i / 20))
    assert len(saves) == 1  # the first point only: every other add came within the interval
    animator.flush()
    assert len(saves) == 2
    final = saves[-1][1]
    assert final[0] == [[i, i / 10] for i in range(200)]
    assert final[1] == [[i, i / 20] for i in range(0, 200, 2)]
    animator.flush()
    assert len(saves) == 2  # nothing new: nothing saved


def test_renders_again_once_the_interval_has_passed(tmp_path, saves):
    animator = d2l.Animator(legend=["a"], save_path=tmp_path / "a.png", verbose=False)
    clock = Clock()
    live = animator.live
    live.clock = clock
    animator.add(1, 0.5)
    animator.add(2, 0.4)
    clock.now += live.interval + 0.01
    animator.add(3, 0.3)  # old enough: renders now, with every point
    assert [len(data[0]) for _, data in saves] == [1, 3]
    live.flush()
    assert len(saves) == 2


def test_a_held_back_change_is_saved_by_the_timer_without_a_flush(tmp_path, saves):
    # A plain loop of animator.add that ends the program: the timer thread (not a daemon, so
    # Python waits for it) saves the last points.
    animator = d2l.Animator(legend=["a"], save_path=tmp_path / "a.png", verbose=False)
    animator.live.interval = 0.05
    for i in range(5):
        animator.add(i, float(i))
    timer = animator.live._timer
    assert timer is not None and not timer.daemon
    timer.join(5)
    assert saves[-1][1][0] == [[i, float(i)] for i in range(5)]


def test_train_ch3_leaves_the_complete_figure_on_disk(tmp_path, saves, monkeypatch):
    monkeypatch.setattr(plot.tempfile, "tempdir", str(tmp_path))
    X = gradkit.randn(40, 4)
    y = (X[:, 0] > 0).long()
    net = gradkit.nn.Sequential(gradkit.nn.Linear(4, 2))
    loader = gradkit.utils.data.DataLoader(gradkit.utils.data.TensorDataset(X, y), 8)
    with pytest.warns(RuntimeWarning):  # a few epochs do not reach the book's bounds
        d2l.train_ch3(net, loader, loader, gradkit.nn.CrossEntropyLoss(reduction="none"), 5,
                      gradkit.optim.SGD(net.parameters(), lr=0.01))
    assert [len(line) for line in saves[-1][1]] == [5, 5, 5]


def _fake_notebook(monkeypatch):
    calls = []
    callbacks = collections.defaultdict(list)
    events = types.SimpleNamespace(register=lambda e, f: callbacks[e].append(f),
                                   unregister=lambda e, f: callbacks[e].remove(f))
    shell = type("ZMQInteractiveShell", (), {"events": events})()
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: shell
    display = types.ModuleType("IPython.display")
    display.display = lambda obj: calls.append(("display", obj))
    display.clear_output = lambda wait=False: calls.append(("clear", wait))
    display.set_matplotlib_formats = lambda *a: None
    ipython.display = display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    return calls, callbacks


def test_in_a_notebook_the_cells_end_shows_the_held_back_points(monkeypatch):
    calls, callbacks = _fake_notebook(monkeypatch)
    board = d2l.ProgressBoard("epoch")
    board.draw(0, 0, "loss")  # makes the figure
    board.live.clock = Clock()  # time stands still: every later point is within the interval
    for i in range(1, 50):
        board.draw(i / 10, i, "loss")
    assert calls == [("display", board.fig), ("clear", True)]  # the first point only
    [hook] = callbacks["post_execute"]
    hook()  # the cell ends; the figure is still open (no inline backend closed it)
    assert calls == [("display", board.fig), ("clear", True)] * 2
    assert callbacks["post_execute"] == []  # once per cell
    assert len(board.fig.axes[0].get_lines()[0].get_xdata()) == 50


def test_in_a_notebook_no_duplicate_when_the_inline_backend_showed_the_figure(monkeypatch):
    calls, callbacks = _fake_notebook(monkeypatch)
    animator = d2l.Animator(legend=["a"])
    animator.live.clock = Clock()
    animator.add(1, 0.5)
    animator.add(2, 0.4)
    d2l.plt.close(animator.fig)  # what the inline backend does after showing it
    callbacks["post_execute"][0]()
    assert calls.count(("display", animator.fig)) == 1
