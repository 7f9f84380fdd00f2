"""The English (1.0.3) and Chinese (2.0.0) chapters' calls, run in a real Jupyter kernel with
``gradkit.compat.install()`` first (see conftest.py). What a cell prints that does not depend on
random numbers must read exactly as the book's executed notebooks print it; figures must be in
the notebook's outputs. Trainings run a few batches: full ones are benchmarks' business."""
from __future__ import annotations

import pytest

from gradkit.compat._notebook import cell_images, cell_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def assert_prints(notebook, expected: dict[str, str]) -> None:
    """Each tagged cell's printed text equals the expected text, character for character."""
    for tag, text in expected.items():
        assert cell_text(notebook[tag]) == text, f"nb/{notebook.name}.py, cell [{tag}]"


def assert_figures(notebook, *tags: str) -> None:
    """Each tagged cell left exactly one figure: boards and animators redraw in place."""
    for tag in tags:
        count = cell_images(notebook[tag])
        assert count == 1, f"nb/{notebook.name}.py, cell [{tag}]: {count} figures, not 1"


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
        "calculus-plot": "",  # d2l.plot returns None: the figure is the cell's only output
    })
    assert_figures(nb, "probability-plot", "calculus-plot")


def test_linear_regression_toolkit_from_scratch_to_weight_decay(execute):
    nb = execute("en_linear_regression")
    assert_prints(nb, {
        "hyperparameters": "x = 3 y = 4 label kept: False\n",
        "add-to-class": "10\n",
        # The book's synthetic-regression-data prints its first batch's shapes this way.
        "data": "X shape: torch.Size([32, 2]) \ny shape: torch.Size([32, 1])\n(16, 2)\n",
        "scratch-fit": "w error below 0.5: True, b error below 0.5: True\n",
        "concise": "(torch.Size([1, 2]), torch.Size([1]), 'Linear', tensor(1.))\n",
        "weight-decay": "L2 norm of w is finite: True\n",
    })
    # The ProgressBoard leaves its figure in the notebook, once per training.
    assert_figures(nb, "board", "scratch-fit", "concise", "weight-decay")


def test_classification_dataset_softmax_scratch_and_concise(execute):
    nb = execute("en_classification")
    assert_prints(nb, {
        "dataset": "(60000, 10000, torch.Size([1, 32, 32]))\n",
        "batch": "torch.Size([64, 1, 32, 32]) torch.float32 torch.Size([64]) torch.int64\n",
        "labels": "['t-shirt', 'trouser', 'pullover', 'ankle boot']\n",
        "small-data": "(torch.Size([1024, 1, 28, 28]), torch.Size([512]))\n",
        "softmax": "(tensor([[5., 7., 9.]]),\n tensor([[ 6.],\n         [15.]]))\n",
        "softmax-rows": "(torch.Size([2, 5]), True)\n",
        "cross-entropy": "(tensor([0.1000, 0.5000]), tensor(1.4979))\n",
        "concise-net": "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n"
                       "  (1): Linear(in_features=784, out_features=10, bias=True)\n)\n",
        "accuracy": "(torch.Size([]), torch.float32, True)\n",
    })
    assert_figures(nb, "visualize", "scratch", "predict", "concise")


def test_multilayer_perceptrons_scratch_concise_dropout(execute):
    nb = execute("en_mlp")
    assert_prints(nb, {
        "activation-grads": "(tensor([0., 0., 0.]), tensor([0.5000]), tensor([0.]))\n",
        "scratch-params": "[('W1', torch.Size([784, 64])),\n ('b1', torch.Size([64])),\n"
                          " ('W2', torch.Size([64, 10])),\n ('b2', torch.Size([10]))]\n",
        "concise-net": "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n"
                       "  (1): Linear(in_features=784, out_features=64, bias=True)\n"
                       "  (2): ReLU()\n"
                       "  (3): Linear(in_features=64, out_features=10, bias=True)\n)\n",
        "dropout-layer": "dropout_p = 0: tensor([[ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.],\n"
                         "        [ 8.,  9., 10., 11., 12., 13., 14., 15.]])\n"
                         "dropout_p = 1: tensor([[0., 0., 0., 0., 0., 0., 0., 0.],\n"
                         "        [0., 0., 0., 0., 0., 0., 0., 0.]])\nTrue\n",
        "dropout-concise": "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n"
                           "  (1): Linear(in_features=784, out_features=64, bias=True)\n"
                           "  (2): ReLU()\n  (3): Dropout(p=0.5, inplace=False)\n"
                           "  (4): Linear(in_features=64, out_features=32, bias=True)\n"
                           "  (5): ReLU()\n  (6): Dropout(p=0.5, inplace=False)\n"
                           "  (7): Linear(in_features=32, out_features=10, bias=True)\n)\n",
        "matrix-product": "(torch.Size([4, 4]), torch.float32)\n",
    })
    assert_figures(nb, "relu-plot", "scratch", "concise", "dropout-scratch", "dropout-concise",
                   "stability-plot")


