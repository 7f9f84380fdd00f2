"""Differentiable ops, one small ``Function`` subclass each, grouped by kind.

- ``elementwise``: arithmetic, math functions, activations, clamp, where, casts
- ``reduction``: sum, mean, prod, max/min, cumsum, norm, var/std, logsumexp
- ``shape``: reshape/view, transpose/permute, squeeze/unsqueeze, expand, repeat, cat, stack
- ``linalg``: matmul, mm, mv, dot, bmm
- ``indexing``: reads and writes with PyTorch's indices
- ``nn_ops``: fused neural-network ops (linear, log_softmax, cross-entropy, ...)
"""
