"""The LeNet recipes (``lenet``, ``en-lenet``, ``digits-lenet``), end to end through the runner
on a short subset: the run folder, the checkpoint's names and shapes, the loss falling,
``evaluate`` reloading it, the same seed giving the same numbers. The full runs' accuracies are
in the README (the book's sigmoid LeNet stays near chance for its first few hundred steps, so a
subset cannot show them)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

import gradkit
from gradkit import d2l, recipes
from gradkit.recipes import digits_lenet, runner, toolkit
from gradkit.recipes.base import Config
from gradkit.utils import data

N_TRAIN, N_TEST, EPOCHS = 1536, 256, 2
CONV_SHAPES = {"0.weight": (6, 1, 5, 5), "0.bias": (6,), "3.weight": (16, 6, 5, 5),
               "3.bias": (16,), "7.weight": (120, 400), "7.bias": (120,),
               "9.weight": (84, 120), "9.bias": (84,), "11.weight": (10, 84), "11.bias": (10,)}
CHECKPOINTS = {"lenet": CONV_SHAPES, "digits-lenet": CONV_SHAPES,
               "en-lenet": {f"net.{k}": v for k, v in CONV_SHAPES.items()}}


_cache: dict = {}


def _loaders(name, batch_size):
    if name not in _cache:  # each full read decompresses ~30 MB: once per session
        from gradkit.vision import datasets, transforms

        cls = datasets.FashionMNIST if name == "fashion" else datasets.MNIST
        _cache[name] = [cls(root=None, train=train, transform=transforms.ToTensor())
                        for train in (True, False)]
    train, test = _cache[name]
    return (data.DataLoader(data.Subset(train, range(N_TRAIN)), batch_size, shuffle=True),
            data.DataLoader(data.Subset(test, range(N_TEST)), batch_size, shuffle=False))


@pytest.fixture
def tiny_data(monkeypatch):
    monkeypatch.setattr(d2l, "load_data_fashion_mnist",
                        lambda batch_size, resize=None, root="../data":
                        _loaders("fashion", batch_size))
    monkeypatch.setattr(digits_lenet, "load_mnist",
                        lambda batch_size, data_dir: _loaders("mnist", batch_size))
    original = toolkit.fashion_mnist_module

    def module(config):
        made = original(config)
        made.train = data.Subset(made.train, range(N_TRAIN))
        made.val = data.Subset(made.val, range(N_TEST))
        return made

    monkeypatch.setattr(toolkit, "fashion_mnist_module", module)


def run(name: str, run_dir: Path, seed: int = 0):
    out = io.StringIO()
    metrics = runner.run(recipes.get(name), Config(epochs=EPOCHS, seed=seed), run_dir,
                         quiet=True, out=out)
    return metrics, out.getvalue()


@pytest.mark.parametrize("name", ["lenet", "en-lenet", "digits-lenet"])
def test_lenet_recipe_runs_saves_and_reloads(name, tmp_path, tiny_data):
    metrics, printed = run(name, tmp_path / "run")
    assert {p.name for p in (tmp_path / "run").iterdir()} == {
        "metrics.json", "model.safetensors", "curves.png", "predictions.png"}
    recipe = recipes.get(name)
    assert metrics["config"]["lr"] == recipe.DEFAULTS["lr"]
    history = metrics["experiments"][0]["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[1]["train_loss"] < history[0]["train_loss"]
    assert all(0 <= h["train_acc"] <= 1 and 0 <= h["test_acc"] <= 1 for h in history)
    assert "final: train loss" in printed
    saved = gradkit.load(tmp_path / "run" / "model.safetensors")
    assert {k: tuple(v.shape) for k, v in saved.items()} == CHECKPOINTS[name]
    evaluated = runner.evaluate(tmp_path / "run", out=io.StringIO())
    assert evaluated["experiments"][0]["test_acc"] == pytest.approx(history[-1]["test_acc"])


def test_lenet_recipes_defaults_are_the_books():
    assert recipes.get("lenet").DEFAULTS == {"epochs": 10, "lr": 0.9, "batch_size": 256}
    assert recipes.get("en-lenet").DEFAULTS == {"epochs": 10, "lr": 0.1, "batch_size": 128}
    assert {"lenet", "en-lenet", "digits-lenet"} <= set(recipes.names())


def test_lenet_same_seed_same_numbers(tmp_path, tiny_data):
    first, _ = run("lenet", tmp_path / "a", seed=5)
    second, _ = run("lenet", tmp_path / "b", seed=5)
    strip = [[{k: v for k, v in h.items() if k != "seconds"}
              for h in m["experiments"][0]["history"]] for m in (first, second)]
    assert strip[0] == strip[1]
