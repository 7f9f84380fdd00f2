"""Run torch on one thread here: the oracle's tensors are tiny, and torch's intra-op threads
spin against each other (and against gradkit) on a 2-core machine, making runs 5x slower."""
from __future__ import annotations

try:
    import torch
except ImportError:  # the oracle reports a missing torch itself
    torch = None
else:
    torch.set_num_threads(1)
