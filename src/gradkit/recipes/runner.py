"""Run a recipe end to end: seeded training with a progress bar and a line per epoch, then the
run folder (``metrics.json``, ``model.safetensors``, ``curves.png``, ``predictions.png``); and
``evaluate`` a finished run (test and per-class accuracy, ``confusion.png``).

The training loop is the book's: ``d2l.train_epoch_ch3`` for the Chinese edition's recipes,
``d2l.Trainer.fit_epoch`` for the English edition's (``en-*``), with
``d2l.evaluate_accuracy`` (classification) or ``d2l.evaluate_loss`` (regression) after each
epoch. Metrics and the checkpoint are written after every epoch, atomically, so an interrupted
run (Ctrl-C) keeps everything it finished.

Example:
    >>> result = run(recipes.get("softmax-concise"), Config(epochs=1), Path("runs/demo"))
    >>> result["final"]["test_acc"]
    0.79
"""
from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator, TextIO

import numpy as np

import gradkit

from .. import d2l
from ..autograd.grad_mode import no_grad
from .._fileio import atomic_write
from .base import Config, Experiment

__all__ = ["run", "evaluate", "read_metrics", "seed_everything", "write_json", "describe_error",
           "RunError", "RUN_FILES"]


class RunError(Exception):
    """A problem the user can fix (bad run folder, missing or corrupt files): one clear line."""


def seed_everything(seed: int) -> None:
    """Seed gradkit, NumPy and Python's ``random`` so the same seed gives the same numbers
    (with BLAS threads that do not follow the machine's load)."""
    gradkit.use_deterministic_algorithms(True)
    gradkit.manual_seed(seed)
    np.random.seed(seed % 2 ** 32)
    random.seed(seed)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON atomically (temp file + rename): readers never see half a file."""
    def write(temp: str) -> None:
        with open(temp, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2)

    atomic_write(path, write)


def _progress(iterable: Iterable[Any], description: str, quiet: bool) -> Iterable[Any]:
    """``iterable`` with a tqdm progress bar (on stderr), or the iterable itself when quiet or
    when tqdm is not installed.

    The bar is only told how far the loop got; it never touches the iterable. (``tqdm.auto``
    calls ``iter()`` on what it wraps as soon as it is made, and ``for`` calls it again: a
    shuffling DataLoader would then start two passes, draw two seeds, and a run with a progress
    bar would train on another order than the same run with ``--quiet``.)
    """
    if quiet:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    class Bar(tqdm):  # type: ignore[misc, valid-type]
        def __del__(self) -> None:
            # Ctrl-C inside tqdm's __init__ leaves an object without `pos`, whose __del__
            # would print a traceback under the one-line "interrupted" message.
            if hasattr(self, "pos"):
                super().__del__()

    total = len(iterable) if hasattr(iterable, "__len__") else None  # type: ignore[arg-type]
    return _counted(iterable, Bar(total=total, desc=description, leave=False, unit="batch",
                                  dynamic_ncols=True))


def _counted(iterable: Iterable[Any], bar: Any) -> Iterator[Any]:
    try:
        for item in iterable:
            yield item
            bar.update(1)
    finally:
        bar.close()


def _checkpoint(experiments: list[Experiment]) -> dict[str, Any]:
    """The tensors of every experiment, prefixed by its name when there are several."""
    state: dict[str, Any] = {}
    for experiment in experiments:
        prefix = f"{experiment.name}." if len(experiments) > 1 else ""
        for key, tensor in experiment.parameters().items():
            state[prefix + key] = tensor.detach()
    return state


def _load_checkpoint(experiments: list[Experiment], path: Path) -> None:
    """Copy a run's ``model.safetensors`` into freshly built experiments (in place)."""
    if not path.is_file():
        raise RunError(f"no checkpoint in the run folder: '{path}' is missing")
    try:
        state = gradkit.load(path)
    except (RuntimeError, OSError) as error:
        raise RunError(f"cannot read the checkpoint: {describe_error(error)}") from None
    with no_grad():
        for experiment in experiments:
            prefix = f"{experiment.name}." if len(experiments) > 1 else ""
            for key, target in experiment.parameters().items():
                value = state.get(prefix + key)
                if value is None or tuple(value.shape) != tuple(target.shape):
                    raise RunError(f"the checkpoint '{path}' does not match the recipe: "
                                   f"'{prefix + key}' is missing or has another shape")
                target.copy_(value)


