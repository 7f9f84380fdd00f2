"""``gradkit.viz.make_dot``: the text tree, the DOT source, and the SVG/PNG drawings made without
Graphviz (the fallback layout), checked against the graph torch builds for the same model."""
from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import gradkit
from gradkit import nn
from gradkit.viz import GraphDrawing, draw_dot, make_dot
from oracle import import_torch


def _mlp_loss(lib):
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
    loss = lib.nn.functional.mse_loss(net(lib.randn(2, 4)), lib.randn(2, 1))
    return net, loss


def test_text_tree_names_nodes_like_grad_fn_and_leaves_like_named_parameters():
    net, loss = _mlp_loss(gradkit)
    text = str(make_dot(loss, params=dict(net.named_parameters())))
    assert text.splitlines() == [
        "MseLossBackward0 -> (output) ()",
        "└── AddmmBackward0",
        "    ├── ReluBackward0",
        "    │   └── AddmmBackward0",
        "    │       ├── AccumulateGrad: 0.weight (3, 4)",
        "    │       └── AccumulateGrad: 0.bias (3,)",
        "    ├── AccumulateGrad: 2.weight (1, 3)",
        "    └── AccumulateGrad: 2.bias (1,)",
    ]


def _torch_names(fn, names):
    """Node names in torch's graph (TBackward0 aside: torch transposes the weight apart)."""
    if fn is None:
        return names
    name = type(fn).__name__
    if name != "TBackward0":
        names.append(name)
    for child, _ in fn.next_functions:
        _torch_names(child, names)
    return names


def test_the_same_nodes_as_torchs_graph():
    torch = import_torch()
    _, ours = _mlp_loss(gradkit)
    _, theirs = _mlp_loss(torch)
    drawing = make_dot(ours)
    names = sorted(re.sub(r"[: ].*", "", n.label) for n in drawing.nodes.values())
    assert names == sorted(_torch_names(theirs.grad_fn, []))


def test_dot_source_has_every_node_and_edge():
    x = gradkit.ones(3, requires_grad=True)
    w = gradkit.ones(3, requires_grad=True)
    drawing = make_dot(((x * w).exp() + x).sum(), params={"x": x, "w": w})
    source = drawing.source
    assert source.startswith("digraph {") and source.rstrip().endswith("}")
    assert source.count("->") - source.count("(output)") == 6  # x used twice
    for label in ("SumBackward0 -> (output) ()", "AddBackward0", "ExpBackward0",
                  "MulBackward0", "AccumulateGrad: x (3,)", "AccumulateGrad: w (3,)"):
        assert f'label="{label}"' in source
    assert "fillcolor=lightblue" in source and "fillcolor=darkolivegreen1" in source


def test_attributes_and_saved_tensors_on_request():
    x = gradkit.ones(2, 3, requires_grad=True)
    text = str(make_dot(x.sum(1, keepdim=True).exp(), show_attrs=True, show_saved=True))
    assert "keepdim: True" in text and "saved: (2, 1)" in text


def test_svg_and_png_without_graphviz(tmp_path):
    net, loss = _mlp_loss(gradkit)
    drawing = draw_dot(loss, params=dict(net.named_parameters()))
    assert isinstance(drawing, GraphDrawing)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = drawing._repr_svg_()
    assert any("Graphviz is not installed" in str(w.message) for w in caught) or \
        "<svg" in svg  # with Graphviz installed there is no warning
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    assert "AddmmBackward0" in texts and "0.weight" in texts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        svg_path = drawing.render(str(tmp_path / "mlp"), format="svg")
        png_path = drawing.save(str(tmp_path / "mlp.png"), format="png")
    assert open(svg_path).read().lstrip().startswith("<")
    assert open(png_path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="format must be"):
        drawing.render(str(tmp_path / "x"), format="gif")


def test_deep_graphs_and_several_outputs():
    x = gradkit.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):  # no recursion in the walk
        y = y * 1.0
    assert len(make_dot(y).nodes) == 3001
    a, b = x * 2, x.exp()
    text = str(make_dot((a, b)))
    assert text.startswith("outputs") and "MulBackward0" in text and "ExpBackward0" in text


def test_viz_is_lazy():
    import subprocess
    import sys

    code = "import gradkit, sys; print('gradkit.viz' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
