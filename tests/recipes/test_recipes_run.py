"""Every recipe, run end to end through the runner on a subset of its data: the figures move
the right way, the run folder holds what the issue promises, ``evaluate`` reloads it, and the
same seed gives the same numbers, bit for bit."""
from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gradkit
from gradkit import recipes
from gradkit.recipes import runner
from gradkit.recipes.base import Config

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CLASSIFIERS = ["softmax-scratch", "softmax-concise", "mlp-scratch", "mlp-concise", "dropout",
               "digits"]
REGRESSIONS = ["linreg-scratch", "linreg-concise", "weight-decay"]
#: Epochs in the tests: 3 x 40 batches of the subset, or (regression) the book's few hundred
#: steps: linear regression's default 3 epochs x 100 batches, weight decay's 40 x 4 batches x 2.
TEST_EPOCHS = {"linreg-scratch": None, "linreg-concise": None, "weight-decay": 40}

#: The checkpoint of each recipe: tensor names and shapes.
CHECKPOINTS = {
    "linreg-scratch": {"w": (2, 1), "b": (1,)},
    "linreg-concise": {"0.weight": (1, 2), "0.bias": (1,)},
    "softmax-scratch": {"W": (784, 10), "b": (10,)},
    "softmax-concise": {"1.weight": (10, 784), "1.bias": (10,)},
    "mlp-scratch": {"W1": (784, 256), "b1": (256,), "W2": (256, 10), "b2": (10,)},
    "mlp-concise": {"1.weight": (256, 784), "1.bias": (256,), "3.weight": (10, 256),
                    "3.bias": (10,)},
    "dropout": {"1.weight": (256, 784), "1.bias": (256,), "4.weight": (256, 256),
                "4.bias": (256,), "7.weight": (10, 256), "7.bias": (10,)},
    "digits": {"1.weight": (256, 784), "1.bias": (256,), "3.weight": (10, 256),
               "3.bias": (10,)},
    "weight-decay": {f"lambda={wd}.0.{p}": s for wd in (0, 3)
                     for p, s in (("weight", (1, 200)), ("bias", (1,)))},
}


def run_recipe(name: str, run_dir: Path, seed: int = 0) -> tuple[dict[str, Any], str]:
    out = io.StringIO()
    metrics = runner.run(recipes.get(name), Config(epochs=TEST_EPOCHS.get(name, 3), seed=seed),
                         run_dir, quiet=True, out=out)
    return metrics, out.getvalue()


def without_timings(value: Any) -> Any:
    """The metrics minus what depends on the clock."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if k not in ("seconds", "timings", "created")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each recipe's run folder and printed output, made once (by the first test needing it)."""
    return {}


@pytest.fixture
def run_of(runs, small_data, tmp_path_factory):
    def get(name: str) -> tuple[Path, dict[str, Any], str]:
        if name not in runs:
            run_dir = tmp_path_factory.mktemp(name) / "run"
            metrics, printed = run_recipe(name, run_dir)
            runs[name] = (run_dir, metrics, printed)
        return runs[name]
    return get


