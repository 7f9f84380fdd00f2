"""What the regression recipes report: parameter errors and the closed-form solution.

Example:
    >>> closed_form_report(features, labels, w, b, [2, -3.4], 4.2)["w_error_max"]
    0.0004
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..tensor import Tensor

__all__ = ["closed_form_report"]


def closed_form_report(features: Tensor, labels: Tensor, w: Tensor, b: Tensor,
                       true_w: Sequence[float], true_b: float) -> dict[str, Any]:
    """The SGD estimate, the least-squares solution w* = (XᵀX)⁻¹Xᵀy (with the bias as an
    extra column of ones, D2L 3.1.1.3) and the errors of both against the true values."""
    X = np.asarray(features.detach().numpy(), dtype=np.float64)
    y = np.asarray(labels.detach().numpy(), dtype=np.float64).reshape(-1)
    design = np.hstack([X, np.ones((len(X), 1))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    estimate_w = np.asarray(w.detach().numpy(), dtype=np.float64).reshape(-1)
    estimate_b = float(np.asarray(b.detach().numpy()).reshape(-1)[0])
    truth_w = np.asarray(true_w, dtype=np.float64)
    return {
        "true_w": truth_w.tolist(), "true_b": true_b,
        "w": estimate_w.tolist(), "b": estimate_b,
        "w_error": (truth_w - estimate_w).tolist(), "b_error": true_b - estimate_b,
        "max_abs_error": float(max(np.abs(truth_w - estimate_w).max(),
                                   abs(true_b - estimate_b))),
        "closed_form_w": solution[:-1].tolist(), "closed_form_b": float(solution[-1]),
    }
