"""The command line: ``gradkit list``, ``gradkit run RECIPE``, ``gradkit evaluate RUN_DIR``.

Mistakes a user can make (unknown recipe, bad value, unwritable folder, missing data folder,
corrupt checkpoint) print one line and exit non-zero; Ctrl-C stops after saving what was
finished (exit 130).

Example:
    $ gradkit run softmax-concise --epochs 10
    $ gradkit evaluate runs/softmax-concise-20261123-101500
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

__all__ = ["main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradkit", description="Run the experiments of Dive into Deep Learning, "
        "chapters 3-4, on gradkit.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    commands.add_parser("list", help="list the recipes")
    run = commands.add_parser("run", help="train a recipe and write a run folder")
    run.add_argument("recipe", metavar="RECIPE", help="a recipe name (see 'gradkit list')")
    run.add_argument("--epochs", type=_positive_int, help="number of epochs")
    run.add_argument("--lr", type=_positive_float, help="learning rate")
    run.add_argument("--batch-size", type=_positive_int, help="minibatch size")
    run.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    run.add_argument("--data-dir", help="folder with the datasets (default: the bundled copy)")
    run.add_argument("--out", help="run folder (default runs/RECIPE-<time>)")
    run.add_argument("--quiet", action="store_true", help="no progress bars or epoch lines")
    evaluate = commands.add_parser("evaluate", help="reload a run's checkpoint and test it")
    evaluate.add_argument("run_dir", metavar="RUN_DIR", help="a folder made by 'gradkit run'")
    return parser


def _fail(message: str, code: int = 1) -> int:
    print(f"gradkit: error: {message}", file=sys.stderr)
    return code


def _list() -> int:
    from . import recipes

    for recipe in recipes.all_recipes():
        defaults = recipe.DEFAULTS
        print(f"{recipe.NAME:<16} D2L {recipe.SECTION:<13} {recipe.SUMMARY} "
              f"[epochs {defaults['epochs']}, lr {defaults['lr']}, "
              f"batch {defaults['batch_size']}]")
    return 0


def _run_dir(recipe: str, out: str | None) -> Path:
    if out is not None:
        path = Path(out)
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = Path("runs") / f"{recipe}-{stamp}"
        suffix = 2
        while path.exists():
            path = Path("runs") / f"{recipe}-{stamp}-{suffix}"
            suffix += 1
    if path.exists() and not path.is_dir():
        raise OSError(f"'{path}' exists and is not a folder")
    path.mkdir(parents=True, exist_ok=True)
    probe = path / ".write-test"
    probe.write_bytes(b"")  # fail now, not after training, if the folder is not writable
    probe.unlink()
    return path


def _run(args: argparse.Namespace) -> int:
    from . import recipes
    from .recipes.base import Config
    from .recipes.runner import RunError, run

    try:
        recipe = recipes.get(args.recipe)
    except KeyError as error:
        return _fail(f"{error.args[0]} (see 'gradkit list')", 2)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        return _fail(f"data folder '{args.data_dir}' does not exist")
    try:
        run_dir = _run_dir(recipe.NAME, args.out)
    except OSError as error:
        return _fail(f"cannot write the run folder: {error}")
    config = Config(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed,
                    data_dir=args.data_dir)
    try:
        run(recipe, config, run_dir, quiet=args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the finished epochs are saved in {run_dir}", file=sys.stderr)
        return 130
    except (RunError, OSError) as error:
        return _fail(str(error))
    print(f"saved to {run_dir}/ (metrics.json, model.safetensors, curves.png"
          + (", predictions.png)" if recipe.TASK == "classification" else ")"))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .recipes.runner import RunError, evaluate

    try:
        result = evaluate(Path(args.run_dir))
    except RunError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130
    if any("figure" in e for e in result["experiments"]):
        print(f"confusion matrix saved to {Path(args.run_dir) / 'confusion.png'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gradkit`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "run":
        return _run(args)
    return _evaluate(args)


if __name__ == "__main__":
    sys.exit(main())
