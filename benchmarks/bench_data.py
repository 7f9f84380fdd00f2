"""One pass over the Fashion-MNIST training set with ToTensor and batch 256: gradkit vs PyTorch.

gradkit: ``DataLoader(FashionMNIST(transform=ToTensor()), batch_size=256, shuffle=True)``, which
builds each batch with one fancy-index of the uint8 images and one division.
PyTorch: ``torch.utils.data.DataLoader`` (``num_workers=0``) over a per-item dataset that does
what torchvision's ``FashionMNIST`` + ``ToTensor`` do for each item (PIL image, then a tensor
divided by 255); torchvision itself is not needed. A second PyTorch row uses a leaner per-item
dataset with no PIL round trip, to show where the time goes.

Run:
    python benchmarks/bench_data.py [--repeat 3] [--resize 64]
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable, Tuple

import numpy as np

import gradkit
from gradkit.utils import data
from gradkit.vision import datasets, transforms


def best_time(run: Callable[[], int], repeat: int) -> Tuple[float, int]:
    """The fastest of ``repeat`` passes, in seconds, and the number of samples seen."""
    best, seen = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        seen = run()
        best = min(best, time.perf_counter() - start)
    return best, seen


def one_pass(loader: Any) -> int:
    seen = 0
    for X, y in loader:
        seen += len(y)
    return seen


def torch_datasets(torch: Any, images: np.ndarray, labels: np.ndarray, size: int) -> Tuple[Any, Any]:
    from PIL import Image

    class TorchvisionLike(torch.utils.data.Dataset):
        """What torchvision's FashionMNIST(transform=[Resize(size),] ToTensor()) does per item."""

        def __len__(self) -> int:
            return len(images)

        def __getitem__(self, i: int) -> Any:
            image = Image.fromarray(images[i])  # mode L, as torchvision makes it
            if size != 28:
                image = image.resize((size, size), Image.BILINEAR)
            pixels = torch.from_numpy(np.array(image, np.uint8, copy=True))
            pixels = pixels.view(image.size[1], image.size[0], 1).permute(2, 0, 1).contiguous()
            return pixels.to(torch.float32).div(255), int(labels[i])

    class TensorOnly(torch.utils.data.Dataset):
        """A lean per-item dataset: slice a uint8 tensor, convert, no PIL."""

        def __init__(self) -> None:
            self.images = torch.from_numpy(images)
            self.labels = torch.from_numpy(labels)

        def __len__(self) -> int:
            return len(self.images)

        def __getitem__(self, i: int) -> Any:
            return self.images[i].unsqueeze(0).to(torch.float32).div(255), int(self.labels[i])

    return TorchvisionLike(), TensorOnly()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes per loader; the best counts")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--resize", type=int, default=28, help="also Resize to this size first")
    parser.add_argument("--root", default=None, help="dataset root (default: the bundled copy)")
    args = parser.parse_args()

    steps = [transforms.ToTensor()]
    if args.resize != 28:
        steps.insert(0, transforms.Resize(args.resize))
    transform = transforms.Compose(steps) if len(steps) > 1 else steps[0]
    start = time.perf_counter()
    train = datasets.FashionMNIST(args.root, train=True, transform=transform)
    load_time = time.perf_counter() - start
    print(f"Fashion-MNIST training set: {len(train)} images ({train.source}), "
          f"loaded in {load_time:.2f} s; transform: {transform!r}".replace("\n", " "))
    print(f"one pass, batch {args.batch_size}, shuffled, best of {args.repeat}:")

    rows = []
    gradkit.manual_seed(0)
    loader = data.DataLoader(train, batch_size=args.batch_size, shuffle=True)
    one_pass(loader)  # warm-up (caches, first allocations)
    ours, seen = best_time(lambda: one_pass(loader), args.repeat)
    rows.append(("gradkit DataLoader (batched __getitems__)", ours, seen))
    threaded = data.DataLoader(train, batch_size=args.batch_size, shuffle=True, num_workers=2)
    rows.append(("gradkit DataLoader, num_workers=2 (prefetch thread)",
                 *best_time(lambda: one_pass(threaded), args.repeat)))

    try:
        import torch
    except ImportError:
        torch = None
        print("  (PyTorch is not installed: no comparison)")
    if torch is not None:
        torch.manual_seed(0)
        torchvision_like, tensor_only = torch_datasets(torch, train.data.numpy(),
                                                       train.targets.numpy(), args.resize)
        theirs_loader = torch.utils.data.DataLoader(torchvision_like, batch_size=args.batch_size,
                                                    shuffle=True, num_workers=0)
        theirs, seen_t = best_time(lambda: one_pass(theirs_loader), max(1, args.repeat - 1))
        rows.append(("PyTorch DataLoader, torchvision-like per-item dataset", theirs, seen_t))
        if args.resize == 28:
            lean_loader = torch.utils.data.DataLoader(tensor_only, batch_size=args.batch_size,
                                                      shuffle=True, num_workers=0)
            rows.append(("PyTorch DataLoader, lean per-item dataset (no PIL)",
                         *best_time(lambda: one_pass(lean_loader), max(1, args.repeat - 1))))

    width = max(len(name) for name, _, _ in rows)
    for name, seconds, count in rows:
        print(f"  {name:<{width}}  {seconds * 1000:9.1f} ms  {count / seconds:12,.0f} images/s")
    if torch is not None:
        print(f"ratio (PyTorch torchvision-like / gradkit): {theirs / ours:.1f}x  (goal: >= 20x)")
        if args.resize == 28:
            print(f"ratio (PyTorch lean / gradkit): {rows[3][1] / ours:.1f}x")


if __name__ == "__main__":
    main()
