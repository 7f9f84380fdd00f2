"""The autograd graph, drawn: ``make_dot`` as in torchviz, with a text form for terminals.

``make_dot(y, params=dict(net.named_parameters()))`` walks ``y.grad_fn`` back to the leaves and
returns a ``GraphDrawing``:

- ``print(drawing)``: an indented tree, no dependency;
- ``drawing.source``: the Graphviz DOT text, no dependency;
- in Jupyter it shows itself as SVG (``_repr_svg_``); ``drawing.render("mlp", format="svg")``
  or ``format="png"`` saves it.

Rendering uses Graphviz (the ecosystem's convention: the ``graphviz`` PyPI package plus the
``dot`` program, ``apt install graphviz``) when both are installed; without them gradkit lays the
graph out itself, in layers, as SVG (pure Python) or PNG (with matplotlib), and says once how to
get Graphviz's nicer layout. Nodes are named as ``grad_fn`` names them (``AddmmBackward0``);
leaves (``AccumulateGrad``) show their parameter name and shape; the output its shape.

Example:
    >>> net = gradkit.nn.Sequential(gradkit.nn.Linear(4, 3), gradkit.nn.ReLU(),
    ...                             gradkit.nn.Linear(3, 1))
    >>> y = net(gradkit.randn(2, 4)).sum()
    >>> print(make_dot(y, params=dict(net.named_parameters())))
    SumBackward0 -> (output) ()
    └── AddmmBackward0
        ├── ReluBackward0
        │   └── AddmmBackward0
        │       ├── AccumulateGrad: 0.weight (3, 4)
        │       └── AccumulateGrad: 0.bias (3,)
        ├── AccumulateGrad: 2.weight (1, 3)
        └── AccumulateGrad: 2.bias (1,)
"""
from __future__ import annotations

import html
import shutil
import warnings
from typing import Any

import numpy as np

from .autograd.function import Function

__all__ = ["make_dot", "draw_dot", "GraphDrawing"]

_COLORS = {"output": "darkolivegreen1", "leaf": "lightblue", "op": "lightgrey"}
_SVG_COLORS = {"output": "#caff70", "leaf": "#add8e6", "op": "#d3d3d3"}
# ctx attributes that belong to the engine, not to the op (left out of show_attrs).
_ENGINE_ATTRIBUTES = {"next_edges", "sequence_nr", "to_save", "saved_versions", "freed",
                      "retained", "tensor_hooks", "forward_stack", "node_name", "observed"}


class _Node:
    __slots__ = ("key", "label", "kind", "inputs")

    def __init__(self, key: int, label: str, kind: str) -> None:
        self.key, self.label, self.kind = key, label, kind
        self.inputs: list[int] = []  # keys of the nodes whose output flows into this one


def _shape(t: Any) -> str:
    dims = tuple(t.shape)
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _attributes(node: Function, max_chars: int) -> list[str]:
    lines = []
    for key, value in sorted(vars(node).items()):
        if key.startswith("_") or key in _ENGINE_ATTRIBUTES or isinstance(value, np.ndarray):
            continue
        text = repr(value)
        lines.append(f"{key}: {text if len(text) <= max_chars else text[:max_chars - 3] + '...'}")
    return lines


