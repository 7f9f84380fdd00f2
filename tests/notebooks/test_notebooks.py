"""The English (1.0.3) and Chinese (2.0.0) chapters' calls, run in a real Jupyter kernel with
``gradkit.compat.install()`` first (see conftest.py). What a cell prints that does not depend on
random numbers must read exactly as the book's executed notebooks print it; figures must be in
the notebook's outputs. Trainings run a few batches: full ones are benchmarks' business."""
from __future__ import annotations

import re

import pytest

from gradkit.compat._notebook import cell_images, cell_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def assert_prints(notebook, expected: dict[str, str]) -> None:
    """Each tagged cell's printed text equals the expected text, character for character."""
    for tag, text in expected.items():
        assert cell_text(notebook[tag]) == text, f"nb/{notebook.name}.py, cell [{tag}]"


def assert_figures(notebook, *tags: str) -> None:
    for tag in tags:
        assert cell_images(notebook[tag]) >= 1, f"nb/{notebook.name}.py, cell [{tag}]: no figure"


def test_preliminaries_tensors_autograd_probability(execute):
    nb = execute("en_preliminaries")
    assert_prints(nb, {
        "arange": "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.])\n",
        "numel": "(12, torch.Size([12]))\n",
        "reshape": "tensor([[ 0.,  1.,  2.,  3.],\n        [ 4.,  5.,  6.,  7.],\n"
                   "        [ 8.,  9., 10., 11.]])\n",
        "zeros": "(torch.Size([2, 3, 4]), torch.Size([3, 4]))\n",
        "cat": "(torch.Size([6, 4]), torch.Size([3, 8]))\n",
        "compare": "tensor([[False,  True, False,  True],\n        [False, False, False, False],\n"
                   "        [False, False, False, False]])\n",
        "broadcast": "tensor([[0, 1],\n        [1, 2],\n        [2, 3]])\n",
        "slicing": "(tensor([ 8.,  9., 10., 11.]),\n tensor([[ 4.,  5.,  6.,  7.],\n"
                   "         [ 8.,  9., 10., 11.]]))\n",
        "inplace": "True\n",
        "numpy": "(numpy.ndarray, torch.Tensor)\n",
        "item": "(tensor([3.5000]), 3.5, 3.5, 3)\n",
        "keepdims": "(tensor([[ 3.],\n         [12.]]),\n torch.Size([2, 1]),\n"
                    " tensor([[0.0000, 0.3333, 0.6667],\n         [0.2500, 0.3333, 0.4167]]))\n",
        "reductions": "(tensor(15.),\n tensor(2.5000),\n tensor([[0., 1., 2.],\n"
                      "         [3., 5., 7.]]),\n tensor([[0., 3.],\n         [1., 4.],\n"
                      "         [2., 5.]]))\n",
        "linalg": "(tensor(5.),\n tensor([ 5., 14.]),\n tensor([[ 5., 14.],\n"
                  "         [14., 50.]]),\n tensor(5.))\n",
        "grad": "(tensor([ 0.,  4.,  8., 12.]), tensor([True, True, True, True]))\n",
        "grad-sum": "tensor([1., 1., 1., 1.])\n",
        "detach": "tensor([True, True, True, True])\n",
        "control-flow": "True\n",
        "multinomial": "(torch.Size([500, 6]), True)\n",
    })
    assert_figures(nb, "probability-plot", "calculus-plot")
