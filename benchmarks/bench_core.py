"""Core micro-benchmarks, gradkit vs PyTorch side by side in one run (issue 2).

Measures:
  * import time (a fresh interpreter each, best of several);
  * a small forward+backward step: a few dozen elementwise ops and a reduction on tensors of
    100 elements (pure per-op overhead);
  * a 256x784 @ 784x10 matmul with its backward (BLAS-bound).

Prints times and the ratio gradkit / PyTorch (below 1 means gradkit is faster). Run:
    python benchmarks/bench_core.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any, Callable

import numpy as np


def import_time(module: str, repeats: int = 5) -> float:
    """Best wall time of ``import module`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        times.append(float(out.stdout.strip()))
    return min(times)


def per_call(fn: Callable[[], Any], repeats: int = 7, min_time: float = 0.2) -> float:
    """Median seconds per call of ``fn`` (each repeat runs long enough to be measurable)."""
    fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start > min_time / 5:
            break
        number *= 2
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def small_step(lib: Any) -> Callable[[], None]:
    """~60 ops on 100-element tensors, then backward: the cost is all per-op overhead."""
    x = lib.tensor(np.random.default_rng(0).standard_normal(100).astype(np.float32),
                   requires_grad=True)

    def step() -> None:
        y = x
        for _ in range(20):
            y = (y * 1.01 + 0.1).tanh()
        y.sum().backward()
        x.grad = None

    return step


def matmul_step(lib: Any) -> Callable[[], None]:
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((256, 784)).astype(np.float32))
    w = lib.tensor(rng.standard_normal((784, 10)).astype(np.float32), requires_grad=True)

    def step() -> None:
        (a @ w).sum().backward()
        w.grad = None

    return step


def main() -> None:
    import gradkit
    import torch

    rows = [("import (s)", import_time("gradkit"), import_time("torch"))]
    for name, make in (("small fwd+bwd, 61 ops (us)", small_step),
                       ("256x784 @ 784x10 + backward (us)", matmul_step)):
        rows.append((name, per_call(make(gradkit)) * 1e6, per_call(make(torch)) * 1e6))
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'gradkit':>10}  {'pytorch':>10}  {'ratio':>6}")
    for name, ours, theirs in rows:
        print(f"{name:<{width}}  {ours:>10.3f}  {theirs:>10.3f}  {ours / theirs:>6.2f}")
    print(f"(gradkit {gradkit.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          "ratio = gradkit / PyTorch, lower is better)")


if __name__ == "__main__":
    main()
