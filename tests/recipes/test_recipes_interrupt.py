"""Ctrl-C at each point of a run, in process: what is saved always describes finished epochs
(the metrics, the final figures and the checkpoint agree), never a half-trained model."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest

import gradkit
from gradkit import d2l, recipes
from gradkit.recipes import runner
from gradkit.recipes.base import Config


def interrupt_in_epoch(monkeypatch, epoch: int, after_batches: int) -> None:
    """Make ``train_epoch_ch3`` of epoch ``epoch`` train ``after_batches`` batches (changing
    the weights) and then raise KeyboardInterrupt, as Ctrl-C would mid-epoch."""
    real = d2l.train_epoch_ch3
    calls = {"n": 0}

    def train_epoch(net, train_iter, loss, updater):
        calls["n"] += 1
        if calls["n"] < epoch:
            return real(net, train_iter, loss, updater)
        batches = iter(train_iter)
        real(net, [next(batches) for _ in range(after_batches)], loss, updater)
        raise KeyboardInterrupt

    monkeypatch.setattr(d2l, "train_epoch_ch3", train_epoch)


def run_linreg(run_dir):
    return runner.run(recipes.get("linreg-scratch"), Config(lr=0.01), run_dir, quiet=True,
                      out=io.StringIO())


def test_interrupt_mid_epoch_keeps_the_last_finished_epoch(monkeypatch, tmp_path):
    interrupt_in_epoch(monkeypatch, epoch=2, after_batches=50)
    with pytest.raises(KeyboardInterrupt):
        run_linreg(tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["interrupted"] is True
    assert [h["epoch"] for h in metrics["experiments"][0]["history"]] == [1]
    # the figures and the checkpoint are the model after epoch 1, not after 1.5 epochs
    state = gradkit.load(tmp_path / "model.safetensors")
    np.testing.assert_allclose(state["w"].numpy().reshape(-1), metrics["final"]["w"], rtol=1e-7)
    monkeypatch.undo()
    gradkit.manual_seed(0)
    reference = runner.run(recipes.get("linreg-scratch"), Config(epochs=1, lr=0.01),
                           tmp_path / "one-epoch", quiet=True, out=io.StringIO())
    assert metrics["final"]["w"] == reference["final"]["w"]
    assert metrics["final"]["test_loss"] == reference["final"]["test_loss"]
    assert (tmp_path / "curves.png").is_file()
    result = runner.evaluate(tmp_path, out=io.StringIO())
    assert result["experiments"][0]["w"] == metrics["final"]["w"]


def test_interrupt_in_the_first_epoch_saves_no_model(monkeypatch, tmp_path):
    interrupt_in_epoch(monkeypatch, epoch=1, after_batches=10)
    with pytest.raises(KeyboardInterrupt):
        run_linreg(tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["interrupted"] is True and metrics["experiments"][0]["history"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]
    with pytest.raises(runner.RunError, match="interrupted before its first epoch finished"):
        runner.evaluate(tmp_path, out=io.StringIO())


def test_interrupt_while_saving_keeps_the_epoch_just_finished(monkeypatch, tmp_path):
    real = runner.write_json
    calls = {"n": 0}

    def write_json(path, payload):
        calls["n"] += 1
        if calls["n"] == 2:  # saving epoch 2
            raise KeyboardInterrupt
        return real(path, payload)

    monkeypatch.setattr(runner, "write_json", write_json)
    with pytest.raises(KeyboardInterrupt):
        run_linreg(tmp_path)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["experiments"][0]["history"]] == [1, 2]
    state = gradkit.load(tmp_path / "model.safetensors")
    np.testing.assert_allclose(state["w"].numpy().reshape(-1), metrics["final"]["w"], rtol=1e-7)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


def test_interrupt_between_experiments(monkeypatch, tmp_path):
    """weight-decay trains λ=0, then λ=3: Ctrl-C in λ=3 keeps λ=0 whole."""
    interrupt_in_epoch(monkeypatch, epoch=6, after_batches=2)  # λ=0 has 5 epochs here
    with pytest.raises(KeyboardInterrupt):
        runner.run(recipes.get("weight-decay"), Config(epochs=5), tmp_path, quiet=True,
                   out=io.StringIO())
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    histories = [len(e["history"]) for e in metrics["experiments"]]
    assert histories == [5, 0]
    assert metrics["final"]["lambda=0"]["epoch"] == 5
    state = gradkit.load(tmp_path / "model.safetensors")
    norm = float(np.linalg.norm(state["lambda=0.0.weight"].numpy()))
    assert norm == pytest.approx(metrics["final"]["lambda=0"]["w_l2_norm"], rel=1e-6)