class GraphDrawing:
    """A drawn autograd graph: ``str()`` is a text tree, ``source`` the DOT text, and it renders
    as SVG in Jupyter (``_repr_svg_``) or to a file (``render``/``save``).

    Attributes:
        nodes: key -> node (label, kind ``"output" | "op" | "leaf"``, input keys).
        root: the key of the output node.
    """

    def __init__(self, nodes: dict, root: int) -> None:
        self.nodes, self.root = nodes, root

    # -- text ----------------------------------------------------------------------------
    def __str__(self) -> str:
        lines: list[str] = []
        shown: set[int] = set()

        def walk(key: int, prefix: str, connector: str, child_prefix: str) -> None:
            node = self.nodes[key]
            label = node.label.replace("\n", " ")
            if key in shown and node.inputs:
                lines.append(f"{prefix}{connector}{label} (shared, shown above)")
                return
            shown.add(key)
            lines.append(f"{prefix}{connector}{label}")
            for i, child in enumerate(node.inputs):
                last = i == len(node.inputs) - 1
                walk(child, prefix + child_prefix, "└── " if last else "├── ",
                     "    " if last else "│   ")

        walk(self.root, "", "", "")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GraphDrawing of {len(self.nodes)} nodes; print() it, or .render() to a file>"

    # -- DOT -----------------------------------------------------------------------------
    @property
    def source(self) -> str:
        """The graph in Graphviz's DOT language (as torchviz draws it: leaves on top)."""
        out = ["digraph {", '\tgraph [size="12,12"]',
               '\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 '
               'shape=box style=filled]']
        for key, node in self.nodes.items():
            label = node.label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            out.append(f'\t{key} [label="{label}" fillcolor={_COLORS[node.kind]}]')
        for key, node in self.nodes.items():
            for child in node.inputs:
                out.append(f"\t{child} -> {key}")
        out.append("}")
        return "\n".join(out) + "\n"

    # -- rendering -------------------------------------------------------------------------
    def _graphviz(self) -> Any:
        """A ``graphviz.Source`` when the package and the ``dot`` program are both there."""
        try:
            import graphviz  # noqa: PLC0415 - optional
        except ImportError:
            graphviz = None
        if graphviz is None or shutil.which("dot") is None:
            warnings.warn("Graphviz is not installed (pip install graphviz, and the dot program: "
                          "apt install graphviz / brew install graphviz); gradkit draws the graph "
                          "with its own simple layered layout instead.", UserWarning,
                          stacklevel=3)
            return None
        return graphviz.Source(self.source)

    def svg(self) -> str:
        """The drawing as SVG text (Graphviz's layout if installed, else gradkit's own)."""
        source = self._graphviz()
        if source is not None:
            return source.pipe(format="svg").decode()
        return _layered_svg(self)

    def _repr_svg_(self) -> str:
        return self.svg()

    def render(self, filename: str = "graph", format: str = "svg") -> str:  # noqa: A002
        """Save as ``filename.svg`` or ``filename.png`` (PNG without Graphviz needs
        matplotlib) and return the path written.

        Example:
            >>> make_dot(loss).render("mlp", format="png")
            'mlp.png'
        """
        if format not in ("svg", "png"):
            raise ValueError(f"format must be 'svg' or 'png', got {format!r}")
        path = filename if filename.endswith("." + format) else f"{filename}.{format}"
        source = self._graphviz()
        if source is not None:
            data = source.pipe(format=format)
        elif format == "svg":
            data = _layered_svg(self).encode()
        else:
            data = _layered_png(self)
        with open(path, "wb") as f:
            f.write(data)
        return path

    save = render


def make_dot(var: Any, params: dict | None = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50) -> GraphDrawing:
    """Draw the autograd graph that produced ``var`` (torchviz's ``make_dot``).

    Args:
        var: a tensor with a ``grad_fn`` (or a tuple of them: all are drawn).
        params: names for leaf tensors, e.g. ``dict(net.named_parameters())``.
        show_attrs: list each node's op attributes (dim, keepdim, alpha...).
        show_saved: list the shapes of each node's saved tensors.
        max_attr_chars: truncate attribute values to this many characters.

    Returns:
        A ``GraphDrawing`` (print it, show it in Jupyter, or ``render`` it).

    Example:
        >>> x = gradkit.ones(3, requires_grad=True)
        >>> print(make_dot((x * x).sum(), params={"x": x}))
        SumBackward0 -> (output) ()
        └── MulBackward0
            ├── AccumulateGrad: x (3,)
            └── AccumulateGrad: x (3,)
    """
    roots = list(var) if isinstance(var, (tuple, list)) else [var]
    names = {id(t): name for name, t in (params or {}).items()}
    nodes: dict[int, _Node] = {}

    def leaf_node(tensor: Any) -> int:
        key = id(tensor)
        if key not in nodes:
            name = names.get(key, "")
            nodes[key] = _Node(key, f"AccumulateGrad: {name + ' ' if name else ''}"
                                    f"{_shape(tensor)}", "leaf")
        return key

    def op_node(fn: Function) -> int:
        key = id(fn)
        if key in nodes:
            return key
        lines = [fn.name()]
        if show_attrs:
            lines += _attributes(fn, max_attr_chars)
        if show_saved:
            lines += [f"saved: {tuple(np.shape(a))}" for a in fn.to_save
                      if isinstance(a, np.ndarray)]
        nodes[key] = _Node(key, "\n".join(lines), "op")
        pending.append(fn)
        return key

    pending: list[Function] = []
    output_keys = []
    for tensor in roots:
        if tensor.grad_fn is None:
            output_keys.append(leaf_node(tensor))
            continue
        key = op_node(tensor.grad_fn)
        # The output's box is its grad_fn's, marked with the output's shape (torchviz draws
        # a separate box; one box keeps the text tree short).
        nodes[key].label = nodes[key].label.replace(
            tensor.grad_fn.name(), f"{tensor.grad_fn.name()} -> (output) {_shape(tensor)}", 1)
        nodes[key].kind = "output"
        output_keys.append(key)
    while pending:  # iterative: deep graphs must not hit the recursion limit
        fn = pending.pop()
        node = nodes[id(fn)]
        for edge in getattr(fn, "next_edges", ()):
            if edge is None:
                continue
            target, _, _, is_node = edge
            node.inputs.append(op_node(target) if is_node else leaf_node(target))
    if len(output_keys) == 1:
        return GraphDrawing(nodes, output_keys[0])
    top = 0  # several outputs: a virtual root joins them in the text tree
    nodes[top] = _Node(top, "outputs", "output")
    nodes[top].inputs = output_keys
    return GraphDrawing(nodes, top)


