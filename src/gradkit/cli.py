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
import os
import sys
import time
from pathlib import Path
from typing import NoReturn, Sequence

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


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (no usage block) and a pointer to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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


def _remove_if_empty(path: Path, created: bool) -> None:
    """Leave no empty run folder behind a run that failed before writing anything."""
    if created:
        try:
            path.rmdir()  # only succeeds if empty
        except OSError:
            pass


def _run_dir(recipe: str, out: str | None) -> tuple[Path, bool]:
    """The run folder, made and checked writable now (not after training); and whether it
    was made now."""
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
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    probe = path / ".write-test"
    try:
        probe.write_bytes(b"")  # fail now, not after training, if the folder is not writable
        probe.unlink()
    except OSError:
        _remove_if_empty(path, created)
        raise
    return path, created


def _run(args: argparse.Namespace) -> int:
    from . import recipes
    from .recipes.base import Config
    from .recipes.runner import RUN_FILES, RunError, describe_error, read_metrics, run

    try:
        recipe = recipes.get(args.recipe)
    except KeyError as error:
        return _fail(f"{error.args[0]} (see 'gradkit list')", 2)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        what = "is not a folder" if Path(args.data_dir).exists() else "does not exist"
        return _fail(f"data folder '{args.data_dir}' {what}")
    try:
        run_dir, created = _run_dir(recipe.NAME, args.out)
    except OSError as error:
        return _fail(f"cannot write the run folder: {describe_error(error)}")
    config = Config(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed,
                    data_dir=args.data_dir)
    try:
        run(recipe, config, run_dir, quiet=args.quiet)
    except KeyboardInterrupt:
        try:
            finished = sum(len(e["history"]) for e in read_metrics(run_dir)["experiments"])
        except RunError:
            finished = 0
        if finished:
            print(f"\ninterrupted: {finished} finished epoch{'s' * (finished > 1)} saved in "
                  f"{run_dir}", file=sys.stderr)
        else:
            # A run with no finished epoch has nothing to evaluate: leave no folder for it.
            for name in RUN_FILES:
                (run_dir / name).unlink(missing_ok=True)
            _remove_if_empty(run_dir, created)
            print("\ninterrupted before the first epoch finished: nothing saved",
                  file=sys.stderr)
        return 130
    except (RunError, OSError) as error:
        _remove_if_empty(run_dir, created)
        return _fail(describe_error(error))
    print(f"saved to {run_dir}/ (metrics.json, model.safetensors, curves.png"
          + (", predictions.png)" if recipe.TASK == "classification" else ")"))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from .recipes.runner import RunError, describe_error, evaluate

    try:
        result = evaluate(Path(args.run_dir))
    except (RunError, OSError) as error:
        return _fail(describe_error(error))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    if any("figure" in e for e in result["experiments"]):
        print(f"confusion matrix saved to {Path(args.run_dir) / 'confusion.png'}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gradkit`` command; returns the exit code.

    Example:
        >>> main(["run", "linreg-scratch", "--out", "runs/demo", "--quiet"])
        0
    """
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as exit:  # --help (0) or a usage error (2), already printed
            return exit.code if isinstance(exit.code, int) else 1
        if args.command == "list":
            return _list()
        if args.command == "run":
            return _run(args)
        return _evaluate(args)
    except KeyboardInterrupt:  # e.g. during the imports, before a command could handle it
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`gradkit list | head -1`): not an error worth a traceback.
        # Point stdout at devnull so that the interpreter's final flush does not fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