# -- the run folder -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CLASSIFIERS + REGRESSIONS)
def test_run_folder_contents_and_metrics_schema(run_of, name):
    run_dir, metrics, printed = run_of(name)
    recipe = recipes.get(name)
    expected_files = {"metrics.json", "model.safetensors", "curves.png"}
    if recipe.TASK == "classification":
        expected_files.add("predictions.png")
    assert {p.name for p in run_dir.iterdir()} == expected_files  # no temp files left
    for figure in expected_files - {"metrics.json", "model.safetensors"}:
        assert (run_dir / figure).read_bytes()[:8] == PNG_MAGIC, figure

    saved = json.loads((run_dir / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    assert saved["recipe"] == name and saved["section"] == recipe.SECTION
    assert saved["task"] == recipe.TASK and saved["interrupted"] is False
    epochs = TEST_EPOCHS.get(name, 3) or recipe.DEFAULTS["epochs"]
    assert saved["config"] == {"epochs": epochs, "lr": recipe.DEFAULTS["lr"],
                               "batch_size": recipe.DEFAULTS["batch_size"], "seed": 0,
                               "data_dir": None}
    assert saved["versions"]["gradkit"] == gradkit.__version__
    assert saved["versions"]["numpy"] == np.__version__
    assert isinstance(saved["created"], str)
    names = [e["name"] for e in saved["experiments"]]
    assert names == (["lambda=0", "lambda=3"] if name == "weight-decay" else [""])
    keys = ({"epoch", "train_loss", "train_acc", "test_acc", "seconds"}
            if recipe.TASK == "classification" else {"epoch", "train_loss", "test_loss",
                                                     "seconds"})
    for experiment in saved["experiments"]:
        history = experiment["history"]
        assert [h["epoch"] for h in history] == list(range(1, epochs + 1))
        assert all(set(h) == keys for h in history)
        assert all(np.isfinite(h["train_loss"]) and h["seconds"] > 0 for h in history)
        final = experiment["final"]
        assert {k: final[k] for k in keys - {"seconds"}} == \
            {k: history[-1][k] for k in keys - {"seconds"}}
    timings = saved["timings"]
    assert len(timings["epoch_seconds"]) == epochs * len(names)
    assert timings["total_seconds"] >= sum(timings["epoch_seconds"])
    assert timings["mean_epoch_seconds"] == pytest.approx(np.mean(timings["epoch_seconds"]))
    if len(names) == 1:
        assert saved["final"] == saved["experiments"][0]["final"]
    else:
        assert saved["final"] == {e["name"]: e["final"] for e in saved["experiments"]}
    assert printed.splitlines()[0].startswith(f"{name} (D2L {recipe.SECTION}): ")
    assert printed.splitlines()[-1].startswith("total ")


@pytest.mark.parametrize("name", CLASSIFIERS + REGRESSIONS)
def test_checkpoint_loads_in_gradkit_and_as_plain_safetensors(run_of, name):
    run_dir, metrics, _ = run_of(name)
    state = gradkit.load(run_dir / "model.safetensors")
    assert {k: tuple(v.shape) for k, v in state.items()} == CHECKPOINTS[name]
    assert all(v.dtype == gradkit.float32 for v in state.values())
    from safetensors.numpy import load_file

    plain = load_file(str(run_dir / "model.safetensors"))
    for key, value in state.items():
        np.testing.assert_array_equal(plain[key], value.numpy())
    if name.startswith("linreg"):  # the checkpoint is the trained model the figures describe
        w = state["w"] if "w" in state else state["0.weight"]
        b = state["b"] if "b" in state else state["0.bias"]
        np.testing.assert_allclose(w.numpy().reshape(-1), metrics["final"]["w"], rtol=1e-7)
        assert float(b) == pytest.approx(metrics["final"]["b"], rel=1e-7)
    if name == "weight-decay":
        for wd in (0, 3):
            norm = float(np.linalg.norm(state[f"lambda={wd}.0.weight"].numpy()))
            assert norm == pytest.approx(metrics["final"][f"lambda={wd}"]["w_l2_norm"], rel=1e-5)


# -- the figures move the right way ------------------------------------------------------------
@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifiers_learn(run_of, name):
    _, metrics, printed = run_of(name)
    history = metrics["experiments"][0]["history"]
    losses = [h["train_loss"] for h in history]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 0.75 * losses[0], losses
    assert losses[0] < np.log(10) + 0.1  # starts near chance: log(10)
    final = metrics["final"]
    assert final["train_acc"] > 0.5 and final["test_acc"] > 0.5  # chance is 0.1
    assert f"test acc {final['test_acc']:.4f}" in printed


@pytest.mark.parametrize("name", ["linreg-scratch", "linreg-concise"])
def test_linear_regression_finds_the_true_parameters(run_of, name):
    _, metrics, printed = run_of(name)
    final = metrics["final"]
    assert final["true_w"] == [2.0, -3.4] and final["true_b"] == 4.2
    assert np.max(np.abs(final["w_error"])) < 2e-3 and abs(final["b_error"]) < 2e-3
    assert final["max_abs_error"] < 2e-3
    np.testing.assert_allclose(final["w_error"], np.subtract([2, -3.4], final["w"]))
    # the closed-form least-squares solution of 3.1.1.3 on the same data
    np.testing.assert_allclose(final["closed_form_w"], [2, -3.4], atol=2e-3)
    assert final["closed_form_b"] == pytest.approx(4.2, abs=2e-3)
    losses = [h["train_loss"] for h in metrics["experiments"][0]["history"]]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 1e-3
    assert final["test_loss"] < 1e-3
    assert "closed-form least squares: w [" in printed and "error in w [" in printed


def test_weight_decay_shrinks_the_weights(run_of):
    _, metrics, printed = run_of("weight-decay")
    plain, decayed = metrics["final"]["lambda=0"], metrics["final"]["lambda=3"]
    assert plain["weight_decay"] == 0 and decayed["weight_decay"] == 3
    assert decayed["w_l2_norm"] < 0.5 * plain["w_l2_norm"]
    assert decayed["test_loss"] < plain["test_loss"]
    for experiment in metrics["experiments"]:
        losses = [h["train_loss"] for h in experiment["history"]]
        assert losses[-1] < 0.1 * losses[0]
    assert "[lambda=3] L2 norm of w: " in printed


# -- evaluate -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CLASSIFIERS)
def test_evaluate_reloads_the_checkpoint(run_of, name, small_data):
    run_dir, metrics, _ = run_of(name)
    out = io.StringIO()
    result = runner.evaluate(run_dir, out=out)
    [entry] = result["experiments"]
    # the reloaded model scores what the run scored on the same test examples
    assert entry["test_acc"] == metrics["final"]["test_acc"]
    confusion = np.array(entry["confusion"])
    assert confusion.shape == (10, 10) and confusion.sum() == small_data[1]
    np.testing.assert_allclose(list(entry["per_class_acc"].values()),
                               np.diag(confusion) / confusion.sum(axis=1))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"test accuracy {entry['test_acc']:.4f} (")
    labels = recipes.get(name).LABELS if name == "digits" else gradkit.d2l.FASHION_MNIST_LABELS
    assert [line.split()[0] for line in lines[1:11]] == [str(label).split()[0]
                                                          for label in labels]
    assert (run_dir / "confusion.png").read_bytes()[:8] == PNG_MAGIC


@pytest.mark.parametrize("name", REGRESSIONS)
def test_evaluate_a_regression_run(run_of, name):
    run_dir, metrics, _ = run_of(name)
    out = io.StringIO()
    result = runner.evaluate(run_dir, out=out)
    for entry, record in zip(result["experiments"], metrics["experiments"]):
        assert entry["test_loss"] == pytest.approx(record["final"]["test_loss"], rel=1e-6)
        for key in ("w", "b", "w_l2_norm"):
            if key in record["final"]:
                assert entry[key] == pytest.approx(record["final"][key], rel=1e-6)
    assert "test loss" in out.getvalue()


# -- determinism ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", CLASSIFIERS + REGRESSIONS)
def test_same_seed_same_numbers_bit_for_bit(run_of, name, tmp_path):
    run_dir, _, _ = run_of(name)
    again, _ = run_recipe(name, tmp_path / "again")
    first = json.loads((run_dir / "metrics.json").read_text())
    second = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert json.dumps(without_timings(first)) == json.dumps(without_timings(second))
    a = gradkit.load(run_dir / "model.safetensors")
    b = gradkit.load(tmp_path / "again" / "model.safetensors")
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)


@pytest.mark.parametrize("name", ["linreg-scratch", "softmax-scratch", "dropout"])
def test_another_seed_gives_other_numbers(run_of, name, tmp_path):
    _, metrics, _ = run_of(name)
    other, _ = run_recipe(name, tmp_path / "other", seed=1)
    assert other["config"]["seed"] == 1
    assert other["experiments"][0]["history"][0]["train_loss"] != \
        metrics["experiments"][0]["history"][0]["train_loss"]


def test_run_files_get_the_permissions_of_any_new_file(run_of):
    """Not the owner-only mode of a temporary file: a run folder is often shared (a course
    server, a Docker volume). ``torch.save`` and ``open`` give ``0o666`` less the umask."""
    run_dir, _, _ = run_of("softmax-concise")
    umask = os.umask(0)
    os.umask(umask)
    for path in sorted(run_dir.iterdir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name