#: micrograd's name for the same thing.
draw_dot = make_dot


# ---------------------------------------------------------------------------------------------
# gradkit's own layout, for machines without Graphviz
# ---------------------------------------------------------------------------------------------
_CHAR_WIDTH, _LINE_HEIGHT, _PAD, _GAP_X, _GAP_Y = 7.0, 14.0, 8.0, 24.0, 40.0


def _layout(drawing: GraphDrawing) -> dict[int, tuple[float, float, float, float]]:
    """Boxes ``key -> (x, y, width, height)``: the output at the bottom, each node one layer
    above the lowest node it feeds (the longest path to the output), leaves on top."""
    depth = {drawing.root: 0}
    # Longest-path layering by relaxing in a topological order (Kahn's algorithm on consumers).
    consumers: dict[int, int] = {k: 0 for k in drawing.nodes}
    for node in drawing.nodes.values():
        for child in node.inputs:
            consumers[child] += 1
    ready = [drawing.root]
    seen_edges: dict[int, int] = {k: 0 for k in drawing.nodes}
    order = []
    while ready:
        key = ready.pop()
        order.append(key)
        for child in drawing.nodes[key].inputs:
            depth[child] = max(depth.get(child, 0), depth[key] + 1)
            seen_edges[child] += 1
            if seen_edges[child] == consumers[child]:
                ready.insert(0, child)  # first in, first out: a layer keeps the input order
    layers: dict[int, list[int]] = {}
    for key in order:
        layers.setdefault(depth[key], []).append(key)
    size = {}
    for key, node in drawing.nodes.items():
        lines = node.label.split("\n")
        size[key] = (max(len(line) for line in lines) * _CHAR_WIDTH + 2 * _PAD,
                     len(lines) * _LINE_HEIGHT + _PAD)
    widths = {d: sum(size[k][0] for k in keys) + _GAP_X * (len(keys) - 1)
              for d, keys in layers.items()}
    total_width = max(widths.values())
    heights = {d: max(size[k][1] for k in keys) for d, keys in layers.items()}
    boxes = {}
    y = _PAD
    for d in sorted(layers, reverse=True):
        x = _PAD + (total_width - widths[d]) / 2
        for key in layers[d]:
            w, h = size[key]
            boxes[key] = (x, y, w, h)
            x += w + _GAP_X
        y += heights[d] + _GAP_Y
    return boxes


def _layered_svg(drawing: GraphDrawing) -> str:
    boxes = _layout(drawing)
    width = max(x + w for x, _, w, _ in boxes.values()) + _PAD
    height = max(y + h for _, y, _, h in boxes.values()) + _PAD
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
             'font-family="monospace" font-size="11">',
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
             'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>']
    for key, node in drawing.nodes.items():
        x, y, w, h = boxes[key]
        for child in node.inputs:
            cx, cy, cw, ch = boxes[child]
            parts.append(f'<line x1="{cx + cw / 2:.1f}" y1="{cy + ch:.1f}" x2="{x + w / 2:.1f}" '
                         f'y2="{y:.1f}" stroke="#333" marker-end="url(#arrow)"/>')
    for key, node in drawing.nodes.items():
        x, y, w, h = boxes[key]
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     f'fill="{_SVG_COLORS[node.kind]}" stroke="#333"/>')
        for i, line in enumerate(node.label.split("\n")):
            parts.append(f'<text x="{x + _PAD:.1f}" y="{y + _PAD / 2 + (i + 0.8) * _LINE_HEIGHT:.1f}"'
                         f'>{html.escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _layered_png(drawing: GraphDrawing) -> bytes:
    try:
        import matplotlib  # noqa: PLC0415 - optional, and heavy: only when asked for
    except ImportError:
        raise ImportError("PNG output needs Graphviz (pip install graphviz, and the dot "
                          "program) or matplotlib (pip install matplotlib); SVG needs "
                          "neither: render(format='svg')") from None
    import io  # noqa: PLC0415

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt  # noqa: PLC0415
    from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: PLC0415

    boxes = _layout(drawing)
    width = max(x + w for x, _, w, _ in boxes.values()) + _PAD
    height = max(y + h for _, y, _, h in boxes.values()) + _PAD
    fig = plt.figure(figsize=(width / 72, height / 72), dpi=144)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for key, node in drawing.nodes.items():
        x, y, w, h = boxes[key]
        for child in node.inputs:
            cx, cy, cw, ch = boxes[child]
            ax.add_patch(FancyArrowPatch((cx + cw / 2, cy + ch), (x + w / 2, y),
                                         arrowstyle="-|>", mutation_scale=8, color="#333"))
        ax.add_patch(Rectangle((x, y), w, h, facecolor=_SVG_COLORS[node.kind], edgecolor="#333"))
        ax.text(x + _PAD, y + h / 2, node.label, family="monospace", fontsize=8, va="center")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