def _epoch(experiment: Experiment, epoch: int, epochs: int, quiet: bool) -> dict[str, Any]:
    """Train one epoch and evaluate; returns the epoch's record."""
    start = time.perf_counter()
    label = f"{experiment.name} " if experiment.name else ""
    batches = _progress(experiment.train_iter, f"{label}epoch {epoch}/{epochs}", quiet)
    if experiment.train_epoch is not None:  # the English edition's Trainer
        train_loss, train_acc = experiment.train_epoch(batches)
    else:
        train_loss, train_acc = d2l.train_epoch_ch3(experiment.net, batches, experiment.loss,
                                                    experiment.updater)
    record: dict[str, Any] = {"epoch": epoch, "train_loss": train_loss}
    if experiment.task == "classification":
        record["train_acc"] = train_acc
        record["test_acc"] = d2l.evaluate_accuracy(experiment.net, experiment.test_iter)
    else:
        with no_grad():
            record["test_loss"] = d2l.evaluate_loss(experiment.net, experiment.test_iter,
                                                    experiment.loss)
    record["seconds"] = time.perf_counter() - start
    return record


def _epoch_line(experiment: Experiment, record: dict[str, Any], epochs: int) -> str:
    name = f"[{experiment.name}] " if experiment.name else ""
    parts = [f"{name}epoch {record['epoch']:>{len(str(epochs))}}/{epochs}",
             f"train loss {record['train_loss']:.6f}" if experiment.task == "regression"
             else f"train loss {record['train_loss']:.4f}"]
    if "train_acc" in record:
        parts.append(f"train acc {record['train_acc']:.4f}")
        parts.append(f"test acc {record['test_acc']:.4f}")
    if "test_loss" in record:
        parts.append(f"test loss {record['test_loss']:.6f}")
    parts.append(f"{record['seconds']:.2f} s")
    return "  ".join(parts)


