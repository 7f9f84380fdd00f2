"""The English-edition recipes (``en-*``): trained by ``d2l.Trainer`` (its ``fit_epoch`` per
epoch), the same run folder as the others, ``evaluate`` reloading the checkpoint (lazy layers
included), the bars of issue 9 reached on a subset, and the same numbers for the same seed."""
from __future__ import annotations

import io
import json

import pytest

from gradkit import d2l, recipes
from gradkit.recipes import runner, toolkit
from gradkit.recipes.base import Config
from gradkit.utils import data as gdata

CLASSIFIERS = ["en-softmax-scratch", "en-softmax-concise", "en-mlp", "en-dropout"]
REGRESSIONS = ["en-linreg-scratch", "en-linreg-concise", "en-weight-decay"]
N_TRAIN, N_VAL = 10240, 1000
#: Validation accuracy after 2 epochs on the subset; the full-data, 10-epoch runs reach the
#: issue's 0.80 (softmax) and 0.82 (MLP, dropout): see the README.
SUBSET_BARS = {"en-softmax-scratch": 0.72, "en-softmax-concise": 0.72, "en-mlp": 0.65,
               "en-dropout": 0.55}


@pytest.fixture
def small_fashion(monkeypatch):
    made = {}

    def subset(config):
        if "data" not in made:
            made["data"] = d2l.FashionMNIST(batch_size=config.batch_size)
            made["full"] = (made["data"].train, made["data"].val)
        data = d2l.FashionMNIST.__new__(d2l.FashionMNIST)
        data.__dict__.update(made["data"].__dict__)
        data.batch_size = config.batch_size
        data.train = gdata.Subset(made["full"][0], range(N_TRAIN))
        data.val = gdata.Subset(made["full"][1], range(N_VAL))
        return data

    monkeypatch.setattr(toolkit, "fashion_mnist_module", subset)


@pytest.fixture
def fit_epochs(monkeypatch):
    calls = []
    original = d2l.Trainer.fit_epoch

    def fit_epoch(self):
        calls.append(self.epoch)
        original(self)

    monkeypatch.setattr(d2l.Trainer, "fit_epoch", fit_epoch)
    return calls


def run(name, run_dir, epochs, seed=0):
    out = io.StringIO()
    metrics = runner.run(recipes.get(name), Config(epochs=epochs, seed=seed), run_dir,
                         quiet=True, out=out)
    return metrics, out.getvalue()


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_classifiers_train_through_the_trainer_and_reload(name, tmp_path, small_fashion,
                                                         fit_epochs):
    metrics, printed = run(name, tmp_path / "run", epochs=2)
    assert fit_epochs == [0, 1]  # Trainer.fit_epoch, once per epoch, with the book's counter
    assert {p.name for p in (tmp_path / "run").iterdir()} == {
        "metrics.json", "model.safetensors", "curves.png", "predictions.png"}
    history = metrics["experiments"][0]["history"]
    assert set(history[0]) == {"epoch", "train_loss", "train_acc", "test_acc", "seconds"}
    assert history[1]["train_loss"] < history[0]["train_loss"]
    assert history[1]["test_acc"] >= SUBSET_BARS[name]
    assert "final: train loss" in printed
    evaluated = runner.evaluate(tmp_path / "run", out=io.StringIO())
    assert evaluated["experiments"][0]["test_acc"] == pytest.approx(history[-1]["test_acc"])


@pytest.mark.parametrize("name", REGRESSIONS)
def test_regressions_with_their_default_epochs(name, tmp_path, fit_epochs):
    metrics, printed = run(name, tmp_path / "run", epochs=None)
    recipe = recipes.get(name)
    experiments = metrics["experiments"]
    assert len(fit_epochs) == recipe.DEFAULTS["epochs"] * len(experiments)
    if name == "en-weight-decay":
        norms = {e["name"]: e["final"]["w_l2_norm"] for e in experiments}
        assert norms["lambda=3"] < norms["lambda=0"] / 2  # weight decay shrinks w
        assert experiments[1]["final"]["test_loss"] < experiments[0]["final"]["test_loss"]
    else:
        assert metrics["final"]["max_abs_error"] < 0.01  # the bar for w and b
        assert "error in w" in printed
    evaluated = runner.evaluate(tmp_path / "run", out=io.StringIO())
    assert evaluated["experiments"][0]["test_loss"] == pytest.approx(
        experiments[0]["final"]["test_loss"], rel=1e-5)


def test_the_same_seed_gives_the_same_numbers(tmp_path, small_fashion):
    first, _ = run("en-softmax-concise", tmp_path / "a", epochs=1, seed=3)
    second, _ = run("en-softmax-concise", tmp_path / "b", epochs=1, seed=3)
    strip = [{k: v for k, v in h.items() if k != "seconds"}
             for m in (first, second) for h in m["experiments"][0]["history"]]
    assert strip[0] == strip[1]
    saved = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert saved["recipe"] == "en-softmax-concise" and saved["section"] == "4.5 (en)"
