"""The book's notebooks executed in Jupyter on gradkit and on PyTorch + d2l, side by side (issue 10).

Each notebook of the given folders runs in a real kernel through nbclient twice per repeat:
  * on gradkit: a kernel of this Python (the worktree's ``src`` first on its path) with the cell
    ``import gradkit.compat; gradkit.compat.install()`` put in front, so the book's
    ``import torch`` / ``from d2l import torch as d2l`` import gradkit;
  * on PyTorch: a kernel of a separate benchmark venv (``--torch-python``) holding torch,
    torchvision and the real d2l; the English notebooks use its d2l 1.0.3, the Chinese ones
    (a folder named ``zh``) d2l 2.0.0 from ``--zh-d2l`` (a ``pip install --target`` folder put
    first on the kernel's PYTHONPATH).
The libraries alternate per notebook; the script prints each notebook's median wall time (kernel
start included: a reader waits for it too), the ratio gradkit / PyTorch, the figures each run
left in its outputs, and the totals. Never run in CI: the venv is large and the runs are long.

The notebooks themselves are the book's (not part of the repository). They run in a scratch
folder whose ``../data/FashionMNIST/raw`` holds the bundled Fashion-MNIST, uncompressed, where
torchvision finds it without downloading (the book's ``root="../data"``).

Setup of the venv (once, outside the repository):
    python -m venv /work/benchvenv
    /work/benchvenv/bin/pip install torch==2.14.1 torchvision==0.29.1 ipykernel matplotlib pandas
    /work/benchvenv/bin/pip install --no-deps d2l==1.0.3    # + its imports: requests, scipy
    /work/benchvenv/bin/pip install --no-deps --target /work/benchvenv-d2l-zh d2l==2.0.0
Run:
    python benchmarks/bench_notebooks.py /work/booknb/zh /work/booknb/en [--only weight-decay]
        [--repeats 1] [--torch-python /work/benchvenv/bin/python] [--timeout 1800]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_memory import lay_out_data  # noqa: E402  (the same data layout)

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
INSTALL_CELL = "import gradkit.compat; gradkit.compat.install()"


def lay_out_work(work: Path) -> Path:
    """``work/notebooks`` as the notebooks' folder, with ``../data`` beside it holding the
    bundled Fashion-MNIST as torchvision expects it."""
    lay_out_data(work / "data")
    cwd = work / "notebooks"
    cwd.mkdir(exist_ok=True)
    return cwd


def write_kernel(kernels: Path, name: str, python: str, pythonpath: Optional[str]) -> None:
    """A kernelspec ``name`` (under a JUPYTER_PATH folder) running ipykernel in ``python``."""
    folder = kernels / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    env = {"MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    spec = {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": name, "language": "python", "env": env}
    (folder / "kernel.json").write_text(json.dumps(spec))


def run_notebook(path: Path, kernel: str, cwd: Path, prepend: Optional[str], timeout: int
                 ) -> tuple[float, int, Optional[str]]:
    """(seconds, figures in the outputs, error or None) of one execution."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    if prepend:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(prepend))
    client = NotebookClient(notebook, kernel_name=kernel, timeout=timeout,
                            resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:120]}"
    seconds = time.perf_counter() - start
    figures = sum(1 for cell in notebook.cells for out in cell.get("outputs", [])
                  if any(k.startswith("image/") for k in out.get("data", {})))
    return seconds, figures, error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path,
                        help="folders of .ipynb (a folder named 'zh' holds the Chinese edition)")
    parser.add_argument("--only", nargs="*", default=None, help="notebook names to run")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--torch-python", default="/work/benchvenv/bin/python")
    parser.add_argument("--zh-d2l", default="/work/benchvenv-d2l-zh",
                        help="folder holding d2l 2.0.0 for the Chinese notebooks")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    if not Path(args.torch_python).exists():
        sys.exit(f"no benchmark venv at {args.torch_python} (see this script's docstring)")

    notebooks = [p for folder in args.folders for p in sorted(folder.glob("*.ipynb"))
                 if args.only is None or p.stem in args.only]
    if not notebooks:
        sys.exit("no notebooks found")
    with tempfile.TemporaryDirectory(prefix="gradkit-bench-nb-") as scratch:
        work = Path(scratch)
        cwd = lay_out_work(work)
        existing = os.environ.get("PYTHONPATH")
        ours = os.pathsep.join([str(SRC)] + ([existing] if existing else []))
        write_kernel(work / "jupyter", "bench-gradkit", sys.executable, ours)
        write_kernel(work / "jupyter", "bench-torch-en", args.torch_python, None)
        write_kernel(work / "jupyter", "bench-torch-zh", args.torch_python, args.zh_d2l)
        os.environ["JUPYTER_PATH"] = str(work / "jupyter")

        load = os.getloadavg()[0]
        print(f"{len(notebooks)} notebooks, median of {args.repeats}; "
              f"{os.cpu_count()} CPUs, load average {load:.2f} at start")
        print(f"{'notebook':<36}{'gradkit s':>10}{'PyTorch s':>11}{'ratio':>7}  figures  notes")
        totals = [0.0, 0.0]
        for path in notebooks:
            edition = "zh" if path.parent.name == "zh" else "en"
            runs = {"gradkit": ("bench-gradkit", INSTALL_CELL),
                    "torch": (f"bench-torch-{edition}", None)}
            times: dict[str, list[float]] = {name: [] for name in runs}
            figures: dict[str, int] = {}
            errors: list[str] = []
            for _ in range(args.repeats):
                for name, (kernel, prepend) in runs.items():
                    seconds, count, error = run_notebook(path, kernel, cwd, prepend,
                                                         args.timeout)
                    times[name].append(seconds)
                    figures[name] = count
                    if error:
                        errors.append(f"{name}: {error}")
            ours_s, theirs_s = (statistics.median(times["gradkit"]),
                                statistics.median(times["torch"]))
            totals[0] += ours_s
            totals[1] += theirs_s
            label = f"{edition}/{path.stem}"
            print(f"{label:<36}{ours_s:>10.1f}{theirs_s:>11.1f}{ours_s / theirs_s:>7.2f}  "
                  f"{figures['gradkit']:>3}/{figures['torch']:<3}  {'; '.join(errors)}",
                  flush=True)
        print(f"{'total':<36}{totals[0]:>10.1f}{totals[1]:>11.1f}{totals[0] / totals[1]:>7.2f}")
        print(f"load average at the end {os.getloadavg()[0]:.2f}; ratio = gradkit / PyTorch; "
              "figures = image outputs, gradkit/PyTorch")


if __name__ == "__main__":
    main()
