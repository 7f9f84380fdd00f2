"""Differentiable ops, one small ``Function`` subclass each, grouped by kind.

- ``elementwise``: arithmetic, math functions, activations, clamp, where, casts
- ``reduction``: sum, mean, prod, max/min, cumsum, norm, var/std, logsumexp
- ``shape``: reshape/view, transpose/permute, squeeze/unsqueeze, expand, repeat, cat, stack
- ``linalg``: matmul, mm, mv, dot, bmm
- ``indexing``: reads and writes with PyTorch's indices
- ``nn_ops``: fused neural-network ops (linear, log_softmax, cross-entropy, ...)
"""

import warnings as _warnings

# PyTorch computes 1/0 = inf and log(-1) = nan silently; NumPy would warn from inside our ops.
# A filter scoped to these modules costs nothing per op (np.errstate would cost ~1 us per op)
# and leaves the user's own NumPy warnings alone.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradkit\._ops(\.|$)")
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradkit\.autograd(\.|$)")
