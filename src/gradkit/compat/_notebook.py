"""Run a Jupyter notebook written for PyTorch on gradkit, in a real IPython kernel.

The notebook runs as it would in Jupyter, with one cell put first:
``import gradkit.compat; gradkit.compat.install()``. Figures come back as the notebook's
``image/png`` outputs (matplotlib's inline backend), printed text as its streams. A book folder
(:func:`prepare_book_folder`) gives the notebook ``../data`` holding gradkit's bundled
Fashion-MNIST as ``torchvision.datasets.FashionMNIST(root="../data", download=True)`` expects
it, so nothing is downloaded.

Needs ``nbclient`` and ``ipykernel`` (``pip install gradkit[test]``), imported on first use.

Example:
    >>> work = prepare_book_folder(Path("/tmp/book"))
    >>> run = run_notebook("softmax-regression-scratch.ipynb", work, timeout=600,
    ...                    replace=[(r"max_epochs=\\d+", "max_epochs=1")])
    >>> run.ok, run.seconds, run.failure
    (True, 41.2, None)
"""
from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

__all__ = ["CellFailure", "NotebookRun", "prepare_book_folder", "run_notebook",
           "install_cell_source", "cell_text", "cell_images"]

#: The MIME types that count as a figure in a cell's outputs.
IMAGE_TYPES = ("image/png", "image/svg+xml")


@dataclass
class CellFailure:
    """The first cell that raised: its number among the notebook's own code cells (1-based,
    the install cell not counted), its source and the error as the kernel reported it."""

    cell: int
    source: str
    ename: str
    evalue: str
    traceback: str = ""

    def __str__(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.cell} ({first_line!r}): {self.ename}: {self.evalue}"


@dataclass
class NotebookRun:
    """The outcome of :func:`run_notebook`: the executed notebook (``nbformat`` node, install
    cell first), the first failure (``None`` when every cell ran) and the wall-clock time."""

    path: str
    notebook: Any
    seconds: float
    failure: CellFailure | None = None
    skipped: list[int] = field(default_factory=list)
    installed: bool = True  # False for a run on the real PyTorch, without the install cell

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def code_cells(self) -> list[Any]:
        """The notebook's own code cells, executed (the install cell left out)."""
        cells = [c for c in self.notebook.cells if c.cell_type == "code"]
        return cells[1:] if self.installed else cells


def install_cell_source(d2l: str = "gradkit") -> str:
    """The cell put first: ``gradkit.compat.install()`` (``d2l="package"`` for a real d2l)."""
    argument = "" if d2l == "gradkit" else f"d2l={d2l!r}"
    return f"import gradkit.compat; gradkit.compat.install({argument})"


def _bundled_fashion_mnist() -> Path:
    import gradkit.vision

    return Path(gradkit.vision.__file__).parent / "_bundled" / "fashion-mnist"


def link_fashion_mnist(raw: Path) -> None:
    """Put the bundled Fashion-MNIST files in ``raw`` (symlinks, or copies where a file system
    has none), as a reader who downloaded them once has them."""
    raw.mkdir(parents=True, exist_ok=True)
    for source in _bundled_fashion_mnist().glob("*.gz"):
        target = raw / source.name
        if target.exists():
            continue
        try:
            target.symlink_to(source)
        except OSError:
            shutil.copyfile(source, target)


def prepare_book_folder(root: Path) -> Path:
    """``root/work`` to run notebooks from, with ``root/data/FashionMNIST/raw`` filled: the
    book's ``../data``. Returns the working folder.

    Example:
        >>> prepare_book_folder(Path("/tmp/book"))
        PosixPath('/tmp/book/work')
    """
    root = Path(root)
    link_fashion_mnist(root / "data" / "FashionMNIST" / "raw")
    work = root / "work"
    work.mkdir(parents=True, exist_ok=True)
    return work


