"""The command line, both ways a user meets it: ``python -m gradkit`` in a child process (real
exit codes, stdout/stderr, Ctrl-C) and ``gradkit.cli.main([...])`` in this process (what the
``gradkit`` console script calls). Mistakes get one line on stderr and a non-zero exit."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gradkit
from gradkit.cli import main

SRC = str(Path(__file__).resolve().parent.parent / "src")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RECIPES = ["linreg-scratch", "linreg-concise", "softmax-scratch", "softmax-concise",
           "mlp-scratch", "mlp-concise", "weight-decay", "dropout", "digits",
           "en-linreg-scratch", "en-linreg-concise", "en-weight-decay", "en-softmax-scratch",
           "en-softmax-concise", "en-mlp", "en-dropout",
           "lenet", "en-lenet", "digits-lenet"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


def gradkit_cmd(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m gradkit ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "gradkit", *args], capture_output=True,
                          text=True, cwd=cwd, env=child_env(), timeout=timeout)


def assert_one_line_error(stderr: str, *phrases: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert "Traceback" not in stderr
    assert lines[0].startswith("gradkit"), lines[0]
    assert "error: " in lines[0]
    for phrase in phrases:
        assert phrase in lines[0], f"{phrase!r} not in {lines[0]!r}"


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items()
                if k not in ("seconds", "timings", "created")}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="module")
def linreg_run(tmp_path_factory) -> Path:
    """A finished linreg-scratch run (0.3 s), to evaluate and to damage."""
    run_dir = tmp_path_factory.mktemp("cli") / "linreg"
    assert main(["run", "linreg-scratch", "--out", str(run_dir), "--quiet"]) == 0
    return run_dir


@pytest.fixture
def damaged(linreg_run, tmp_path):
    """A copy of the linreg run, to damage."""
    copy = tmp_path / "run"
    shutil.copytree(linreg_run, copy)
    return copy


# -- list and help --------------------------------------------------------------------------------
def test_list_in_process(capsys):
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines] == RECIPES
    softmax = lines[RECIPES.index("softmax-concise")]
    assert "D2L 3.7" in softmax and "[epochs 10, lr 0.1, batch 256]" in softmax
    assert captured.err == ""


def test_list_as_a_module_matches(tmp_path, capsys):
    main(["list"])
    expected = capsys.readouterr().out
    result = gradkit_cmd("list", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == expected


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "list" in text and "run" in text and "evaluate" in text
    assert main(["run", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--epochs", "--lr", "--batch-size", "--seed", "--data-dir", "--out",
                   "--quiet"):
        assert option in text


# -- bad commands and values ----------------------------------------------------------------------
BAD_ARGUMENTS = [
    ([], 2, ["required: COMMAND"]),
    (["train"], 2, ["invalid choice: 'train'"]),
    (["run"], 2, ["RECIPE"]),
    (["run", "nope"], 2, ["unknown recipe 'nope'", "softmax-concise", "gradkit list"]),
    (["run", "linreg-scratch", "--epochs", "0"], 2, ["--epochs", "at least 1, got 0"]),
    (["run", "linreg-scratch", "--epochs", "-3"], 2, ["--epochs", "at least 1"]),
    (["run", "linreg-scratch", "--epochs", "1.5"], 2, ["--epochs", "whole number, got '1.5'"]),
    (["run", "linreg-scratch", "--lr", "-1"], 2, ["--lr", "positive number, got -1"]),
    (["run", "linreg-scratch", "--lr", "0"], 2, ["--lr", "positive"]),
    (["run", "linreg-scratch", "--lr", "abc"], 2, ["--lr", "expected a number, got 'abc'"]),
    (["run", "linreg-scratch", "--lr", "nan"], 2, ["--lr", "positive"]),
    (["run", "linreg-scratch", "--lr", "inf"], 2, ["--lr", "positive"]),
    (["run", "linreg-scratch", "--batch-size", "0"], 2, ["--batch-size", "at least 1"]),
    (["run", "linreg-scratch", "--seed", "-1"], 2, ["--seed", "0 or more"]),
    (["run", "linreg-scratch", "--seed", "x"], 2, ["--seed", "whole number"]),
    (["run", "linreg-scratch", "--bogus"], 2, ["unrecognized arguments: --bogus"]),
    (["evaluate"], 2, ["RUN_DIR"]),
]


@pytest.mark.parametrize("argv, code, phrases", BAD_ARGUMENTS,
                         ids=[" ".join(a) or "nothing" for a, _, _ in BAD_ARGUMENTS])
def test_bad_arguments_in_process(argv, code, phrases, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line_error(captured.err, *phrases)
    assert not (tmp_path / "runs").exists()  # nothing trained, nothing written


@pytest.mark.parametrize("argv, code, phrases", [BAD_ARGUMENTS[i] for i in (0, 3, 4, 9)])
def test_bad_arguments_as_a_module(argv, code, phrases, tmp_path):
    result = gradkit_cmd(*argv, cwd=tmp_path)
    assert result.returncode == code
    assert result.stdout == ""
    assert_one_line_error(result.stderr, *phrases)


def test_the_console_script_exits_with_mains_code(tmp_path):
    # the `gradkit` script generated from pyproject's gradkit.cli:main does sys.exit(main())
    text = (Path(SRC).parent / "pyproject.toml").read_text()
    assert 'gradkit = "gradkit.cli:main"' in text
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from gradkit.cli import main; "
         "sys.exit(main(['run', 'nope']))"], capture_output=True, text=True, cwd=tmp_path,
        env=child_env(), timeout=60)
    assert result.returncode == 2
    assert_one_line_error(result.stderr, "unknown recipe 'nope'")


# -- the run folder can't be written -------------------------------------------------------------
def test_run_folder_under_a_file(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = gradkit_cmd("run", "linreg-scratch", "--out", str(blocker / "run"), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert_one_line_error(result.stderr, "cannot write the run folder", "Not a directory")
    result = gradkit_cmd("run", "linreg-scratch", "--out", str(blocker), cwd=tmp_path)
    assert result.returncode == 1
    assert_one_line_error(result.stderr, "exists and is not a folder")
    assert blocker.read_text() == "not a folder"


def test_unwritable_run_folder(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() == 0:
            # root writes anywhere: make the folder refuse the way a read-only one does
            real = Path.write_bytes

            def refuse(self, data):
                if self.parent == folder / "run" or self.parent == folder:
                    raise PermissionError(13, "Permission denied", str(self))
                return real(self, data)

            monkeypatch.setattr(Path, "write_bytes", refuse)
        code = main(["run", "linreg-scratch", "--out", str(folder), "--quiet"])
    finally:
        folder.chmod(0o755)
    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any training
    assert_one_line_error(captured.err, "cannot write the run folder", "Permission denied")
    assert list(folder.iterdir()) == []


# -- the data folder ------------------------------------------------------------------------------
def test_missing_data_dir(tmp_path, capsys):
    assert main(["run", "softmax-concise", "--data-dir", str(tmp_path / "nope"),
                 "--out", str(tmp_path / "run")]) == 1
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, "data folder", "does not exist")
    assert captured.out == "" and not (tmp_path / "run").exists()
    (tmp_path / "file").write_text("x")
    assert main(["run", "softmax-concise", "--data-dir", str(tmp_path / "file")]) == 1
    assert_one_line_error(capsys.readouterr().err, "is not a folder")


def test_corrupt_data_files_in_data_dir(tmp_path):
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for split in ("train", "t10k"):
        for kind in ("images-idx3", "labels-idx1"):
            (raw / f"{split}-{kind}-ubyte").write_bytes(b"this is not an IDX file")
    result = gradkit_cmd("run", "softmax-concise", "--data-dir", str(tmp_path / "data"),
                         "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 1
    assert_one_line_error(result.stderr, "cannot load the data of softmax-concise",
                          "train-images-idx3-ubyte")
    assert not (tmp_path / "run").exists()  # no empty run folder left behind


# -- a real run and its evaluation, as a user types them -----------------------------------------
@pytest.fixture(scope="module")
def softmax_run(tmp_path_factory):
    """`python -m gradkit run softmax-concise --epochs 1` on the full bundled data, with the
    progress bar and epoch lines (not quiet), from a data folder that holds no datasets."""
    root = tmp_path_factory.mktemp("softmax")
    (root / "empty-data").mkdir()
    result = gradkit_cmd("run", "softmax-concise", "--epochs", "1", "--out", str(root / "run"),
                         "--data-dir", str(root / "empty-data"), cwd=root)
    return root, result


def test_run_prints_and_writes_the_run_folder(softmax_run):
    root, result = softmax_run
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "epoch 1/1:" in result.stderr and "/235" in result.stderr  # the tqdm progress bar
    lines = result.stdout.splitlines()
    assert lines[0] == ("softmax-concise (D2L 3.7): softmax regression with nn.Linear and "
                        "CrossEntropyLoss on Fashion-MNIST")
    assert lines[1] == f"epochs 1, lr 0.1, batch size 256, seed 0 -> {root / 'run'}"
    assert lines[2] == f"(no dataset files under '{root / 'empty-data'}': using the bundled copy)"
    epoch = lines[3].split()
    assert epoch[:3] == ["epoch", "1/1", "train"] and epoch[-1] == "s"
    assert "train acc" in lines[3] and "test acc" in lines[3]
    metrics = json.loads((root / "run" / "metrics.json").read_text())
    final = metrics["final"]
    assert lines[4] == (f"final: train loss {final['train_loss']:.4f}, train acc "
                        f"{final['train_acc']:.4f}, test acc {final['test_acc']:.4f}")
    assert lines[-1] == (f"saved to {root / 'run'}/ (metrics.json, model.safetensors, "
                         "curves.png, predictions.png)")
    assert 0.7 < final["test_acc"] < 0.9  # one epoch on the full data: about 0.79
    assert metrics["data"] == "bundled copy"
    assert metrics["config"]["data_dir"] == str(root / "empty-data")
    for name in ("curves.png", "predictions.png"):
        assert (root / "run" / name).read_bytes()[:8] == PNG_MAGIC


def test_evaluate_prints_test_and_per_class_accuracy(softmax_run):
    root, _ = softmax_run
    metrics = json.loads((root / "run" / "metrics.json").read_text())
    result = gradkit_cmd("evaluate", str(root / "run"), cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    n_correct = round(metrics["final"]["test_acc"] * 10000)
    assert lines[0] == f"test accuracy {metrics['final']['test_acc']:.4f} ({n_correct}/10000)"
    per_class = [line.split() for line in lines[1:11]]
    assert [p[0] for p in per_class] == ["t-shirt", "trouser", "pullover", "dress", "coat",
                                         "sandal", "shirt", "sneaker", "bag", "ankle"]
    accuracies = [float(p[-1]) for p in per_class]
    assert np.mean(accuracies) == pytest.approx(metrics["final"]["test_acc"], abs=1e-3)
    assert lines[-1] == f"confusion matrix saved to {root / 'run' / 'confusion.png'}"
    assert (root / "run" / "confusion.png").read_bytes()[:8] == PNG_MAGIC


def test_same_seed_same_numbers_with_or_without_progress_bars(softmax_run):
    """Bit for bit: the progress bar must not change what is trained on."""
    root, _ = softmax_run
    result = gradkit_cmd("run", "softmax-concise", "--epochs", "1", "--quiet", "--out",
                         str(root / "quiet"), "--data-dir", str(root / "empty-data"), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "epoch 1/1" not in result.stdout and result.stderr == ""
    first = json.loads((root / "run" / "metrics.json").read_text())
    second = json.loads((root / "quiet" / "metrics.json").read_text())
    assert json.dumps(without_timings(first)) == json.dumps(without_timings(second))
    a = gradkit.load(root / "run" / "model.safetensors")
    b = gradkit.load(root / "quiet" / "model.safetensors")
    assert all(np.array_equal(a[k].numpy(), b[k].numpy()) for k in a)


def test_in_process_runs_are_deterministic(tmp_path, capsys):
    for name in ("a", "b"):
        assert main(["run", "weight-decay", "--epochs", "5", "--seed", "7",
                     "--out", str(tmp_path / name)]) == 0
    first = json.loads((tmp_path / "a" / "metrics.json").read_text())
    second = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert first["config"]["seed"] == 7
    assert without_timings(first) == without_timings(second)
    out = capsys.readouterr().out
    assert out.count("[lambda=0] epoch ") == 10  # 5 lines per run
    assert "[lambda=3] L2 norm of w: " in out


def test_default_run_folder_is_under_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "linreg-scratch", "--quiet"]) == 0
    assert main(["run", "linreg-scratch", "--quiet"]) == 0
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2 and all(f.startswith("linreg-scratch-") for f in folders)
    for folder in folders:
        assert (tmp_path / "runs" / folder / "metrics.json").is_file()
    assert f"saved to runs{os.sep}{folders[-1]}/" in capsys.readouterr().out


def test_rerun_into_the_same_folder_replaces_the_old_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "linreg-scratch", "--out", str(out), "--quiet"]) == 0
    (out / "confusion.png").write_bytes(b"stale")  # e.g. from an older evaluate
    (out / "notes.txt").write_text("mine")
    assert main(["run", "linreg-concise", "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "metrics.json").read_text())["recipe"] == "linreg-concise"
    assert not (out / "confusion.png").exists()
    assert (out / "notes.txt").read_text() == "mine"  # the user's files are left alone


def test_evaluate_a_regression_run(linreg_run, capsys):
    assert main(["evaluate", str(linreg_run)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("test loss 0.0000")
    assert out[1].startswith("w [1.99") and "(true w [2.0000, -3.4000], b 4.2)" in out[1]


# -- evaluate on damaged run folders -------------------------------------------------------------
def corrupt_json(run: Path) -> None:
    (run / "metrics.json").write_text("{not json")


def binary_json(run: Path) -> None:
    (run / "metrics.json").write_bytes(bytes(range(256)))


def list_json(run: Path) -> None:
    (run / "metrics.json").write_text("[1, 2]")


def edit_metrics(**changes):
    def edit(run: Path) -> None:
        metrics = json.loads((run / "metrics.json").read_text())
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(metrics.get(key), dict):
                metrics[key].update(value)
            else:
                metrics[key] = value
        (run / "metrics.json").write_text(json.dumps(metrics))
    return edit


def no_metrics(run: Path) -> None:
    (run / "metrics.json").unlink()


def no_checkpoint(run: Path) -> None:
    (run / "model.safetensors").unlink()


def truncated_checkpoint(run: Path) -> None:
    data = (run / "model.safetensors").read_bytes()
    (run / "model.safetensors").write_bytes(data[: len(data) - 3])


def garbage_checkpoint(run: Path) -> None:
    (run / "model.safetensors").write_bytes(b"PK\x03\x04 a zip file, maybe a torch.save pickle")


def other_models_checkpoint(run: Path) -> None:
    gradkit.save({"W": gradkit.zeros(784, 10), "b": gradkit.zeros(10)},
                 run / "model.safetensors")


def wrong_shape_checkpoint(run: Path) -> None:
    gradkit.save({"w": gradkit.zeros(3, 1), "b": gradkit.zeros(1)}, run / "model.safetensors")


def checkpoint_is_a_folder(run: Path) -> None:
    (run / "model.safetensors").unlink()
    (run / "model.safetensors").mkdir()


DAMAGES = [
    (corrupt_json, ["metrics.json", "is corrupt"]),
    (binary_json, ["metrics.json", "is corrupt"]),
    (list_json, ["not a gradkit run's metrics"]),
    (no_metrics, ["is not a run folder: metrics.json is missing"]),
    (edit_metrics(recipe="softmax-fancy"), ["unknown recipe 'softmax-fancy'"]),
    (edit_metrics(config=None), ["not a gradkit run's metrics"]),
    (edit_metrics(config={"batch_size": -5}), ["config batch_size = -5 is not valid"]),
    (edit_metrics(config={"lr": "fast"}), ["config lr = 'fast' is not valid"]),
    (no_checkpoint, ["no checkpoint", "model.safetensors"]),
    (truncated_checkpoint, ["cannot read the checkpoint", "model.safetensors"]),
    (garbage_checkpoint, ["cannot read the checkpoint"]),
    (other_models_checkpoint, ["does not match the recipe", "'w'"]),
    (wrong_shape_checkpoint, ["does not match the recipe", "'w'"]),
    (checkpoint_is_a_folder, ["no checkpoint"]),
]


@pytest.mark.parametrize("damage, phrases", DAMAGES, ids=[
    getattr(d, "__name__", "edit") + str(i) for i, (d, _) in enumerate(DAMAGES)])
def test_evaluate_damaged_run_in_process(damaged, damage, phrases, capsys):
    damage(damaged)
    assert main(["evaluate", str(damaged)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line_error(captured.err, *phrases)


@pytest.mark.parametrize("damage, phrases", [DAMAGES[0], DAMAGES[9]])
def test_evaluate_damaged_run_as_a_module(damaged, damage, phrases, tmp_path):
    damage(damaged)
    result = gradkit_cmd("evaluate", str(damaged), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert_one_line_error(result.stderr, *phrases)


def test_evaluate_missing_folder(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 1
    assert_one_line_error(capsys.readouterr().err, "no run folder at")


# -- Ctrl-C -------------------------------------------------------------------------------------
def start_run(recipe: str, out: Path, epochs: str = "50") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradkit", "run", recipe, "--epochs", epochs,
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=out.parent, env=child_env())


def test_ctrl_c_saves_the_finished_epochs_and_exits_130(tmp_path):
    out = tmp_path / "run"
    process = start_run("softmax-concise", out)
    printed = []
    deadline = time.monotonic() + 120
    for line in process.stdout:  # wait until an epoch has finished (its line is printed)
        printed.append(line)
        if line.startswith("epoch ") or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=120)
    printed += rest.splitlines(keepends=True)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    finished = sum(line.startswith("epoch ") for line in printed)
    assert finished >= 1
    last = stderr.strip().splitlines()[-1]
    assert last == (f"interrupted: {finished} finished epoch{'s' * (finished > 1)} saved in "
                    f"{out}")
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True
    assert len(metrics["experiments"][0]["history"]) == finished
    assert metrics["final"]["epoch"] == finished
    state = gradkit.load(out / "model.safetensors")
    assert {k: tuple(v.shape) for k, v in state.items()} == {"1.weight": (10, 784),
                                                             "1.bias": (10,)}
    assert (out / "curves.png").read_bytes()[:8] == PNG_MAGIC
    # the checkpoint is the last finished epoch's model: evaluate scores what the run reported
    result = gradkit_cmd("evaluate", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"test accuracy {metrics['final']['test_acc']:.4f} (")


def test_ctrl_c_before_the_first_epoch_saves_nothing(tmp_path):
    out = tmp_path / "run"
    process = start_run("dropout", out, epochs="5")  # an epoch takes a while
    header = process.stdout.readline()  # printed once the data is loaded, before training
    assert header.startswith("dropout (D2L 4.6)")
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == ("interrupted before the first epoch finished: "
                                               "nothing saved")
    assert "epoch 1/5" not in rest
    assert not out.exists()


def test_broken_pipe_is_not_an_error(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "gradkit", "list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path, env=child_env())
    process.stdout.close()  # like `gradkit list | head -0`
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert process.returncode in (0, 141)
