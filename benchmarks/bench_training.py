"""Training-step benchmark, gradkit vs PyTorch side by side in one run (issue 3).

Times 200 training steps (forward, cross-entropy, backward, SGD step) of the book's two
Fashion-MNIST models on batches of 256 random float32 images (256, 1, 28, 28) with int64
labels, pre-generated and the same for both libraries:

  * softmax regression (D2L 3.7): ``Sequential(Flatten(), Linear(784, 10))`` — bound by
    per-op overhead; goal: gradkit ≤ 0.5 × PyTorch;
  * MLP (D2L 4.3): ``Sequential(Flatten(), Linear(784, 256), ReLU(), Linear(256, 10))`` —
    bound by the two large matmuls that both libraries hand to BLAS; goal: ≤ 1.0 × PyTorch.

Both libraries start from the same weights and run a warm-up; then repeats alternate between
them; the median of each is reported (and the best, which a busy machine disturbs least).
Both libraries keep their default thread counts (PyTorch's intra-op threads, NumPy's OpenBLAS
threads). On a shared, busy machine both kinds of threads spin against other processes and
times swing by 10x or more; ``--single-thread`` then runs both on one thread for a stable
comparison of the per-step work. Run:
    python benchmarks/bench_training.py [--steps 200] [--repeats 5] [--single-thread]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

BATCH = 256
MODELS = {
    "softmax regression 784-10": (None, 0.5),
    "MLP 784-256-10": (256, 1.0),
}


def make_batches(steps: int, n_distinct: int = 20) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_distinct`` pre-generated batches, cycled through for ``steps`` steps (so memory stays
    small while each step still sees a realistic input)."""
    import numpy as np

    rng = np.random.default_rng(0)
    distinct = [(rng.random((BATCH, 1, 28, 28), dtype=np.float32),
                 rng.integers(0, 10, BATCH).astype(np.int64)) for _ in range(n_distinct)]
    return [distinct[i % n_distinct] for i in range(steps)]


def make_model(lib: Any, hidden: int | None) -> Any:
    nn = lib.nn
    if hidden is None:
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def train_time(lib: Any, net: Any, batches: list) -> float:
    """Seconds for one training step per batch (the book's loop: forward, loss, zero_grad,
    backward, step). Inputs are converted to tensors up front, as a DataLoader would."""
    tensors = [(lib.from_numpy(X), lib.from_numpy(y)) for X, y in batches]
    loss = lib.nn.CrossEntropyLoss()
    trainer = lib.optim.SGD(net.parameters(), lr=0.1)
    start = time.perf_counter()
    for X, y in tensors:
        l = loss(net(X), y)  # noqa: E741 - the book's name
        trainer.zero_grad()
        l.backward()
        trainer.step()
    return time.perf_counter() - start


def measure(libs: tuple, hidden: int | None, batches: list, repeats: int
            ) -> list[tuple[float, float]]:
    """(median, best) time per library. Repeats alternate between the libraries, so that a
    busy phase of a shared machine slows both alike instead of skewing the ratio."""
    reference = make_model(libs[-1], hidden)
    state = {k: v.detach().numpy().copy() for k, v in reference.state_dict().items()}
    nets = []
    for lib in libs:
        net = make_model(lib, hidden)
        net.load_state_dict({k: lib.tensor(v) for k, v in state.items()})  # same weights
        train_time(lib, net, batches[:20])  # warm-up: allocator, BLAS threads, caches
        nets.append(net)
    samples: list[list[float]] = [[] for _ in libs]
    for _ in range(repeats):
        for i, (lib, net) in enumerate(zip(libs, nets)):
            samples[i].append(train_time(lib, net, batches))
    return [(statistics.median(s), min(s)) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--single-thread", action="store_true",
                        help="one BLAS/OpenMP thread for NumPy and PyTorch")
    args = parser.parse_args()
    if args.single_thread:
        # Must be set before NumPy loads OpenBLAS.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[name] = "1"

    import numpy as np
    import torch

    import gradkit

    if args.single_thread:
        torch.set_num_threads(1)

    batches = make_batches(args.steps)
    rows = []
    for name, (hidden, goal) in MODELS.items():
        ours, theirs = measure((gradkit, torch), hidden, batches, args.repeats)
        rows.append((name, ours, theirs, goal))

    width = max(len(r[0]) for r in rows)
    print(f"{args.steps} training steps, batch {BATCH}, median of {args.repeats} "
          f"(torch threads: {torch.get_num_threads()})")
    print(f"{'model':<{width}}  {'gradkit ms':>10}  {'pytorch ms':>10}  {'ratio':>6}  "
          f"{'goal':>5}         {'best: gradkit':>13}  {'pytorch':>8}  {'ratio':>6}")
    for name, (ours, ours_best), (theirs, theirs_best), goal in rows:
        ratio = ours / theirs
        verdict = "ok" if ratio <= goal else "MISSED"
        print(f"{name:<{width}}  {ours * 1e3:>10.1f}  {theirs * 1e3:>10.1f}  {ratio:>6.2f}  "
              f"≤{goal:<4} {verdict:<6}  {ours_best * 1e3:>13.1f}  {theirs_best * 1e3:>8.1f}  "
              f"{ours_best / theirs_best:>6.2f}")
    print(f"(gradkit {gradkit.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          "ratio = gradkit / PyTorch, lower is better)")


if __name__ == "__main__":
    main()