@contextlib.contextmanager
def _kernel_environment() -> Iterator[None]:
    """The environment a kernel starts with (it copies ``os.environ``)."""
    import gradkit

    saved = {name: os.environ.get(name) for name in ("MPLBACKEND", "PYTHONPATH")}
    # A kernel started under MPLBACKEND=Agg (pytest's setting, a CI's) would draw no inline
    # figures; the kernel must choose its backend as Jupyter's would.
    os.environ.pop("MPLBACKEND", None)
    # The kernel runs in another folder, where a relative PYTHONPATH ("src") means something
    # else: put this process's gradkit first, so the kernel runs the same one.
    source = str(Path(gradkit.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [source] + [str(Path(p).resolve()) for p in (saved["PYTHONPATH"] or "").split(os.pathsep)
                    if p])
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _read(notebook: Any) -> Any:
    import nbformat

    if isinstance(notebook, (str, os.PathLike)):
        return nbformat.read(os.fspath(notebook), as_version=4)
    return copy.deepcopy(notebook)


def _first_error(code_cells: Sequence[Any]) -> CellFailure | None:
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                tb = "\n".join(output.get("traceback", ()))
                return CellFailure(number, cell.source, output.get("ename", ""),
                                   output.get("evalue", ""), re.sub(r"\x1b\[[0-9;]*m", "", tb))
    return None


def run_notebook(notebook: Any, cwd: str | os.PathLike[str], *, timeout: float = 600,
                 replace: Sequence[tuple[str, Any]] = (), skip_shell: bool = True,
                 d2l: str = "gradkit", kernel_name: str = "python3",
                 install: bool = True) -> NotebookRun:
    """Execute ``notebook`` (a path or an ``nbformat`` node) in a new kernel from ``cwd``.

    Args:
        notebook: the ``.ipynb`` file, or a notebook node (left unchanged).
        cwd: the kernel's working folder (see :func:`prepare_book_folder`).
        timeout: seconds allowed for each cell.
        replace: ``(pattern, replacement)`` regexes applied to each code cell's source first
            (the replacement a string or a function of the match, as ``re.sub`` takes),
            e.g. ``(r"max_epochs=\\d+", "max_epochs=1")`` to shorten trainings.
        skip_shell: leave out lines starting with ``!`` (Colab's ``!pip install d2l``), which
            would install packages rather than run the chapter.
        d2l: ``"gradkit"`` or ``"package"``, as for :func:`gradkit.compat.install`.
        install: ``False`` runs the notebook as it is, on whatever torch the kernel imports
            (PyTorch itself, for a side-by-side time).

    Returns:
        A :class:`NotebookRun`; execution stops at the first failing cell.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError
    import nbformat

    nb = _read(notebook)
    skipped = []
    code_number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_number += 1
        source = cell.source
        if skip_shell and any(line.lstrip().startswith("!") for line in source.splitlines()):
            source = "\n".join(line for line in source.splitlines()
                               if not line.lstrip().startswith("!"))
            skipped.append(code_number)
        for pattern, replacement in replace:
            source = re.sub(pattern, replacement, source)
        cell.source = source
    if install:
        nb.cells.insert(0, nbformat.v4.new_code_cell(install_cell_source(d2l)))
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=False,
                            resources={"metadata": {"path": os.fspath(cwd)}})
    start = time.perf_counter()
    timed_out = False
    with _kernel_environment():
        try:
            client.execute()
        except CellTimeoutError:
            timed_out = True
        except CellExecutionError:
            pass  # the error is in the failing cell's outputs, read below
    seconds = time.perf_counter() - start
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    failure = _first_error(code_cells)
    if timed_out:
        # The kernel was interrupted (a KeyboardInterrupt in the cell, if it got that far):
        # name the cell that never finished and say why.
        started = [n for n, c in enumerate(code_cells, start=1)
                   if c.get("execution_count") is not None]
        number = failure.cell if failure is not None else (started[-1] if started else 1)
        failure = CellFailure(number, code_cells[number - 1].source, "CellTimeoutError",
                              f"the cell ran over the timeout of {timeout:g} s")
    if failure is not None and install:
        failure.cell -= 1  # the install cell is not the notebook's
    return NotebookRun(os.fspath(notebook) if isinstance(notebook, (str, os.PathLike))
                       else "<notebook>", nb, seconds, failure, skipped, install)


def cell_text(cell: Any) -> str:
    """What a cell printed and returned, as Jupyter shows it: its streams and the
    ``text/plain`` of its results, joined in order."""
    parts = []
    for output in cell.get("outputs", ()):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append(output.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            text = output.get("data", {}).get("text/plain")
            if text is not None and not any(t in output["data"] for t in IMAGE_TYPES):
                parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


def cell_images(cell: Any) -> int:
    """How many figures (PNG or SVG outputs) a cell left in the notebook."""
    return sum(1 for output in cell.get("outputs", ())
               if any(t in output.get("data", {}) for t in IMAGE_TYPES))
