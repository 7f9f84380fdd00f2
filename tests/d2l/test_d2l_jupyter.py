"""The English toolkit in a real Jupyter kernel (nbclient + ipykernel, offline), the way the
book's notebooks use it: ``gradkit.compat.install()`` first, then ``from d2l import torch as
d2l``; a ``Trainer.fit`` whose ``ProgressBoard`` draws, and a plain ``Animator`` loop, each must
leave one complete figure as the cell's image output, as with PyTorch."""
from __future__ import annotations

import json

import pytest

from book_reference import SRC

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

CELLS = [
    "import gradkit.compat\ngradkit.compat.install()",
    "import torch\nfrom torch import nn\nfrom d2l import torch as d2l",
    # The book's 3.4/3.5: a model trained with the Trainer, its board drawing.
    "torch.manual_seed(0)\n"
    "data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2, num_train=200,\n"
    "                                   num_val=100, batch_size=20)\n"
    "model = d2l.LinearRegression(lr=0.03)\n"
    "trainer = d2l.Trainer(max_epochs=3)\n"
    "trainer.fit(model, data)",
    "import json\n"
    "lines = model.board.fig.axes[0].get_lines()\n"
    "print(json.dumps({l.get_label(): len(l.get_xdata()) for l in lines}))\n"
    "print(json.dumps({k: len(v) for k, v in model.board.data.items()}))",
    # A plain loop of Animator.add, as the zh chapters write them: the last point must show.
    "animator = d2l.Animator(xlabel='epoch', xlim=[1, 40], legend=['a'])\n"
    "for i in range(40):\n"
    "    animator.add(i + 1, 1 / (i + 1))",
    "print(len(animator.axes[0].get_lines()[0].get_xdata()))",
]


def images(outputs: list[dict]) -> list[dict]:
    return [o for o in outputs if o.get("output_type") in ("display_data", "execute_result")
            and ({"image/png", "image/svg+xml"} & set(o.get("data", {})))]


def test_trainer_fit_and_animator_leave_their_figures_in_the_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", SRC)  # the kernel imports this checkout
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel picks the inline backend
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    cells = notebook.cells
    for cell in cells:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, errors[0]["evalue"] if errors else ""
    # One figure per drawing cell: redrawn in place (clear_output), never stacked.
    assert len(images(cells[2].outputs)) == 1
    assert len(images(cells[4].outputs)) == 1
    assert not [o for o in cells[2].outputs if o.output_type == "stream"]  # no terminal lines
    drawn, collected = (json.loads(line) for line in cells[3].outputs[0]["text"].splitlines())
    # 10 batches an epoch, 2 training points an epoch and 1 validation point: all drawn.
    assert collected == {"train_loss": 6, "val_loss": 3}
    assert sorted(drawn.values()) == [3, 6]
    assert cells[5].outputs[0]["text"].strip() == "40"
