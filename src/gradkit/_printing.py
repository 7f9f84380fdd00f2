"""How tensors print: PyTorch's format, element widths, summarization and suffixes.

A port of ``torch/_tensor_str.py``'s rules: floats that are all whole numbers print as ``1.``,
others with 4 decimals, and scientific notation when the range is wide; more than 1000 elements
are summarized with ``...``; lines wrap at 80 characters.

Example:
    >>> print(gradkit.tensor([[1.0, 2.5], [3.0, 4.0]]))
    tensor([[1.0000, 2.5000],
            [3.0000, 4.0000]])
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._dtype import display_name

__all__ = ["set_printoptions", "tensor_repr"]


class _PrintOptions:
    """The options in force (a plain class: ``dataclasses`` would cost ``import gradkit``
    a few milliseconds)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision, self.threshold, self.edgeitems, self.linewidth = 4, 1000, 3, 80
        self.sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Set how tensors print, like ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which a tensor is summarized (default 1000).
        edgeitems: items shown at each edge when summarized (default 3).
        linewidth: characters per line (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``.
        sci_mode: force (True) or forbid (False) scientific notation; None decides.

    Example:
        >>> gradkit.set_printoptions(precision=2)
    """
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


class _Formatter:
    """Decides one width and style for every element of a tensor (torch's ``_Formatter``)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        absolute = np.abs(finite)
        low, high = absolute.min(), absolute.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        # The mode is decided first (a forced ``sci_mode`` included), then the widths in it.
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        if self.sci_mode:
            widths = [len(f"{v:.{precision}e}") for v in finite.tolist()]
        elif self.int_mode:
            # The "+ 1" is the decimal point that marks a float ("1.").
            widths = [len(f"{v:.0f}") + 1 for v in finite.tolist()]
        else:
            widths = [len(f"{v:.{precision}f}") for v in finite.tolist()]
        self.max_width = max(self.max_width, max(widths))

    def format(self, value: Any) -> str:
        precision = PRINT_OPTS.precision
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{precision}f}"
        else:
            text = str(value)
        return (self.max_width - len(text)) * " " + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """The edge items that a summarized print shows (what the formatter measures)."""
    edge = PRINT_OPTS.edgeitems
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * edge:
        start = [_summarized(values[i]) for i in range(edge)]
        end = [_summarized(values[i]) for i in range(len(values) - edge, len(values))]
        return np.stack(start + end)
    return np.stack([_summarized(v) for v in values])


def _vector_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    element_length = formatter.max_width + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    edge = PRINT_OPTS.edgeitems
    if summarize and values.shape[0] > 2 * edge:
        data = ([formatter.format(v) for v in values[:edge].tolist()] + [" ..."]
                + [formatter.format(v) for v in values[-edge:].tolist()])
    else:
        data = [formatter.format(v) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, formatter)
    edge = PRINT_OPTS.edgeitems
    if summarize and values.shape[0] > 2 * edge:
        slices = ([_tensor_str(values[i], indent + 1, summarize, formatter) for i in range(edge)]
                  + ["..."]
                  + [_tensor_str(values[i], indent + 1, summarize, formatter)
                     for i in range(len(values) - edge, len(values))])
    else:
        slices = [_tensor_str(v, indent + 1, summarize, formatter) for v in values]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(values: np.ndarray, dtype_name: str, default_dtype_name: str,
                grad_fn_name: str | None, requires_grad: bool, prefix: str = "tensor(") -> str:
    """The text of ``repr(tensor)``.

    Args:
        values: the tensor's array.
        dtype_name: e.g. ``"float64"``; shown as ``dtype=gradkit.float64`` unless it is the
            default float dtype, int64 or bool (which PyTorch infers from the printed values).
        default_dtype_name: the current default float dtype's name.
        grad_fn_name: the node name for ``grad_fn=<...>``, if any.
        requires_grad: shown for leaves that require grad.
    """
    indent = len(prefix)
    suffixes = []
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        # No element shows whether an empty tensor holds ints, so any non-default dtype is named.
        if dtype_name != default_dtype_name:
            suffixes.append(f"dtype={display_name()}.{dtype_name}")
    else:
        summarize = values.size > PRINT_OPTS.threshold
        formatter = _Formatter(_summarized(values) if summarize else values)
        body = _tensor_str(values, indent, summarize, formatter)
        if dtype_name not in (default_dtype_name, "int64", "bool"):
            suffixes.append(f"dtype={display_name()}.{dtype_name}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    # The prefix counts toward the first line's length when deciding where suffixes wrap.
    return _add_suffixes(prefix + body, suffixes, indent)
