"""Run the book's own notebooks on gradkit in a real Jupyter kernel and report each one (issue 9).

Give it a folder of ``.ipynb`` files (e.g. the executed notebooks of d2l-ai/d2l-pytorch-colab or
d2l-ai/d2l-zh-pytorch-colab, fetched by you; none are shipped with gradkit). Each notebook runs
unmodified except for a first cell ``import gradkit.compat; gradkit.compat.install()`` and, if
asked, shorter trainings; Colab's ``!pip install`` lines are left out. It runs from a temporary
book folder whose ``../data`` holds the bundled Fashion-MNIST. Prints per notebook ``ok`` or the
first failing cell and its error, with the time.

    python benchmarks/run_book_notebooks.py /path/to/notebooks --epochs 1 --timeout 900
    python benchmarks/run_book_notebooks.py /path/to/en --real-d2l   # an installed d2l 1.0.3
    python benchmarks/run_book_notebooks.py /path/to/en --skip kaggle-house-price use-gpu
    python benchmarks/run_book_notebooks.py /path/to/en --pytorch    # the same on PyTorch itself
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from gradkit.compat._notebook import prepare_book_folder, run_notebook

#: How the chapters name their epoch counts (English ``max_epochs=10``, zh ``num_epochs = 10``).
EPOCH_NAMES = ("max_epochs", "num_epochs")

#: A tuple assignment on one line, ``lr, num_epochs = 0.1, 10`` (values split at commas below).
TUPLE_ASSIGNMENT = (r"(?m)^(?P<indent>[ \t]*)(?P<names>\w+(?:[ \t]*,[ \t]*\w+)+)[ \t]*=(?!=)"
                    r"[ \t]*(?P<values>[^\n#]+?)(?P<comment>[ \t]*#.*)?$")


def epoch_replacements(epochs: int | None) -> list[tuple[str, Any]]:
    """Regexes (with their replacements, a string or a function of the match, as ``re.sub``
    takes) that set every epoch count to ``epochs``; none when ``epochs`` is None.

    Example:
        >>> [re.sub(p, r, "lr, num_epochs = 0.1, 10") for p, r in epoch_replacements(1)][-1]
        'lr, num_epochs = 0.1, 1'
    """
    if epochs is None:
        return []
    def alone(match: re.Match) -> str:
        # In "batch_size, num_epochs = 256, 10" the digits after "=" are batch_size's:
        # tuple targets are left to in_tuple, which pairs names with values.
        line_start = match.string.rfind("\n", 0, match.start()) + 1
        if re.fullmatch(r"[ \t]*(\w+[ \t]*,[ \t]*)+", match.string[line_start:match.start()]):
            return match[0]
        return f"{match[1]}={epochs}"

    # Not "num_epochs = 0.1": a count is whole digits, not the start of a float.
    single = [(rf"\b({name})\s*=\s*\d+(?![\d.])", alone) for name in EPOCH_NAMES]

    def in_tuple(match: re.Match) -> str:
        names = [name.strip() for name in match["names"].split(",")]
        values = [value.strip() for value in match["values"].split(",")]
        if len(names) != len(values):  # a value with commas inside (a call, a tuple): leave it
            return match[0]
        counts = [str(epochs) if name in EPOCH_NAMES and value.isdigit() else value
                  for name, value in zip(names, values)]
        if counts == values:
            return match[0]
        return (f"{match['indent']}{', '.join(names)} = {', '.join(counts)}"
                f"{match['comment'] or ''}")

    return single + [(TUPLE_ASSIGNMENT, in_tuple)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of .ipynb files (searched recursively)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="replace max_epochs=N / num_epochs = N (also in tuple "
                             "assignments such as lr, num_epochs = 0.1, 10) by this number")
    parser.add_argument("--replace", nargs=2, action="append", default=[],
                        metavar=("PATTERN", "REPLACEMENT"), help="another regex on code cells")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per cell")
    parser.add_argument("--skip", nargs="*", default=[], help="notebook names to leave out")
    parser.add_argument("--real-d2l", action="store_true",
                        help="use the installed d2l package on gradkit, not gradkit.d2l")
    parser.add_argument("--pytorch", action="store_true",
                        help="run without the install cell, on the real PyTorch and d2l, to "
                             "compare times")
    args = parser.parse_args(argv)

    notebooks = sorted(p for p in args.folder.rglob("*.ipynb")
                       if p.stem not in args.skip and ".ipynb_checkpoints" not in p.parts)
    if not notebooks:
        print(f"no notebooks under {args.folder}", file=sys.stderr)
        return 2
    replace = epoch_replacements(args.epochs) + [tuple(pair) for pair in args.replace]
    failed = 0
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="book-") as root:
        for path in notebooks:
            # A fresh working folder per notebook: files one saves (read-write) stay its own.
            work = prepare_book_folder(Path(root) / path.stem)
            run = run_notebook(path, work, timeout=args.timeout, replace=replace,
                               d2l="package" if args.real_d2l else "gradkit",
                               install=not args.pytorch)
            total += run.seconds
            name = str(path.relative_to(args.folder))
            status = "ok" if run.ok else f"FAIL {run.failure}"
            print(f"{name:60s} {run.seconds:7.1f} s  {status}", flush=True)
            if not run.ok:
                failed += 1
    print(f"{len(notebooks) - failed}/{len(notebooks)} notebooks ran, {total:.0f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
