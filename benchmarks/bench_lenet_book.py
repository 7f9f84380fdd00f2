"""One LeNet epoch through the book's own pipeline: PyTorch + torchvision vs the same program on
gradkit (issue 12: "≥ 5× faster than the book's own pipeline").

The program below is the zh book's chapter-6 setup written plainly: torchvision's FashionMNIST
with ``ToTensor``, a shuffling ``DataLoader`` with the book's 4 workers, LeNet with sigmoid and
average pooling, xavier_uniform weights, SGD lr 0.9, batch 256, one epoch, then the test
accuracy. It runs unchanged twice, in fresh processes, alternating:

* on PyTorch, with a Python that has torch and torchvision (a benchmark venv outside the repo,
  never CI: ``--torch-python /path/to/venv/bin/python``);
* on gradkit, through ``python -m gradkit.compat`` with this Python.

Both read the bundled Fashion-MNIST IDX files, laid out in a temporary ``root/FashionMNIST/raw``
as torchvision expects, so nothing is downloaded. Prints each run's epoch time and the ratio of
the medians.

Run:
    python benchmarks/bench_lenet_book.py --torch-python /work/benchvenv/bin/python [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_memory import lay_out_data  # noqa: E402  (the same data layout as torchvision's)

PROGRAM = '''
import sys, time
import torch, torchvision
from torch import nn
from torch.utils import data
from torchvision import transforms

root = sys.argv[1]
train = torchvision.datasets.FashionMNIST(root, train=True, transform=transforms.ToTensor(),
                                          download=False)
test = torchvision.datasets.FashionMNIST(root, train=False, transform=transforms.ToTensor(),
                                         download=False)
train_iter = data.DataLoader(train, 256, shuffle=True, num_workers=4)
test_iter = data.DataLoader(test, 256, shuffle=False, num_workers=4)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2), nn.Flatten(),
    nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
for m in net:
    if type(m) in (nn.Linear, nn.Conv2d):
        nn.init.xavier_uniform_(m.weight)
optimizer = torch.optim.SGD(net.parameters(), lr=0.9)
loss = nn.CrossEntropyLoss()
start = time.perf_counter()
net.train()
for X, y in train_iter:
    optimizer.zero_grad()
    l = loss(net(X), y)
    l.backward()
    optimizer.step()
net.eval()
correct = total = 0
with torch.no_grad():
    for X, y in test_iter:
        correct += (net(X).argmax(1) == y).sum().item()
        total += y.numel()
print(f"{time.perf_counter() - start:.3f} {correct / total:.4f}")
'''


def run(command: list[str]) -> tuple[float, float]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{result.stderr[-2000:]}")
    seconds, accuracy = result.stdout.split()[-2:]
    return float(seconds), float(accuracy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", required=True,
                        help="a Python with torch and torchvision (a benchmark venv)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "data"
        lay_out_data(root)
        program = Path(folder) / "lenet_epoch.py"
        program.write_text(PROGRAM)
        commands = {
            "pytorch": [args.torch_python, str(program), str(root)],
            "gradkit": [sys.executable, "-m", "gradkit.compat", str(program), str(root)],
        }
        env_note = os.environ.get("OPENBLAS_CORETYPE", "")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for repeat in range(args.repeats):
            for name, command in commands.items():
                seconds, accuracy = run(command)
                times[name].append(seconds)
                print(f"{name:8s} run {repeat + 1}: epoch + test {seconds:7.2f} s, "
                      f"test acc {accuracy:.4f}", flush=True)
        medians = {name: statistics.median(values) for name, values in times.items()}
        print(f"median: pytorch {medians['pytorch']:.2f} s, gradkit {medians['gradkit']:.2f} s, "
              f"gradkit / pytorch = {medians['gradkit'] / medians['pytorch']:.3f} "
              f"(speed-up over the book's pipeline: {medians['pytorch'] / medians['gradkit']:.2f}x)"
              + (f" [OPENBLAS_CORETYPE={env_note}]" if env_note else ""))


if __name__ == "__main__":
    main()
