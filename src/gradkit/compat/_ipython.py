"""What the book's code needs of IPython, for runs where IPython cannot provide it.

D2L's code does ``from IPython import display`` (its ``Animator`` calls ``display.display`` and
``display.clear_output``; chapter 2.4 and the MXNet notes call
``display.set_matplotlib_formats('svg')``). Outside Jupyter none of these has anything to show,
so under the runner:

* without IPython installed, ``IPython`` and ``IPython.display`` are stand-ins that print what
  IPython would print in a terminal and otherwise do nothing;
* with IPython 9 or newer, which removed ``display.set_matplotlib_formats``, that one function
  is lent to ``IPython.display`` for the run;
* in a running IPython (a Jupyter kernel), a gradkit class shown as a cell's value reads as
  torch's (``type(net[2].bias)`` shows ``torch.nn.parameter.Parameter``, as in the book).

Example:
    >>> with gradkit.compat.installed():
    ...     from IPython import display
    ...     display.set_matplotlib_formats("svg")
"""
from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

__all__ = ["install_ipython_support", "uninstall_ipython_support"]


def display(*objs: Any, **kwargs: Any) -> None:
    """IPython's ``display`` outside a notebook: print each object."""
    for obj in objs:
        print(obj)


def clear_output(wait: bool = False) -> None:
    """Nothing to clear outside a notebook."""


def set_matplotlib_formats(*formats: Any, **kwargs: Any) -> None:
    """Choose the inline figure format: effective in Jupyter (through matplotlib-inline, as
    IPython 8 did), nothing to do elsewhere."""
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats as inline
    except ImportError:
        return
    try:
        inline(*formats, **kwargs)
    except Exception:  # noqa: BLE001 - outside a kernel there is no inline backend to set
        pass


def _stand_in() -> dict[str, types.ModuleType]:
    package = types.ModuleType("IPython", "gradkit's stand-in for IPython (not installed)")
    package.__path__ = []  # a package, so ``IPython.display`` imports
    package.get_ipython = lambda: None  # type: ignore[attr-defined]
    # Libraries that find "IPython" in sys.modules read its version (matplotlib does): the
    # stand-in answers as a recent IPython, whose path needs no IPython internals.
    package.version_info = (8, 24, 0, "gradkit stand-in")  # type: ignore[attr-defined]
    package.__version__ = "8.24.0"  # type: ignore[attr-defined]
    module = types.ModuleType("IPython.display", "gradkit's stand-in for IPython.display")
    for function in (display, clear_output, set_matplotlib_formats):
        setattr(module, function.__name__, function)
    package.display = module  # type: ignore[attr-defined]
    return {"IPython": package, "IPython.display": module}


# What install_ipython_support did, for uninstall: the stand-in module names it added, or the
# real IPython.display module it lent set_matplotlib_formats to.
_added_modules: list[str] = []
_lent_to: list[Any] = []
_type_printers: list[tuple[Any, Any]] = []  # (text/plain formatter, printer it replaced)


def _running_shell() -> Any:
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython() if get_ipython is not None else None


def _type_printer(previous: Any) -> Any:
    """IPython's printer of classes, naming gradkit's by their torch aliases."""
    from ._aliases import alias_name

    import gradkit

    def print_type(cls: Any, printer: Any, cycle: bool) -> Any:
        module = getattr(cls, "__module__", "") or ""
        alias = alias_name(module) if module.startswith("gradkit") else None
        if alias is None:
            return previous(cls, printer, cycle)
        if getattr(gradkit, cls.__name__, None) is cls:
            alias = "torch"  # torch's own top-level classes live in module torch: torch.Tensor
        return printer.text(f"{alias}.{cls.__qualname__}")

    return print_type


def _install_type_printer() -> None:
    shell = _running_shell()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/plain"]
    from IPython.lib.pretty import _type_pprint

    previous = formatter.for_type(type) or _type_pprint
    formatter.for_type(type, _type_printer(previous))
    _type_printers.append((formatter, previous))


def _major_version(distribution: str) -> int:
    from importlib import metadata

    try:
        return int(metadata.version(distribution).split(".")[0])
    except (metadata.PackageNotFoundError, ValueError):
        return 0


def install_ipython_support() -> None:
    """Provide the stand-ins or the missing function (see the module docstring)."""
    _install_type_printer()
    if "IPython" not in sys.modules and importlib.util.find_spec("IPython") is None:
        stand_in = _stand_in()
        sys.modules.update(stand_in)
        _added_modules.extend(stand_in)
        return
    if "IPython.display" not in sys.modules and _major_version("ipython") < 9:
        return  # IPython 8 has the function: no need to import it now
    ipython_display = importlib.import_module("IPython.display")
    if not hasattr(ipython_display, "set_matplotlib_formats"):
        ipython_display.set_matplotlib_formats = set_matplotlib_formats  # type: ignore[attr-defined]
        _lent_to.append(ipython_display)


def uninstall_ipython_support() -> None:
    """Undo ``install_ipython_support``."""
    for name in _added_modules:
        sys.modules.pop(name, None)
    _added_modules.clear()
    for module in _lent_to:
        if getattr(module, "set_matplotlib_formats", None) is set_matplotlib_formats:
            del module.set_matplotlib_formats
    _lent_to.clear()
    for formatter, previous in _type_printers:
        formatter.for_type(type, previous)
    _type_printers.clear()


