"""Peak memory of the book's softmax regression, gradkit vs PyTorch, side by side (issue 10).

One program, the book's pipeline written against PyTorch's API — torchvision's FashionMNIST with
``ToTensor()``, a shuffling ``DataLoader`` of batch 256 with 4 workers, ``Flatten + Linear(784,
10)``, ``CrossEntropyLoss``, ``SGD(lr=0.1)``, ``--epochs`` epochs — runs in a fresh process per
library: on PyTorch + torchvision (``--torch-python``, a venv that has torchvision), and on gradkit
through ``gradkit.compat`` (the same text; ``import torch`` imports gradkit).

tracemalloc would see only gradkit's NumPy allocations, not torch's allocator, so the measure is
the processes' own: the proportional set size (PSS, from ``/proc/PID/smaps_rollup``) of the
program and every process it starts (PyTorch's DataLoader workers are processes; PSS shares
their copy-on-write pages fairly), sampled every 10 ms. Reported: peak minus the value right
after the imports (the import baseline), i.e. what the data and the training cost.

Goal (issue 10): gradkit's peak ≤ 0.5 × PyTorch's. Linux only (it reads /proc).

Run:
    python benchmarks/bench_memory.py [--epochs 2] [--repeats 3]
        [--torch-python /work/benchvenv/bin/python]
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "src" / "gradkit" / "vision" / "_bundled" / "fashion-mnist"
GOAL = 0.5

PROGRAM = """
import sys
if sys.argv[1] == "gradkit":
    import gradkit.compat
    gradkit.compat.install()
import torch
import torchvision
from torch import nn
from torch.utils import data
from torchvision import transforms
print("imported", flush=True)
sys.stdin.readline()

root, epochs = sys.argv[2], int(sys.argv[3])
trans = transforms.ToTensor()
train = torchvision.datasets.FashionMNIST(root=root, train=True, transform=trans, download=False)
train_iter = data.DataLoader(train, 256, shuffle=True, num_workers=4)
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
loss = nn.CrossEntropyLoss(reduction="none")
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(epochs):
    for X, y in train_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
print("loss", l.mean().item(), flush=True)
"""


def lay_out_data(root: Path) -> None:
    """``root/FashionMNIST/raw`` with the bundled IDX files uncompressed, as torchvision
    expects them after its download step."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for packed in BUNDLED.glob("*.gz"):
        with gzip.open(packed, "rb") as source, open(raw / packed.stem, "wb") as target:
            shutil.copyfileobj(source, target)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    # the parent pid is the 2nd field after the ")" that closes the name
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry))
    return tree


def tree_pss(pid: int) -> int:
    """PSS in bytes of ``pid`` and all its descendants."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(tree.get(current, []))
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue  # it exited meanwhile
    return total


def measure(python: str, library: str, root: Path, epochs: int) -> tuple[int, int, str]:
    """(baseline bytes after the imports, peak bytes, the program's last line)."""
    child = subprocess.Popen(
        [python, "-c", PROGRAM, library, str(root), str(epochs)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO / "src")] + ([os.environ["PYTHONPATH"]]
                                   if os.environ.get("PYTHONPATH") else []))))
    assert child.stdout is not None and child.stdin is not None
    if child.stdout.readline().strip() != "imported":
        child.kill()
        raise RuntimeError(f"{library}: the program failed during its imports")
    baseline = peak = tree_pss(child.pid)
    child.stdin.write("go\n")
    child.stdin.flush()
    while child.poll() is None:
        peak = max(peak, tree_pss(child.pid))
        time.sleep(0.01)
    last = child.stdout.read().strip().splitlines()
    if child.returncode:
        raise RuntimeError(f"{library}: the program exited with {child.returncode}")
    return baseline, peak, last[-1] if last else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--torch-python", default=(
        "/work/benchvenv/bin/python" if os.path.exists("/work/benchvenv/bin/python")
        else sys.executable), help="a Python with torch and torchvision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gradkit-bench-mem-") as scratch:
        root = Path(scratch)
        lay_out_data(root)
        runs = {"gradkit": sys.executable, "PyTorch": args.torch_python}
        used: dict[str, list[int]] = {name: [] for name in runs}
        baselines: dict[str, int] = {}
        results: dict[str, str] = {}
        load = os.getloadavg()[0]
        for _ in range(args.repeats):
            for name, python in runs.items():  # alternating
                baseline, peak, results[name] = measure(python, name.lower(), root,
                                                        args.epochs)
                baselines[name] = baseline
                used[name].append(peak - baseline)
        mib = 1 << 20
        print(f"softmax regression, Fashion-MNIST, {args.epochs} epochs, DataLoader with 4 "
              f"workers; median of {args.repeats}; load average {load:.2f} at start")
        print(f"{'library':<9}{'imports MiB':>12}{'peak above imports MiB':>24}  last line")
        for name in runs:
            print(f"{name:<9}{baselines[name] / mib:>12.0f}"
                  f"{statistics.median(used[name]) / mib:>24.0f}  {results[name]}")
        ratio = statistics.median(used["gradkit"]) / statistics.median(used["PyTorch"])
        print(f"ratio gradkit / PyTorch {ratio:.2f} (goal ≤ {GOAL}: "
              f"{'met' if ratio <= GOAL else 'MISSED'})")


if __name__ == "__main__":
    main()
