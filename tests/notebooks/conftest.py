"""The notebook tests: each notebook of ``nb/`` runs in a real Jupyter kernel (nbclient and
ipykernel), offline, with ``import gradkit.compat; gradkit.compat.install()`` as its first cell,
from a working folder whose ``../data`` holds the bundled Fashion-MNIST.

A notebook is written as a Python file of cells: a line ``# %%`` starts a cell, and
``# %% [tag]`` starts one the tests look up by its tag (to compare what it printed with what
the book printed, or to count its figures).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gradkit.compat._notebook import NotebookRun, prepare_book_folder, run_notebook

NOTEBOOKS = Path(__file__).parent / "nb"
_CELL_MARK = re.compile(r"^# %%(?: \[([\w-]+)\])?[ \t]*$", re.MULTILINE)

#: Seconds a cell may take: the trainings here run a few batches.
CELL_TIMEOUT = 120


def build_notebook(name: str) -> Any:
    """``nb/<name>.py`` as an ``nbformat`` notebook; tagged cells carry their tag."""
    import nbformat

    text = (NOTEBOOKS / f"{name}.py").read_text(encoding="utf-8")
    marks = list(_CELL_MARK.finditer(text))
    assert marks and marks[0].start() == 0, f"nb/{name}.py must start with '# %%'"
    notebook = nbformat.v4.new_notebook()
    for mark, following in zip(marks, marks[1:] + [None]):
        source = text[mark.end():following.start() if following else len(text)].strip("\n")
        cell = nbformat.v4.new_code_cell(source)
        if mark.group(1):
            cell.metadata["tags"] = [mark.group(1)]
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


class ExecutedNotebook:
    """A notebook run, with its cells by tag."""

    def __init__(self, name: str, run: NotebookRun) -> None:
        self.name, self.run = name, run
        self.tagged = {tag: cell for cell in run.code_cells
                       for tag in cell.metadata.get("tags", ())}

    def __getitem__(self, tag: str) -> Any:
        return self.tagged[tag]


@pytest.fixture(scope="session")
def book_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture
def execute(book_root: Path):
    """``execute(name)`` runs ``nb/<name>.py`` in a new kernel; a failing cell fails the test
    with the cell's number, first line, error and traceback."""
    def run(name: str) -> ExecutedNotebook:
        work = prepare_book_folder(book_root / name)
        result = run_notebook(build_notebook(name), work, timeout=CELL_TIMEOUT)
        if not result.ok:
            pytest.fail(f"nb/{name}.py, {result.failure}\n{result.failure.traceback}",
                        pytrace=False)
        return ExecutedNotebook(name, result)

    return run