def _versions() -> dict[str, str]:
    return {"gradkit": gradkit.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def run(recipe: ModuleType, config: Config, run_dir: Path, quiet: bool = False,
        out: TextIO | None = None) -> dict[str, Any]:
    """Train ``recipe`` with ``config`` and write the run folder; returns the metrics.

    Args:
        out: where the epoch lines go; ``sys.stdout`` as it is at the call (so that
            ``contextlib.redirect_stdout`` and notebooks' capture work).

    Raises:
        KeyboardInterrupt: after saving what was finished (``metrics["interrupted"]``).
    """
    out = sys.stdout if out is None else out
    config = config.with_defaults(recipe.DEFAULTS)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)  # before training: fail early, not after it
    for name in RUN_FILES:  # a previous run's files in this folder would describe another model
        (run_dir / name).unlink(missing_ok=True)
    seed_everything(config.seed)
    started = time.perf_counter()
    experiments = _build(recipe, config)
    metrics: dict[str, Any] = {
        "recipe": recipe.NAME, "section": recipe.SECTION, "task": recipe.TASK,
        "config": config.as_dict(), "data": _data_source(experiments),
        "versions": _versions(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "interrupted": False,
        "experiments": [{"name": e.name, "history": []} for e in experiments],
    }
    print(f"{recipe.NAME} (D2L {recipe.SECTION}): {recipe.SUMMARY}", file=out)
    print(f"epochs {config.epochs}, lr {config.lr}, batch size {config.batch_size}, "
          f"seed {config.seed} -> {run_dir}", file=out)
    if config.data_dir is not None and metrics["data"] == BUNDLED:
        print(f"(no dataset files under '{config.data_dir}': using the bundled copy)", file=out)
    out.flush()  # shown before the first epoch, even when stdout is a pipe
    saved = False  # a checkpoint of this run is on disk
    training = True  # the models are between two finished epochs
    try:
        for experiment, record in zip(experiments, metrics["experiments"]):
            for epoch in range(1, config.epochs + 1):
                training = True
                entry = _epoch(experiment, epoch, config.epochs, quiet)
                training = False
                record["history"].append(entry)
                _save_progress(run_dir, metrics, experiments, started)
                saved = True
                if not quiet:  # once printed, an epoch is saved
                    print(_epoch_line(experiment, entry, config.epochs), file=out, flush=True)
    except KeyboardInterrupt:
        metrics["interrupted"] = True
        if training and saved:
            # Stopped mid-epoch: the checkpoint holds the last finished epoch, and the final
            # figures and plots must describe that model, not a half-trained one.
            _load_checkpoint(experiments, run_dir / "model.safetensors")
        # Stopped between epochs (while saving), the models are the history's last epoch.
        _finish(run_dir, metrics, experiments, started, recipe,
                checkpoint=saved or not training)
        raise
    _finish(run_dir, metrics, experiments, started, recipe)
    _print_final(metrics, out)
    return metrics


#: What a run folder holds.
RUN_FILES = ("metrics.json", "model.safetensors", "curves.png", "predictions.png",
             "confusion.png")
BUNDLED = "bundled copy"


def _build(recipe: ModuleType, config: Config) -> list[Experiment]:
    """The recipe's experiments; a dataset that cannot be read is the user's to fix (a damaged
    file in ``--data-dir``), so it becomes one clear line, not a traceback."""
    try:
        return recipe.build(config)
    except (OSError, RuntimeError) as error:
        raise RunError(f"cannot load the data of {recipe.NAME}: {describe_error(error)}") \
            from None


def describe_error(error: BaseException) -> str:
    """An exception as one line: OSErrors as "reason: 'path'" rather than "[Errno 2] ..."."""
    if isinstance(error, OSError) and error.strerror:
        where = f": '{error.filename}'" if error.filename else ""
        return f"{error.strerror}{where}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _data_source(experiments: list[Experiment]) -> str | None:
    """Where the datasets were read from: a folder, the bundled copy, or None (synthetic)."""
    for experiment in experiments:
        source = getattr(getattr(experiment.train_iter, "dataset", None), "source", None)
        if source is not None:
            return source
    return None


def _save_progress(run_dir: Path, metrics: dict[str, Any], experiments: list[Experiment],
                   started: float, checkpoint: bool = True) -> None:
    metrics["timings"] = _timings(metrics, started)
    if checkpoint:
        gradkit.save(_checkpoint(experiments), run_dir / "model.safetensors")
    write_json(run_dir / "metrics.json", metrics)


def _timings(metrics: dict[str, Any], started: float) -> dict[str, Any]:
    epoch_seconds = [r["seconds"] for e in metrics["experiments"] for r in e["history"]]
    return {"total_seconds": time.perf_counter() - started, "epoch_seconds": epoch_seconds,
            "mean_epoch_seconds": float(np.mean(epoch_seconds)) if epoch_seconds else None}


def _finish(run_dir: Path, metrics: dict[str, Any], experiments: list[Experiment],
            started: float, recipe: ModuleType, checkpoint: bool = True) -> None:
    """Final figures, checkpoint, metrics and plots (also after an interruption, where
    ``checkpoint`` False means no epoch finished: there is no model worth saving or drawing)."""
    for experiment, record in zip(experiments, metrics["experiments"]):
        final = dict(record["history"][-1]) if record["history"] else {}
        final.pop("seconds", None)
        if checkpoint:
            final.update(experiment.summary())
        record["final"] = final
    metrics["final"] = (metrics["experiments"][0]["final"] if len(experiments) == 1 else
                        {e["name"]: e["final"] for e in metrics["experiments"]})
    _save_progress(run_dir, metrics, experiments, started, checkpoint)
    if not checkpoint:
        return
    try:
        from . import figures

        figures.curves(metrics, run_dir / "curves.png")
        if recipe.TASK == "classification" and experiments[0].test_iter is not None:
            figures.predictions(experiments[0], run_dir / "predictions.png")
    except ImportError as error:  # matplotlib is optional: the numbers are already saved
        print(f"(no figures: {error})", file=sys.stderr)


def _print_final(metrics: dict[str, Any], out: TextIO) -> None:
    for record in metrics["experiments"]:
        final = record["final"]
        name = f"[{record['name']}] " if record["name"] else ""
        if "test_acc" in final:
            print(f"{name}final: train loss {final['train_loss']:.4f}, train acc "
                  f"{final['train_acc']:.4f}, test acc {final['test_acc']:.4f}", file=out)
        if "w" in final:
            print(f"{name}estimated w {_fmt(final['w'])}, b {final['b']:.4f} "
                  f"(true w {_fmt(final['true_w'])}, b {final['true_b']})", file=out)
            print(f"{name}error in w {_fmt(final['w_error'])}, in b {final['b_error']:.2e}",
                  file=out)
            print(f"{name}closed-form least squares: w {_fmt(final['closed_form_w'])}, b "
                  f"{final['closed_form_b']:.4f}", file=out)
        if "w_l2_norm" in final:
            print(f"{name}L2 norm of w: {final['w_l2_norm']:.4f} (train loss "
                  f"{final['train_loss']:.6f}, test loss {final['test_loss']:.6f})", file=out)
        if not np.isfinite(record["final"].get("train_loss", 0.0)):
            print(f"{name}the loss diverged (it is not a finite number): try a smaller --lr",
                  file=out)
    print(f"total {metrics['timings']['total_seconds']:.1f} s", file=out)


def _fmt(values: Iterable[float]) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


def read_metrics(run_dir: Path) -> dict[str, Any]:
    """A run's ``metrics.json``, validated."""
    path = run_dir / "metrics.json"
    if not run_dir.is_dir():
        raise RunError(f"no run folder at '{run_dir}'")
    if not path.is_file():
        raise RunError(f"'{run_dir}' is not a run folder: metrics.json is missing")
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunError(f"'{path}' is corrupt: {error}") from None
    except OSError as error:
        raise RunError(f"cannot read '{path}': {describe_error(error)}") from None
    if (not isinstance(metrics, dict) or not isinstance(metrics.get("recipe"), str)
            or not isinstance(metrics.get("config"), dict)):
        raise RunError(f"'{path}' is not a gradkit run's metrics (no recipe/config)")
    problem = _config_problem(metrics["config"])
    if problem:
        raise RunError(f"'{path}' is corrupt: {problem}")
    return metrics


def _config_problem(config: dict[str, Any]) -> str | None:
    """What is wrong with a run's saved config, if anything (it rebuilds the recipe)."""
    def whole(value: Any, least: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= least

    checks = {
        "epochs": lambda v: v is None or whole(v, 1),
        "batch_size": lambda v: v is None or whole(v, 1),
        "seed": lambda v: whole(v, 0),
        "lr": lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)
                                      and 0 < v < float("inf")),
        "data_dir": lambda v: v is None or isinstance(v, str),
    }
    for key, ok in checks.items():
        if key in config and not ok(config[key]):
            return f"config {key} = {config[key]!r} is not valid"
    return None


