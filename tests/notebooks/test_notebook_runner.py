"""``gradkit.compat._notebook.run_notebook`` and the book-notebook runner script: the install
cell first, the failing cell named with its error, shortened trainings, Colab's ``!pip`` lines
left out, per-cell timeouts."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat

from gradkit.compat._notebook import cell_text, install_cell_source, prepare_book_folder, \
    run_notebook

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def notebook(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# a title")] + \
        [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def load_runner_script():
    spec = importlib.util.spec_from_file_location("run_book_notebooks",
                                                  BENCHMARKS / "run_book_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failing_cell_is_named_and_later_cells_do_not_run(tmp_path):
    nb = notebook("!pip install d2l==1.0.3\nimport torch", "max_epochs = 10\nprint(max_epochs)",
                  "import torch.fft", "print('never')")
    run = run_notebook(nb, prepare_book_folder(tmp_path), timeout=60,
                       replace=[(r"max_epochs = \d+", "max_epochs = 1")])
    assert not run.ok
    failure = run.failure
    assert failure.cell == 3 and failure.source == "import torch.fft"
    assert failure.ename == "UnsupportedModuleError" and "torch.fft" in failure.evalue
    assert "cell 3 ('import torch.fft'): UnsupportedModuleError" in str(failure)
    first, second, _, last = run.code_cells
    assert run.skipped == [1] and first.source == "import torch"  # the !pip line left out
    assert cell_text(second) == "1\n"  # the replacement shortened the "training"
    assert last.get("execution_count") is None
    # The given notebook is left as it was; the run's copy has the install cell first.
    assert len(nb.cells) == 5 and run.notebook.cells[0].source == install_cell_source()
    assert run.seconds > 0


def test_a_cell_over_its_timeout_is_the_failure(tmp_path):
    run = run_notebook(notebook("x = 1", "import time\ntime.sleep(30)", "y = 2"),
                       prepare_book_folder(tmp_path), timeout=2)
    assert not run.ok and run.failure.cell == 2 and run.failure.ename == "CellTimeoutError"


def test_the_book_folder_has_the_data_where_the_book_looks(tmp_path):
    work = prepare_book_folder(tmp_path / "book")
    raw = work.parent / "data" / "FashionMNIST" / "raw"
    assert work == tmp_path / "book" / "work" and work.is_dir()
    assert sorted(p.name for p in raw.iterdir()) == [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert prepare_book_folder(tmp_path / "book") == work  # preparing again is harmless


def test_without_the_install_cell_the_notebook_runs_as_it_is(tmp_path):
    run = run_notebook(notebook("import sys\nprint('torch' in sys.modules)"),
                       prepare_book_folder(tmp_path), timeout=60, install=False)
    assert run.ok and len(run.code_cells) == 1 and cell_text(run.code_cells[0]) == "False\n"


def test_the_install_cell_can_leave_d2l_to_an_installed_package():
    assert install_cell_source() == "import gradkit.compat; gradkit.compat.install()"
    assert install_cell_source("package") == \
        "import gradkit.compat; gradkit.compat.install(d2l='package')"


def test_the_runner_script_shortens_both_editions_epochs_and_reports(tmp_path, capsys):
    runner = load_runner_script()
    source = "trainer = d2l.Trainer(max_epochs=10)\nnum_epochs = 0.5\nnum_epochs = 10"
    for pattern, replacement in runner.epoch_replacements(1):
        source = re.sub(pattern, replacement, source)
    assert source == "trainer = d2l.Trainer(max_epochs=1)\nnum_epochs = 0.5\nnum_epochs=1"
    assert runner.epoch_replacements(None) == []
    # The zh chapters set their counts in tuple assignments, in any position.
    tuples = {"lr, num_epochs = 0.1, 10": "lr, num_epochs = 0.1, 1",
              "num_epochs, lr = 10, 0.5": "num_epochs, lr = 1, 0.5",
              "    num_epochs, lr, batch_size = 10, 0.5, 256  # as the book":
                  "    num_epochs, lr, batch_size = 1, 0.5, 256  # as the book",
              "lr, num_epochs = 0.1, 10\nx = 1\nbatch_size, max_epochs = 256, 3":
                  "lr, num_epochs = 0.1, 1\nx = 1\nbatch_size, max_epochs = 256, 1",
              "lr, num_epochs = 0.1, 0.5": "lr, num_epochs = 0.1, 0.5",  # not a count
              "lr, num_epochs = get(0.1, 10)": "lr, num_epochs = get(0.1, 10)",  # not literals
              "batch_size, num_epochs = 256, 10": "batch_size, num_epochs = 256, 1",
              "train(net, num_epochs=10)": "train(net, num_epochs=1)",
              "a, b = 10, 5": "a, b = 10, 5"}
    for before, after in tuples.items():
        source = before
        for pattern, replacement in runner.epoch_replacements(1):
            source = re.sub(pattern, replacement, source)
        assert source == after
    folder = tmp_path / "nbs"
    folder.mkdir()
    nbformat.write(notebook("print('fine')"), folder / "good.ipynb")
    nbformat.write(notebook("1 / 0"), folder / "bad.ipynb")
    nbformat.write(notebook("print('left out')"), folder / "use-gpu.ipynb")
    code = runner.main([str(folder), "--timeout", "60", "--skip", "use-gpu"])
    out = capsys.readouterr().out
    assert code == 1
    assert "bad.ipynb" in out and "FAIL cell 1 ('1 / 0'): ZeroDivisionError" in out
    assert "good.ipynb" in out and " ok" in out and "use-gpu" not in out
    assert "1/2 notebooks ran" in out
    assert sys.modules.get("run_book_notebooks") is None
