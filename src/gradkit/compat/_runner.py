"""Run a program written for PyTorch (or MXNet) on gradkit, as ``python script.py`` would.

The aliases are installed for the run only. The program sees ``__name__ == "__main__"``,
``sys.argv == [script, *args]`` and its own folder as ``sys.path[0]`` (so ``import helpers``
finds ``helpers.py`` next to it, and that module's ``import torch`` gets gradkit too). The
command line (``python -m gradkit.compat``) exits with the program's exit code and prints the
program's traceback, without the runner's own frames.

Example:
    >>> run_path("train.py", ["--epochs", "1"])     # in a notebook
    $ python -m gradkit.compat train.py --epochs 1  # in a shell
"""
from __future__ import annotations

import builtins
import importlib.machinery
import io
import os
import runpy
import sys
from types import FrameType, ModuleType, TracebackType
from typing import Any, Sequence

from ._errors import UnsupportedAPIError, UnsupportedModuleError
from ._install import installed

__all__ = ["run_path", "run_module", "main"]

_USAGE = """usage: python -m gradkit.compat [--real-d2l] script.py [args ...]
       python -m gradkit.compat [--real-d2l] -m module [args ...]

Run a program written for PyTorch (torch, torchvision, d2l.torch) or MXNet/Gluon on gradkit,
unmodified: its imports of those packages get gradkit's modules for the duration of the run.

--real-d2l  use the installed d2l package (e.g. d2l 1.0.3) on gradkit instead of gradkit.d2l"""

_COMPAT_DIR = os.path.dirname(os.path.abspath(__file__))
_RUNPY_FILE = os.path.abspath(runpy.__file__)


class _ProgramEnvironment:
    """``sys.argv`` and ``sys.path[0]`` for the program, restored afterwards; modules imported
    from the program's folder are forgotten afterwards, as a new ``python`` process would."""

    def __init__(self, argv: list[str], folder: str) -> None:
        self.argv = argv
        self.folder = folder

    def __enter__(self) -> None:
        self.saved_argv = sys.argv
        self.saved_path = list(sys.path)
        self.saved_modules = set(sys.modules)
        sys.argv = self.argv
        if sys.path:
            sys.path[0] = self.folder
        else:
            sys.path.append(self.folder)

    def __exit__(self, *exc: object) -> None:
        sys.argv = self.saved_argv
        sys.path[:] = self.saved_path
        prefix = os.path.join(self.folder, "")
        for name in set(sys.modules) - self.saved_modules:
            file = getattr(sys.modules.get(name), "__file__", None) or ""
            if os.path.abspath(file).startswith(prefix):
                del sys.modules[name]


def run_path(path: str | os.PathLike[str], args: Sequence[str] = (), *,
             d2l: str = "gradkit") -> dict[str, Any]:
    """Run the script at ``path`` with the aliases installed, as ``python path *args`` would.

    Args:
        path: the program's file.
        args: its command-line arguments (``sys.argv[1:]``).
        d2l: ``"gradkit"`` or ``"package"`` (the installed d2l on gradkit), as for ``install``.

    Returns:
        The program's globals once it has finished.

    Raises:
        Whatever the program raises (``SystemExit`` included).

    Example:
        >>> result = gradkit.compat.run_path("linreg.py", ["--epochs", "3"])
        >>> result["w"]
        tensor([[ 1.9998],
                [-3.3997]], requires_grad=True)
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.realpath(path))
    with installed(d2l), _ProgramEnvironment([path, *args], folder):
        return _run_as_main(os.path.abspath(path))


def _run_as_main(path: str) -> dict[str, Any]:
    # Not runpy.run_path: it would put the path as given into sys.argv[0] *and* into the
    # tracebacks, where ``python script.py`` shows an absolute __file__ but leaves argv alone.
    with io.open_code(path) as file:
        code = compile(file.read(), path, "exec", dont_inherit=True)
    main_module = ModuleType("__main__")
    main_module.__dict__.update(
        __file__=path, __cached__=None, __package__=None, __spec__=None,
        __loader__=importlib.machinery.SourceFileLoader("__main__", path),
        __builtins__=builtins)
    saved_main = sys.modules.get("__main__")
    sys.modules["__main__"] = main_module
    try:
        exec(code, main_module.__dict__)
    finally:
        if saved_main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = saved_main
    return main_module.__dict__


def run_module(name: str, args: Sequence[str] = (), *, d2l: str = "gradkit") -> dict[str, Any]:
    """Run module ``name`` as ``__main__`` with the aliases installed, as ``python -m`` would;
    ``d2l`` as for ``run_path``.

    Example:
        >>> gradkit.compat.run_module("my_package.train", ["--epochs", "1"])
    """
    with installed(d2l), _ProgramEnvironment([name, *args], os.getcwd()):
        return runpy.run_module(name, run_name="__main__", alter_sys=True)


def _is_runner_frame(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    if filename == "<frozen runpy>":  # runpy is frozen into the interpreter since 3.11
        return True
    filename = os.path.abspath(filename)
    return filename == _RUNPY_FILE or os.path.dirname(filename) == _COMPAT_DIR


def _is_import_machinery(frame: FrameType) -> bool:
    filename = frame.f_code.co_filename
    return filename.startswith("<frozen importlib") or _is_runner_frame(frame)


def program_traceback(error: BaseException) -> TracebackType | None:
    """The traceback of ``error`` from the program's first frame on.

    For a missing API the frames of the alias machinery at the end are dropped as well, so the
    last line shown is the user's line that named it.
    """
    tb = error.__traceback__
    while tb is not None and _is_runner_frame(tb.tb_frame):
        tb = tb.tb_next
    if isinstance(error, (UnsupportedAPIError, UnsupportedModuleError)) and tb is not None:
        last_user = None
        node: TracebackType | None = tb
        while node is not None:
            if not _is_import_machinery(node.tb_frame):
                last_user = node
            node = node.tb_next
        if last_user is not None:
            last_user.tb_next = None
    return tb


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m gradkit.compat script.py [args]`` (or ``-m module``).

    Returns:
        The exit code: the program's, 1 after an uncaught exception (its traceback printed as
        Python prints it), 2 for a usage error or a missing file.

    Example:
        $ python -m gradkit.compat train.py --epochs 1
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    d2l = "gradkit"
    if argv and argv[0] == "--real-d2l":
        d2l, argv = "package", argv[1:]
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    try:
        if argv[0] == "-m":
            if len(argv) < 2:
                print("Argument expected for the -m option\n" + _USAGE, file=sys.stderr)
                return 2
            run_module(argv[1], argv[2:], d2l=d2l)
        else:
            if not os.path.isfile(argv[0]):
                print(f"{sys.executable}: can't open file {os.path.abspath(argv[0])!r}: "
                      f"[Errno 2] No such file or directory", file=sys.stderr)
                return 2
            run_path(argv[0], argv[1:], d2l=d2l)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:  # noqa: BLE001 - reported as Python reports it
        tb = program_traceback(error)
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        return 1
    return 0
