"""How much a busy core slows gradkit and PyTorch down, side by side in one run (issue 10).

A reader's laptop is rarely idle: another notebook, a browser, a build. This benchmark trains
the book's two Fashion-MNIST models (2 epochs, batch 256, data in memory, the book's
``train_epoch_ch3`` loop; the workloads of ``bench_recipes.py``) on both libraries, once on a
quiet machine and once while a CPU-bound process (a busy loop in a subprocess) keeps one core
busy, and prints each library's slowdown = loaded time / quiet time.

Goal (issue 10): gradkit slows down by at most 1.5x, and no more than PyTorch does.

Each repeat runs quiet gradkit, quiet PyTorch, then starts the busy process, runs loaded
gradkit, loaded PyTorch, and stops it; medians over the repeats. The busy process also stops by
itself after ``--cap`` seconds, so nothing is left spinning if this script is killed. Other
processes on the machine disturb both phases; the load average is printed at the start.

Run:
    python benchmarks/bench_contention.py [--repeats 3] [--cap 60]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_recipes  # noqa: E402  (the workloads, shared)
import gradkit  # noqa: E402  (bench_recipes put the worktree's src first on the path)

GOAL = 1.5
BUSY_LOOP = ("import time\n"
             "end = time.monotonic() + {cap}\n"
             "while time.monotonic() < end:\n"
             "    pass\n")


def start_busy(cap: float) -> subprocess.Popen:
    """A process that keeps one core busy for at most ``cap`` seconds."""
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP.format(cap=cap)])
    time.sleep(0.3)  # let the scheduler see it before the timing starts
    return busy


def stop_busy(busy: subprocess.Popen) -> None:
    busy.terminate()
    busy.wait(timeout=10)


def measure(runs: list[Callable[[], tuple[float, Any]]], repeats: int, cap: float
            ) -> tuple[list[float], list[float]]:
    """Median quiet and loaded seconds per run; every run warmed up once first."""
    for run in runs:
        run()
    quiet: list[list[float]] = [[] for _ in runs]
    loaded: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for i, run in enumerate(runs):
            quiet[i].append(run()[0])
        busy = start_busy(cap)
        try:
            for i, run in enumerate(runs):
                loaded[i].append(run()[0])
        finally:
            stop_busy(busy)
    return ([statistics.median(s) for s in quiet], [statistics.median(s) for s in loaded])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cap", type=float, default=60.0,
                        help="seconds after which the busy process stops by itself")
    args = parser.parse_args()
    import numpy as np
    import torch

    data = bench_recipes.fashion_mnist()
    orders = bench_recipes.permutations(len(data[0]), bench_recipes.EPOCHS)
    workloads = {"softmax regression, 2 epochs": None, "MLP 784-256-10, 2 epochs": 256}
    load = os.getloadavg()
    print(f"gradkit {gradkit.__version__} (NumPy {np.__version__}, {gradkit.get_num_threads()} "
          f"BLAS threads for large products) vs PyTorch {torch.__version__} "
          f"({torch.get_num_threads()} threads); {os.cpu_count()} CPUs, load average "
          f"{load[0]:.2f} at start; median of {args.repeats}")
    print(f"{'workload':<30}{'library':<9}{'quiet s':>9}{'loaded s':>10}{'slowdown':>10}")
    for name, hidden in workloads.items():
        runs = [bench_recipes.train_classifier(lib, hidden, data, orders)
                for lib in (gradkit, torch)]
        quiet, loaded = measure(runs, args.repeats, args.cap)
        slowdowns = [b / a for a, b in zip(quiet, loaded)]
        for lib, q, l, s in zip(("gradkit", "PyTorch"), quiet, loaded, slowdowns):
            print(f"{name:<30}{lib:<9}{q:>9.3f}{l:>10.3f}{s:>9.2f}x")
        verdict = "met" if slowdowns[0] <= GOAL and slowdowns[0] <= slowdowns[1] else "MISSED"
        print(f"{'':<30}goal: gradkit ≤ {GOAL}x and ≤ PyTorch's: {verdict}; "
              f"loaded gradkit / PyTorch = {loaded[0] / loaded[1]:.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
