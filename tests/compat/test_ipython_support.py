"""The book's ``from IPython import display`` under the runner, with and without IPython."""
from __future__ import annotations

import importlib.util
import sys
import types

import gradkit.compat
from gradkit.compat import _ipython


def _hide_ipython(monkeypatch):
    for name in [n for n in sys.modules if n == "IPython" or n.startswith("IPython.")]:
        monkeypatch.delitem(sys.modules, name)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "IPython" else
                        real_find_spec(name, *args))


def test_without_ipython_the_books_display_calls_work(monkeypatch, capsys):
    _hide_ipython(monkeypatch)
    with gradkit.compat.installed():
        from IPython import display

        display.set_matplotlib_formats("svg")  # chapter 2.4, the MXNet notes
        display.display("a figure")            # d2l's Animator
        display.clear_output(wait=True)
        assert sys.modules["IPython"].get_ipython() is None
    assert capsys.readouterr().out == "a figure\n"
    assert "IPython" not in sys.modules and "IPython.display" not in sys.modules


def _fake_ipython(monkeypatch, with_set_matplotlib_formats: bool):
    """An installed IPython (8 with set_matplotlib_formats, 9 without), whether or not this
    machine has one."""
    package = types.ModuleType("IPython")
    package.__path__ = []
    display = types.ModuleType("IPython.display")
    display.display = lambda *objs: None
    if with_set_matplotlib_formats:
        display.set_matplotlib_formats = lambda *formats: None
    package.display = display
    monkeypatch.setitem(sys.modules, "IPython", package)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    return display


def test_an_installed_ipython_is_used_as_it_is(monkeypatch):
    real = _fake_ipython(monkeypatch, with_set_matplotlib_formats=True)  # IPython 8
    own_function = real.set_matplotlib_formats
    with gradkit.compat.installed():
        from IPython import display
        assert display is real and display.set_matplotlib_formats is own_function
    assert sys.modules["IPython.display"] is real and real.set_matplotlib_formats is own_function


def test_set_matplotlib_formats_is_lent_only_while_installed(monkeypatch):
    real = _fake_ipython(monkeypatch, with_set_matplotlib_formats=False)  # IPython 9
    with gradkit.compat.installed():
        from IPython import display
        assert display is real
        assert display.set_matplotlib_formats is _ipython.set_matplotlib_formats
    assert not hasattr(real, "set_matplotlib_formats")