def evaluate(run_dir: Path, out: TextIO | None = None,
             get_recipe: Callable[[str], ModuleType] | None = None) -> dict[str, Any]:
    """Reload a run's checkpoint and measure it on the test set.

    Classification: test accuracy, per-class accuracy and ``confusion.png``; regression: the
    test loss and the recipe's final figures.
    """
    from . import get

    out = sys.stdout if out is None else out
    run_dir = Path(run_dir)
    metrics = read_metrics(run_dir)
    try:
        recipe = (get_recipe or get)(metrics["recipe"])
    except KeyError as error:
        raise RunError(str(error.args[0])) from None
    config = Config(**{k: v for k, v in metrics["config"].items()
                       if k in Config.__dataclass_fields__})
    checkpoint = run_dir / "model.safetensors"
    if not checkpoint.is_file() and metrics.get("interrupted"):
        raise RunError(f"the run in '{run_dir}' was interrupted before its first epoch "
                       "finished: there is no model to evaluate")
    seed_everything(config.seed)
    experiments = _build(recipe, config)
    _load_checkpoint(experiments, checkpoint)
    result: dict[str, Any] = {"recipe": recipe.NAME, "experiments": []}
    for experiment in experiments:
        name = f"[{experiment.name}] " if experiment.name else ""
        if experiment.task == "classification":
            confusion = confusion_matrix(experiment)
            correct = np.diag(confusion)
            per_class = correct / np.maximum(confusion.sum(axis=1), 1)
            accuracy = float(correct.sum() / confusion.sum())
            labels = list(experiment.labels or range(len(confusion)))
            print(f"{name}test accuracy {accuracy:.4f} ({int(correct.sum())}/"
                  f"{int(confusion.sum())})", file=out)
            for label, value in zip(labels, per_class):
                print(f"  {str(label):<12} {value:.4f}", file=out)
            entry = {"name": experiment.name, "test_acc": accuracy,
                     "per_class_acc": dict(zip(map(str, labels), per_class.tolist())),
                     "confusion": confusion.tolist()}
            try:
                from . import figures

                figures.confusion(confusion, labels, run_dir / "confusion.png")
                entry["figure"] = str(run_dir / "confusion.png")
            except ImportError as error:
                print(f"(no figure: {error})", file=sys.stderr)
        else:
            with no_grad():
                test_loss = d2l.evaluate_loss(experiment.net, experiment.test_iter,
                                              experiment.loss)
            entry = {"name": experiment.name, "test_loss": test_loss, **experiment.summary()}
            print(f"{name}test loss {test_loss:.6f}", file=out)
            if "w" in entry:
                print(f"{name}w {_fmt(entry['w'])}, b {entry['b']:.4f} (true w "
                      f"{_fmt(entry['true_w'])}, b {entry['true_b']})", file=out)
            if "w_l2_norm" in entry:
                print(f"{name}L2 norm of w: {entry['w_l2_norm']:.4f}", file=out)
        result["experiments"].append(entry)
    return result


def confusion_matrix(experiment: Experiment) -> np.ndarray:
    """Counts of (true class, predicted class) over the test set."""
    n = len(experiment.labels) if experiment.labels else 10
    counts = np.zeros((n, n), dtype=np.int64)
    if isinstance(experiment.net, gradkit.nn.Module):
        experiment.net.eval()
    with no_grad():
        for X, y in experiment.test_iter:
            predicted = experiment.net(X).argmax(axis=1).numpy()
            np.add.at(counts, (y.numpy(), predicted), 1)
    return counts
