"""Drawing: the book's ``plot``/``show_images``/``set_figsize``/``Animator`` headless, matplotlib
imported only when something is drawn, the Agg backend outside Jupyter, and in-place redraws
inside Jupyter."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import gradkit
from gradkit import d2l, plot

from book_reference import subprocess_env

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_python(code: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    # DISPLAY points at no X server: a GUI backend would fail or hang, Agg does not care.
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120,
                          env=subprocess_env(DISPLAY=":97", **env))


def test_importing_gradkit_and_d2l_does_not_import_matplotlib(tmp_path):
    result = run_python("""
        import sys
        import gradkit
        import gradkit.d2l
        from gradkit import d2l, plot, recipes, cli
        heavy = [m for m in ("matplotlib", "IPython", "tqdm", "PIL") if m in sys.modules]
        print("before drawing:", heavy)
        x = gradkit.arange(0, 3, 0.5)
        d2l.plot(x, [x ** 2])
        import matplotlib
        backend = matplotlib.get_backend().lower()
        print("after drawing:", "matplotlib.pyplot" in sys.modules, backend)
        """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["before drawing: []", "after drawing: True agg"]


def test_d2l_plt_is_pyplot_imported_on_first_use(tmp_path):
    result = run_python("""
        import sys
        from gradkit import d2l
        assert "matplotlib" not in sys.modules
        fig, axes = d2l.plt.subplots(1, 2)
        import matplotlib.pyplot
        print(d2l.plt is matplotlib.pyplot, len(axes), matplotlib.pyplot.get_backend().lower())
        """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "2", "agg"]


def test_animator_outside_jupyter_prints_saves_and_opens_no_window(tmp_path):
    result = run_python("""
        import os, sys
        from gradkit import d2l
        animator = d2l.Animator(xlabel="epoch", xlim=[1, 3], ylim=[0.3, 0.9],
                                legend=["train loss", "train acc", "test acc"])
        for epoch in range(3):
            animator.add(epoch + 1, (0.9 - 0.1 * epoch, 0.6 + 0.1 * epoch, 0.55 + 0.1 * epoch))
        d2l.plt.show()  # must not block; saves the figure to the Animator's own file
        import matplotlib
        print("backend", matplotlib.get_backend().lower(), "IPython" in sys.modules)
        print("saved", animator.save_path, os.path.getsize(animator.save_path) > 1000)
        """, tmp_path, TMPDIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("1: train loss 0.9000, train acc 0.6000, test acc 0.5500")
    assert lines[1] == "2: train loss 0.8000, train acc 0.7000, test acc 0.6500"
    assert lines[2] == "3: train loss 0.7000, train acc 0.8000, test acc 0.7500"
    assert lines[4] == "backend agg False"
    path = lines[5].split()[1]
    assert lines[3] == f"(figure saved to {path})"  # show() re-saved the same file
    assert f"(figure: {path})" in lines[0]  # the first line names the file
    assert path.startswith(str(tmp_path)) and path.endswith(".png")
    assert lines[5].endswith("True")
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC


def test_mplbackend_from_the_environment_is_respected(tmp_path):
    result = run_python("""
        from gradkit import d2l
        d2l.set_figsize((2, 2))
        import matplotlib
        print(matplotlib.get_backend().lower())
        """, tmp_path, MPLBACKEND="svg")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "svg"


def test_animator_save_path_and_one_line_per_add(tmp_path, capsys):
    path = tmp_path / "live.png"
    animator = d2l.Animator(xlabel="epoch", legend=["loss"], save_path=path)
    for i in range(4):
        animator.add(i + 0.5, gradkit.tensor(1.0 / (i + 1)))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[0] == f"0.5: loss 1.0000  (figure: {path})"
    assert lines[3] == "3.5: loss 0.2500"
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert animator.X == [[0.5, 1.5, 2.5, 3.5]] and animator.Y[0][-1] == 0.25
    [line] = animator.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), [1, 0.5, 1 / 3, 0.25])


def test_animator_skips_missing_values_and_can_be_silent(tmp_path, capsys):
    animator = d2l.Animator(legend=["a", "b"], save_path=tmp_path / "a.png", verbose=False)
    animator.add(1, (0.5, None))
    animator.add(2, (0.4, 0.3))
    assert capsys.readouterr().out == ""
    assert animator.X == [[1.0, 2.0], [2.0]] and animator.Y == [[0.5, 0.4], [0.3]]
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG_MAGIC


def test_animator_inside_jupyter_redraws_in_place(monkeypatch, tmp_path, capsys):
    calls = []
    ipython = types.ModuleType("IPython")
    shell = type("ZMQInteractiveShell", (), {})()
    ipython.get_ipython = lambda: shell
    display = types.ModuleType("IPython.display")
    display.display = lambda obj: calls.append(("display", obj))
    display.clear_output = lambda wait=False: calls.append(("clear", wait))
    display.set_matplotlib_formats = lambda *a: calls.append(("formats", a))
    ipython.display = display
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    assert plot.in_notebook()
    animator = d2l.Animator(legend=["loss"])
    animator.live.clock = lambda: 0.0  # time stands still: the second add is held back
    animator.add(1, 0.5)
    animator.add(2, 0.4)  # within the throttle's interval: held back
    redraws = [call for call in calls if call[0] != "formats"]  # use_svg_display's
    assert redraws == [("display", animator.fig), ("clear", True)]
    animator.flush()  # as train_ch3 does when it returns
    redraws = [call for call in calls if call[0] != "formats"]
    assert redraws == [("display", animator.fig), ("clear", True)] * 2
    assert capsys.readouterr().out == ""  # no lines, no file in a notebook
    assert animator.save_path is None


def test_not_a_notebook_in_a_terminal_ipython(monkeypatch):
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: type("TerminalInteractiveShell", (), {})()
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert not plot.in_notebook()
    monkeypatch.delitem(sys.modules, "IPython")
    assert not plot.in_notebook()


def test_plot_accepts_tensors_and_sets_the_axes():
    x = gradkit.arange(0, 3, 0.1)
    returned = d2l.plot(x, [x ** 3 - 1 / (x + 1), 2 * x - 3], "x", "f(x)",
                        legend=["f(x)", "Tangent line (x=1)"], xlim=[0, 3], yscale="linear")
    assert returned is None  # as the book's: a notebook cell ending with it prints nothing
    axes = d2l.plt.gca()
    lines = axes.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_xdata(), x.numpy())
    np.testing.assert_allclose(lines[1].get_ydata(), (2 * x - 3).numpy(), rtol=1e-6)
    assert axes.get_xlabel() == "x" and axes.get_ylabel() == "f(x)"
    assert tuple(axes.get_xlim()) == (0, 3)
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["f(x)",
                                                                     "Tangent line (x=1)"]


def test_plot_with_y_only_and_a_tensor_that_requires_grad():
    y = gradkit.tensor([1.0, 4.0, 9.0], requires_grad=True)
    d2l.plot(y)
    axes = d2l.plt.gca()
    [line] = axes.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [1, 4, 9])
    np.testing.assert_allclose(line.get_xdata(), [0, 1, 2])


def test_set_figsize_sets_the_default_size():
    d2l.set_figsize((6, 3))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (6, 3)
    d2l.set_figsize()
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (3.5, 2.5)


def test_show_images_of_tensors_arrays_and_pil_images():
    from PIL import Image

    imgs = [gradkit.rand(28, 28), np.zeros((28, 28)), Image.new("L", (28, 28), 128)]
    axes = d2l.show_images(imgs, 1, 3, titles=["a", "b", "c"], scale=1.0)
    assert len(axes) == 3 and [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert all(len(ax.images) == 1 for ax in axes)
    assert not axes[0].get_xaxis().get_visible()
    np.testing.assert_allclose(axes[0].images[0].get_array(), imgs[0].numpy())
    assert tuple(axes[0].figure.get_size_inches()) == (3.0, 1.0)


def test_save_figure_is_atomic_and_leaves_nothing_on_failure(tmp_path):
    fig, ax = d2l.plt.subplots()
    ax.plot([1, 2, 3])
    target = tmp_path / "curve.png"
    assert plot.save_figure(fig, target) == str(target)
    assert target.read_bytes()[:8] == PNG_MAGIC
    with pytest.raises(ValueError):
        plot.save_figure(fig, tmp_path / "curve.not-a-format")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curve.png"]


def test_train_ch3_without_matplotlib_still_trains_and_prints(tmp_path):
    result = run_python("""
        import sys
        sys.modules["matplotlib"] = None  # as if it were not installed: import raises
        import gradkit
        from gradkit import d2l, nn
        X = gradkit.eye(3).repeat(20, 1) * 4
        y = gradkit.arange(3).repeat(20)
        net = nn.Sequential(nn.Linear(3, 3))
        trainer = gradkit.optim.SGD(net.parameters(), lr=0.5)
        history = d2l.train_ch3_history(net, d2l.load_array((X, y), 10),
                                        d2l.load_array((X, y), 10),
                                        nn.CrossEntropyLoss(reduction="none"), 2, trainer)
        print(len(history), history[-1]["test_acc"])
        """, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("1: train loss ")
    assert "(no figure: drawing needs matplotlib" in lines[0]
    assert lines[1].startswith("2: train loss ") and "figure" not in lines[1]
    assert lines[2] == "2 1.0"


def test_plt_show_in_a_script_saves_each_figure_and_names_it(tmp_path):
    # The book's calculus figure (2.4) from a terminal: no window can open, so show() saves.
    result = run_python("""
        import os, gradkit as torch
        from gradkit import d2l
        x = torch.arange(0, 3, 0.1)
        d2l.plot(x, [x ** 3 - 1 / x, 2 * x - 3], 'x', 'f(x)',
                 legend=['f(x)', 'Tangent line (x=1)'])
        d2l.plt.show()
        d2l.plt.show()  # nothing left open: nothing more to save
        print("open figures:", len(d2l.plt.get_fignums()))
    """, tmp_path, TMPDIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "open figures: 0"
    assert lines[0].startswith("(figure saved to ") and lines[0].endswith(".png)")
    path = lines[0][len("(figure saved to "):-1]
    assert os.path.dirname(path) == str(tmp_path)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert "non-interactive" not in result.stderr  # Agg's own show() would only warn
