"""The convolution chapters (zh 2.0.0 chapter 6, English 1.0.3 chapter 7) in a real Jupyter kernel
with ``gradkit.compat.install()`` first: convolutions for images, padding and strides, channels,
pooling, LeNet. What does not depend on random numbers prints exactly as the books' executed
notebooks; the trainings run a few batches and leave their figure."""
from __future__ import annotations

import re

import pytest

from gradkit.compat._notebook import cell_images, cell_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EDGE_IMAGE = "".join(("tensor([[" if i == 0 else "        [")
                     + "1., 1., 0., 0., 0., 0., 1., 1.]" + ("])\n" if i == 5 else ",\n")
                     for i in range(6))
EDGES = "".join(("tensor([[" if i == 0 else "        [")
                + " 0.,  1.,  0.,  0.,  0., -1.,  0.]" + ("])\n" if i == 5 else ",\n")
                for i in range(6))
ZEROS_8x5 = "".join(("tensor([[" if i == 0 else "        [") + "0., 0., 0., 0., 0.]"
                    + ("])\n" if i == 7 else ",\n") for i in range(8))
LENET_SHAPES = [("Conv2d", "1, 6, 28, 28"), ("Sigmoid", "1, 6, 28, 28"),
                ("AvgPool2d", "1, 6, 14, 14"), ("Conv2d", "1, 16, 10, 10"),
                ("Sigmoid", "1, 16, 10, 10"), ("AvgPool2d", "1, 16, 5, 5"),
                ("Flatten", "1, 400"), ("Linear", "1, 120"), ("Sigmoid", "1, 120"),
                ("Linear", "1, 84"), ("Sigmoid", "1, 84"), ("Linear", "1, 10")]


def assert_prints(notebook, expected):
    for tag, text in expected.items():
        assert cell_text(notebook[tag]) == text, f"nb/{notebook.name}.py, cell [{tag}]"


def test_zh_chapter_6_convolutions_channels_pooling_lenet(execute):
    nb = execute("zh_conv")
    assert_prints(nb, {
        "corr2d": "tensor([[19., 25.],\n        [37., 43.]])\n",
        "edge-image": EDGE_IMAGE,
        "edges": EDGES,
        "edges-transposed": ZEROS_8x5,
        "learned": "(torch.Size([1, 2]), True)\n",
        "pad-1": "torch.Size([8, 8])\n",
        "pad-2": "torch.Size([8, 8])\n",
        "stride-1": "torch.Size([4, 4])\n",
        "stride-2": "torch.Size([2, 2])\n",
        "multi-in": "tensor([[ 56.,  72.],\n        [104., 120.]])\n",
        "kernel-stack": "torch.Size([3, 2, 2, 2])\n",
        "multi-in-out": "tensor([[[ 56.,  72.],\n         [104., 120.]],\n\n"
                        "        [[ 76., 100.],\n         [148., 172.]],\n\n"
                        "        [[ 96., 128.],\n         [192., 224.]]])\n",
        "one-by-one": "True\n",
        "pool-max": "tensor([[4., 5.],\n        [7., 8.]])\n",
        "pool-avg": "tensor([[2., 3.],\n        [5., 6.]])\n",
        "pool-input": "tensor([[[[ 0.,  1.,  2.,  3.],\n          [ 4.,  5.,  6.,  7.],\n"
                      "          [ 8.,  9., 10., 11.],\n          [12., 13., 14., 15.]]]])\n",
        "maxpool-default": "tensor([[[[10.]]]])\n",
        "maxpool-padding": "tensor([[[[ 5.,  7.],\n          [13., 15.]]]])\n",
        "maxpool-rect": "tensor([[[[ 5.,  7.],\n          [13., 15.]]]])\n",
        "pool-channels-input": "tensor([[[[ 0.,  1.,  2.,  3.],\n          [ 4.,  5.,  6.,  7.],\n"
                               "          [ 8.,  9., 10., 11.],\n          [12., 13., 14., 15.]],\n\n"
                               "         [[ 1.,  2.,  3.,  4.],\n          [ 5.,  6.,  7.,  8.],\n"
                               "          [ 9., 10., 11., 12.],\n          [13., 14., 15., 16.]]]])\n",
        "pool-channels": "tensor([[[[ 5.,  7.],\n          [13., 15.]],\n\n"
                         "         [[ 6.,  8.],\n          [14., 16.]]]])\n",
        "lenet-shapes": "".join(f"{name} output shape: \t torch.Size([{shape}])\n"
                                 for name, shape in LENET_SHAPES),
        "small-iters": "(4, 2)\n",
        "evaluate-gpu": "('float', True)\n",
    })
    # The book prints the loss every 2 epochs; the figures themselves depend on the draw.
    losses = re.findall(r"^epoch (\d+), loss (\d+\.\d{3})$", cell_text(nb["learn-kernel"]), re.M)
    assert [int(e) for e, _ in losses] == [2, 4, 6, 8, 10]
    assert float(losses[-1][1]) < float(losses[0][1])
    # As in the book's notebook, the Animator's redraws clear 'training on cpu': the cell keeps
    # the two final lines and the figure.
    lines = cell_text(nb["train-ch6"]).splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(r"loss \d\.\d{3}, train acc \d\.\d{3}, test acc \d\.\d{3}", lines[0])
    assert re.fullmatch(r"\d+\.\d examples/sec on cpu", lines[1])
    assert cell_images(nb["train-ch6"]) == 1  # the Animator redraws in place


def test_en_chapter_7_lazy_convolutions_lenet_classifier_and_trainer(execute):
    nb = execute("en_conv")
    assert_prints(nb, {
        "corr2d": "tensor([[19., 25.],\n        [37., 43.]])\n",
        "lazy-kernel": "(torch.Size([1, 1, 1, 2]), True)\n",
        "lazy-padding": "(torch.Size([8, 8]),\n torch.Size([8, 8]),\n torch.Size([4, 4]),\n"
                        " torch.Size([2, 2]))\n",
        "layer-summary": "".join(f"{name} output shape:\t torch.Size([{shape}])\n"
                                  for name, shape in LENET_SHAPES),
        "small-data": "torch.Size([1024, 1, 28, 28])\n",
        "after-fit": "('Conv2d', torch.Size([6, 1, 5, 5]), torch.Size([10, 84]))\n",
    })
    assert cell_images(nb["fit"]) == 1  # the ProgressBoard's figure
