"""Differentiable ops, one small ``Function`` subclass each, grouped by kind.

- ``elementwise``: arithmetic, math functions, activations, clamp, where, casts
- ``reduction``: sum, mean, prod, max/min, cumsum, norm, var/std, logsumexp
- ``shape``: reshape/view, transpose/permute, squeeze/unsqueeze, expand, repeat, cat, stack
- ``linalg``: matmul, mm, mv, dot, bmm
- ``indexing``: reads and writes with PyTorch's indices
- ``nn_ops``: fused neural-network ops (linear, log_softmax, cross-entropy, ...)
- ``conv``: convolution (im2col + one matmul), unfold, constant padding
- ``pooling``: max, average and adaptive average pooling
- ``normalization``: batch normalization
"""

import warnings as _warnings


def install_warning_filters() -> None:
    """Silence NumPy's RuntimeWarnings raised from inside gradkit's ops and engine.

    PyTorch computes 1/0 = inf and inf * 0 = nan silently. Ops that make special values from
    finite inputs use ``np.errstate``; values merely passing through (inf * 0 in a Mul
    backward) are silenced by this filter, scoped to gradkit's modules, which costs nothing per
    op (``np.errstate`` costs ~1 us) and leaves the user's own NumPy warnings alone. Installed
    at import; a ``warnings.catch_warnings()`` block around the first ``import gradkit``
    discards it on exit, so such callers (pytest's collection) call this again.
    """
    for module in (r"gradkit\._ops(\.|$)", r"gradkit\.autograd(\.|$)"):
        _warnings.filterwarnings("ignore", category=RuntimeWarning, module=module)


install_warning_filters()