def test_builders_guide_modules_parameters_init_layers_files(execute):
    nb = execute("en_builders_guide")
    assert_prints(nb, {
        "sequential": "torch.Size([2, 10])\n",
        "lazy-repr": "Sequential(\n  (0): Linear(in_features=20, out_features=256, bias=True)\n"
                     "  (1): ReLU()\n"
                     "  (2): Linear(in_features=256, out_features=10, bias=True)\n)\n",
        "custom-block": "(torch.Size([2, 4]),\n TwoLayers(\n"
                        "   (hidden): Linear(in_features=20, out_features=32, bias=True)\n"
                        "   (out): Linear(in_features=32, out_features=4, bias=True)\n ))\n",
        "my-sequential": "torch.Size([2, 3])\n",
        "fixed-hidden": "(torch.Size([]), True)\n",
        "parameters": "(['weight', 'bias'], torch.nn.parameter.Parameter, True)\n",
        "named-parameters": "[('0.weight', torch.Size([8, 4])),\n ('0.bias', torch.Size([8])),\n"
                            " ('2.weight', torch.Size([1, 8])),\n ('2.bias', torch.Size([1]))]\n",
        "tied": "tensor([True, True, True, True, True, True, True, True])\nTrue\n",
        "init-normal": "tensor([0., 0., 0., 0., 0., 0., 0., 0.])\n",
        "init-constant": "(tensor([1., 1., 1., 1.]), tensor(0.))\n",
        "init-xavier": "tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])\n",
        "init-custom": "Init weight torch.Size([8, 4])\nInit weight torch.Size([1, 8])\n"
                       "tensor(42.)\n",
        "lazy": "<UninitializedParameter>\n",
        "lazy-shape": "torch.Size([256, 20])\n",
        "apply-init": "(torch.Size([4, 5]), tensor(20.), tensor([0.]))\n",
        "centered": "tensor([-2., -1.,  0.,  1.,  2.])\n",
        "my-linear": "(torch.Size([5, 3]), torch.Size([2, 3]), ['weight', 'bias'])\n",
        "save-tensor": "tensor([0, 1, 2, 3])\n",
        "save-list": "(tensor([0, 1, 2, 3]), tensor([0., 0., 0., 0.]))\n",
        "save-dict": "{'x': tensor([0, 1, 2, 3]), 'y': tensor([0., 0., 0., 0.])}\n",
        "save-params": "MLP(\n  (hidden): LazyLinear(in_features=0, out_features=256, bias=True)\n"
                       "  (output): LazyLinear(in_features=0, out_features=10, bias=True)\n)\n",
        "clone-equal": "tensor([[True, True, True, True, True, True, True, True, True, True],\n"
                       "        [True, True, True, True, True, True, True, True, True, True]])\n",
    })
    devices = cell_text(nb["devices"])
    assert devices.startswith("(0, device(type='cpu'), ") and devices.endswith(
        ", device(type='cpu'), 0)\n")


def test_zh_edition_train_ch3_with_its_animator(execute):
    nb = execute("zh_train_ch3")
    assert_prints(nb, {
        "synthetic": "(torch.Size([1000, 2]), torch.Size([1000, 1]))\n",
        "linreg-scratch": "w error below 0.01: True\nb error below 0.01: True\n",
        "linreg-concise": "Sequential(\n"
                          "  (0): Linear(in_features=2, out_features=1, bias=True)\n)\n",
        "fashion": "(torch.Size([256, 1, 28, 28]), torch.float32, torch.Size([256]), "
                   "torch.int64)\n",
        "labels": "['t-shirt', 'dress', 'ankle boot']\n",
        "small-iters": "(4, 2)\n",
        "accuracy": "('float', True)\n",
        "accumulator": "(4.0, 5.0)\n",
        "predict": "",  # predict_ch3 shows its figure and returns None
    })
    # The Animator redraws in place: one figure stays in the cell, whatever the epochs.
    assert_figures(nb, "train-ch3", "show-images", "predict")
