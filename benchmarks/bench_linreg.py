"""Linear regression, D2L 3.2 (from scratch) and 3.3 (concise), gradkit vs PyTorch in one run.

Both programs are pure per-op overhead (batches of 10 examples of 2 features), so they show what
the engine costs per op, per node and per optimizer step (issue 10):

  * ``scratch`` (3.2): the book's ``data_iter``/``linreg``/``squared_loss``/``sgd``, 3 epochs of
    1000 examples, lr 0.03 (``bench_recipes.train_linreg``); goal: gradkit ≤ 0.35 × PyTorch;
  * ``concise`` (3.3): ``DataLoader(TensorDataset, batch_size=10, shuffle=True)``,
    ``Sequential(Linear(2, 1))``, ``MSELoss``, ``optim.SGD(lr=0.03)``, the book's
    zero_grad/backward/step loop, 3 epochs; goal: ≤ 0.25 × PyTorch.

Runs are short (~30 ms), so many repeats alternate between the libraries; medians are reported,
of wall time and of the process's CPU time. On a machine shared with other busy processes the
wall time swings with the scheduler; the CPU time (``time.process_time``) is the load-robust
figure, what each library itself spends. Both libraries run on one thread (these ops are far
too small for threads to pay).

Run:
    python benchmarks/bench_linreg.py [--repeats 21]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_recipes  # noqa: E402 - the scratch program, shared with the recipes benchmark

import gradkit  # noqa: E402  (bench_recipes put the worktree's src first on the path)

BATCH, LR, EPOCHS = 10, 0.03, 3


def train_concise(lib: Any) -> Callable[[], tuple[float, Any]]:
    """D2L 3.3: a closure training a fresh ``Linear(2, 1)`` for 3 epochs; (seconds, loss)."""
    rng = np.random.default_rng(3)
    features = rng.standard_normal((1000, 2)).astype(np.float32)
    labels = (features @ np.array([2, -3.4], np.float32) + np.float32(4.2)
              + rng.normal(0, 0.01, 1000).astype(np.float32)).reshape(-1, 1)
    features, labels = lib.from_numpy(features), lib.from_numpy(labels)
    data = lib.utils.data

    def go() -> tuple[float, Any]:
        lib.manual_seed(0)
        data_iter = data.DataLoader(data.TensorDataset(features, labels), batch_size=BATCH,
                                    shuffle=True)
        net = lib.nn.Sequential(lib.nn.Linear(2, 1))
        net[0].weight.data.normal_(0, 0.01)
        net[0].bias.data.fill_(0)
        loss = lib.nn.MSELoss()
        trainer = lib.optim.SGD(net.parameters(), lr=LR)
        start = time.perf_counter()
        for _ in range(EPOCHS):
            for X, y in data_iter:
                l = loss(net(X), y)  # noqa: E741 - the book's name
                trainer.zero_grad()
                l.backward()
                trainer.step()
        seconds = time.perf_counter() - start
        with lib.no_grad():
            final = float(loss(net(features), labels))
        return seconds, final
    return go


def measure(runs: list[Callable[[], tuple[float, Any]]], repeats: int
            ) -> list[tuple[float, float, Any]]:
    """(median wall s, median CPU s, result) per run: one warm-up each, then repeats that
    alternate between the runs."""
    results = [run()[1] for run in runs]
    wall: list[list[float]] = [[] for _ in runs]
    cpu: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for i, run in enumerate(runs):
            cpu_start = time.process_time()
            wall[i].append(run()[0])
            cpu[i].append(time.process_time() - cpu_start)
    return [(statistics.median(w), statistics.median(c), r)
            for w, c, r in zip(wall, cpu, results)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    import minimal_autograd
    import numpy_floor

    workloads = [
        ("linreg scratch (3.2)", 0.35, [bench_recipes.train_linreg(lib) for lib in (gradkit, torch)]),
        ("linreg concise (3.3)", 0.25, [train_concise(lib) for lib in (gradkit, torch)]),
    ]
    # The floors: the scratch program on the leanest autograd we could write, and by hand in
    # NumPy. The concise program does the same 300 steps of the same math (Linear(2, 1), MSE,
    # SGD), so they bound it too.
    floors = [("minimal autograd", minimal_autograd.train_linreg()),
              ("NumPy by hand", numpy_floor.train_linreg())]
    print(f"gradkit {gradkit.__version__} (NumPy {np.__version__}) vs PyTorch {torch.__version__}"
          f" (1 thread), 300 steps of batch {BATCH}, medians of {args.repeats}")
    print(f"{'workload':<22}{'gradkit ms':>11}{'PyTorch ms':>11}{'ratio':>7}"
          f"{'CPU: gradkit':>14}{'PyTorch':>9}{'ratio':>7}{'goal':>7}")
    runs = [run for _, _, pair in workloads for run in pair] + [run for _, run in floors]
    results = measure(runs, args.repeats)
    torch_cpu = []
    for k, (name, goal, _) in enumerate(workloads):
        (g_wall, g_cpu, g_res), (t_wall, t_cpu, t_res) = results[2 * k: 2 * k + 2]
        torch_cpu.append(t_cpu)
        ratio = g_cpu / t_cpu
        print(f"{name:<22}{g_wall * 1e3:>11.1f}{t_wall * 1e3:>11.1f}{g_wall / t_wall:>7.2f}"
              f"{g_cpu * 1e3:>14.1f}{t_cpu * 1e3:>9.1f}{ratio:>7.2f}{'≤ ' + format(goal, '.2f'):>7}"
              f"  {'met' if ratio <= goal else 'MISSED'}")
        print(f"{'':<22}final loss: gradkit {g_res:.2e}, PyTorch {t_res:.2e}")
    print("floors, the scratch program (CPU ms, and / PyTorch's scratch, concise):")
    for (name, _), (_, f_cpu, f_res) in zip(floors, results[2 * len(workloads):]):
        print(f"  {name:<20}{f_cpu * 1e3:>8.1f}{f_cpu / torch_cpu[0]:>7.2f}"
              f"{f_cpu / torch_cpu[1]:>7.2f}   final loss {f_res:.2e}")
    print("(ratio = gradkit / PyTorch, lower is better; the verdict uses the CPU-time ratio; a goal "
          "below the minimal autograd's ratio is out of reach for an engine in Python)")

if __name__ == "__main__":
    main()
