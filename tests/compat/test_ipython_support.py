"""The book's ``from IPython import display`` under the runner, with and without IPython."""
from __future__ import annotations

import importlib.util
import sys

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


def test_a_stand_in_is_not_left_after_the_run_and_a_real_ipython_is_not_replaced():
    import IPython.display  # the machine's IPython (8 here): kept as it is

    with gradkit.compat.installed():
        from IPython import display
        assert display is IPython.display
        assert callable(display.set_matplotlib_formats)
    assert sys.modules["IPython.display"] is IPython.display


def test_set_matplotlib_formats_is_lent_only_when_missing(monkeypatch):
    import IPython.display

    original = getattr(IPython.display, "set_matplotlib_formats", None)
    if original is not None:
        monkeypatch.delattr(IPython.display, "set_matplotlib_formats")  # as in IPython 9
    with gradkit.compat.installed():
        assert IPython.display.set_matplotlib_formats is _ipython.set_matplotlib_formats
    assert not hasattr(IPython.display, "set_matplotlib_formats")
