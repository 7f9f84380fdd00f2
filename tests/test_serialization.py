"""Checkpoints: ``gradkit.save``/``gradkit.load`` round trips of state dicts and of nested
training checkpoints (model + optimizer + epoch); interchange with ``safetensors.torch`` both
ways; atomic writes (an interrupted save leaves the previous file and no temp file); clear
errors for missing, truncated, corrupt and garbage files; and loading never runs code."""
from __future__ import annotations

import io
import json
import os
import pickle
import struct
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import gradkit
from gradkit import nn
from gradkit.serialization import CheckpointError
from oracle import import_torch

rng = np.random.default_rng(31)

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.bool_]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def make_net():
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))


def assert_same_state(a, b):
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        assert tuple(a[key].shape) == tuple(b[key].shape), key
        np.testing.assert_array_equal(a[key].numpy(), b[key].numpy(), err_msg=key)


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------
def test_state_dict_round_trip(tmp_path):
    net = make_net()
    path = tmp_path / "model.safetensors"
    assert gradkit.save(net.state_dict(), path) is None
    loaded = gradkit.load(path)
    assert isinstance(loaded, OrderedDict)
    assert_same_state(loaded, net.state_dict())
    fresh = make_net()
    assert repr(fresh.load_state_dict(loaded)) == "<All keys matched successfully>"
    x = gradkit.randn(2, 12)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), net(x).detach().numpy())


def test_every_dtype_and_odd_shapes_round_trip(tmp_path):
    state = OrderedDict()
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        state[name] = gradkit.tensor((rng.standard_normal((3, 4)) * 50).astype(dtype))
    state["scalar"] = gradkit.tensor(3.5)
    state["empty"] = gradkit.zeros(0, 3)
    state["transposed"] = gradkit.tensor(rng.standard_normal((4, 5)).astype(np.float32)).t()
    state["sliced"] = gradkit.arange(20)[::3]
    state["name.with/odd chars"] = gradkit.ones(2)
    gradkit.save(state, tmp_path / "all.safetensors")
    assert_same_state(gradkit.load(str(tmp_path / "all.safetensors")), state)


def test_save_and_load_file_objects():
    state = make_net().state_dict()
    buffer = io.BytesIO()
    gradkit.save(state, buffer)
    buffer.seek(0)
    assert_same_state(gradkit.load(buffer), state)


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    path = tmp_path / "w.safetensors"
    gradkit.save({"w": gradkit.ones(3)}, path)
    first, second = gradkit.load(path)["w"], gradkit.load(path)["w"]
    first[0] = 5.0
    assert second[0].item() == 1.0 and not first.requires_grad


def test_nested_checkpoint_round_trip(tmp_path):
    net = make_net()
    optimizer = gradkit.optim.Adam(net.parameters(), lr=0.01, amsgrad=True)
    net(gradkit.randn(4, 12)).sum().backward()
    optimizer.step()
    checkpoint = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
                  "loss": 0.25, "history": [1.0, 0.5], "name": "mlp", "best": None,
                  "flags": (True, False)}
    path = tmp_path / "checkpoint.safetensors"
    gradkit.save(checkpoint, path)
    loaded = gradkit.load(path)
    assert list(loaded) == list(checkpoint)
    assert loaded["epoch"] == 3 and loaded["loss"] == 0.25 and loaded["name"] == "mlp"
    assert loaded["history"] == [1.0, 0.5] and loaded["best"] is None
    assert loaded["flags"] == (True, False)
    assert_same_state(loaded["model"], checkpoint["model"])
    saved_opt, loaded_opt = checkpoint["optimizer"], loaded["optimizer"]
    assert loaded_opt["param_groups"] == saved_opt["param_groups"]
    assert isinstance(loaded_opt["param_groups"][0]["betas"], tuple)
    assert list(loaded_opt["state"]) == list(saved_opt["state"]) == [0, 1, 2, 3]
    for index, state in saved_opt["state"].items():
        assert_same_state(loaded_opt["state"][index], state)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_resuming_from_a_checkpoint_file_gives_identical_training(tmp_path, name):
    x = gradkit.tensor(rng.standard_normal((16, 12)).astype(np.float32))
    y = gradkit.tensor(rng.integers(0, 3, 16))
    loss = nn.CrossEntropyLoss()
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}

    def train(net, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            loss(net(x), y).backward()
            optimizer.step()

    gradkit.manual_seed(1)
    net = make_net()
    optimizer = getattr(gradkit.optim, name)(net.parameters(), **kwargs)
    train(net, optimizer, 4)
    gradkit.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 4},
                 tmp_path / "ckpt.safetensors")
    train(net, optimizer, 6)

    resumed = make_net()
    resumed_optimizer = getattr(gradkit.optim, name)(resumed.parameters(), **kwargs)
    checkpoint = gradkit.load(tmp_path / "ckpt.safetensors")
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 4
    train(resumed, resumed_optimizer, 6)
    assert_same_state(resumed.state_dict(), net.state_dict())


def test_colliding_dotted_names_keep_every_tensor():
    checkpoint = {"a.b": gradkit.zeros(2), "a": {"b": gradkit.ones(3)}, "epoch": 1,
                  "list": [gradkit.full((1,), 5.0)], "list.0": gradkit.full((2,), 6.0)}
    buffer = io.BytesIO()
    gradkit.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = gradkit.load(buffer)
    np.testing.assert_array_equal(loaded["a.b"].numpy(), [0, 0])
    np.testing.assert_array_equal(loaded["a"]["b"].numpy(), [1, 1, 1])
    np.testing.assert_array_equal(loaded["list"][0].numpy(), [5])
    np.testing.assert_array_equal(loaded["list.0"].numpy(), [6, 6])


def test_overwriting_a_checkpoint(tmp_path):
    path = tmp_path / "m.safetensors"
    gradkit.save({"w": gradkit.zeros(2)}, path)
    gradkit.save({"w": gradkit.ones(5)}, path)
    assert gradkit.load(path)["w"].shape == (5,)
    assert files_in(tmp_path) == ["m.safetensors"]


def test_checkpoints_get_the_permissions_of_any_new_file(tmp_path):
    # Not the owner-only mode of a temporary file: like torch.save's open(path, "wb").
    umask = os.umask(0o022)
    try:
        path = tmp_path / "m.safetensors"
        gradkit.save({"w": gradkit.ones(2)}, path)
        assert path.stat().st_mode & 0o777 == 0o644
        gradkit.save({"w": gradkit.zeros(2)}, path)
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)


def test_unsupported_objects_are_refused_before_writing(tmp_path):
    path = tmp_path / "x.safetensors"
    for bad in ({"f": lambda: 1}, {"net": make_net()}, {"a": np.ones(2)}, {1, 2}):
        with pytest.raises(TypeError):
            gradkit.save(bad, path)
    assert not path.exists() and files_in(tmp_path) == []


def test_saving_into_a_missing_folder_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        gradkit.save({"w": gradkit.ones(1)}, tmp_path / "nowhere" / "m.safetensors")


# ---------------------------------------------------------------------------------------------
# interchange with PyTorch's safetensors
# ---------------------------------------------------------------------------------------------
def test_gradkit_file_loads_with_safetensors_torch(tmp_path):
    import_torch()
    from safetensors.torch import load_file

    state = make_net().state_dict()
    state["counts"] = gradkit.tensor(rng.integers(0, 9, (3, 2)))
    state["mask"] = gradkit.tensor([True, False])
    state["half"] = gradkit.ones(2, dtype=gradkit.float16)
    path = tmp_path / "from_gradkit.safetensors"
    gradkit.save(state, path)
    loaded = load_file(str(path))
    assert list(loaded) == sorted(state) or set(loaded) == set(state)
    for key, value in state.items():
        assert str(loaded[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1]
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy(), err_msg=key)


def test_torch_model_state_loads_in_gradkit(tmp_path):
    torch = import_torch()
    from safetensors.torch import save_file

    theirs = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3))
    state = {k: v.contiguous() for k, v in theirs.state_dict().items()}
    state["steps"] = torch.tensor([1, 2, 3])
    state["half"] = torch.ones(2, dtype=torch.float16)
    path = tmp_path / "from_torch.safetensors"
    save_file(state, str(path), metadata={"format": "pt"})
    loaded = gradkit.load(path)
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert str(loaded[key].dtype).split(".")[-1] == str(value.dtype).split(".")[-1]
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy())
    ours = make_net()
    ours.load_state_dict({k: v for k, v in loaded.items() if k not in ("steps", "half")})
    x = rng.standard_normal((2, 12)).astype(np.float32)
    np.testing.assert_allclose(ours(gradkit.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_torch_file_without_metadata_and_empty(tmp_path):
    import_torch()
    from safetensors.torch import save_file

    import torch

    save_file({"a": torch.zeros(2, 0), "b": torch.tensor(7)}, str(tmp_path / "x.safetensors"))
    loaded = gradkit.load(tmp_path / "x.safetensors")
    assert loaded["a"].shape == (2, 0) and loaded["b"].item() == 7


def test_nested_checkpoint_tensors_are_readable_by_safetensors(tmp_path):
    import_torch()
    from safetensors.torch import load_file

    net = make_net()
    gradkit.save({"model": net.state_dict(), "epoch": 2}, tmp_path / "c.safetensors")
    loaded = load_file(str(tmp_path / "c.safetensors"))
    np.testing.assert_array_equal(loaded["model.1.weight"].numpy(),
                                  net.state_dict()["1.weight"].numpy())


def test_bfloat16_file_is_refused_clearly(tmp_path):
    torch = import_torch()
    from safetensors.torch import save_file

    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(tmp_path / "bf16.safetensors"))
    with pytest.raises(CheckpointError, match="bf16.safetensors"):
        gradkit.load(tmp_path / "bf16.safetensors")


# ---------------------------------------------------------------------------------------------
# atomic writes
# ---------------------------------------------------------------------------------------------
def test_interrupted_replace_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    gradkit.save({"w": gradkit.zeros(3)}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # e.g. Ctrl-C at the worst moment

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        gradkit.save({"w": gradkit.ones(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["model.safetensors"]  # no temp file left behind
    assert gradkit.load(path)["w"].shape == (3,)


def test_interrupted_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    gradkit.save({"w": gradkit.zeros(3)}, path)
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        gradkit.save({"w": gradkit.ones(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["model.safetensors"]


def test_a_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "replace", lambda *a, **k: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError):
        gradkit.save({"w": gradkit.ones(2)}, tmp_path / "new.safetensors")
    monkeypatch.undo()
    assert files_in(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------------------------
def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        gradkit.load(tmp_path / "missing.safetensors")
    with pytest.raises(FileNotFoundError):
        gradkit.load(str(tmp_path / "missing.safetensors"))


def good_bytes():
    buffer = io.BytesIO()
    gradkit.save({"weight": gradkit.ones(4, 4), "bias": gradkit.zeros(4)}, buffer)
    return buffer.getvalue()


def header_of(raw):
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8:8 + length]), raw[8 + length:]


def with_header(header, data):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def corrupt_variants():
    raw = good_bytes()
    header, data = header_of(raw)
    yield "empty", b""
    yield "short", b"\x01\x02\x03"
    yield "truncated_data", raw[:-10]
    yield "truncated_header", raw[:20]
    yield "huge_header_length", struct.pack("<Q", 2 ** 60) + raw[8:]
    yield "garbage", bytes(rng.integers(0, 256, 4096, dtype=np.uint8))
    yield "text", b"this is not a checkpoint\n" * 10
    yield "header_not_json", struct.pack("<Q", 5) + b"{nope" + data
    yield "header_not_utf8", struct.pack("<Q", 4) + b"\xff\xfe\xfd\xfc" + data
    yield "header_a_list", with_header([1, 2], data)
    bad = json.loads(json.dumps(header))
    bad["weight"]["dtype"] = "X99"
    yield "unknown_dtype", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["weight"]["shape"] = [5, 5]
    yield "shape_size_mismatch", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["weight"]["data_offsets"] = [0, 10 ** 9]
    yield "offsets_outside", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["bias"]["data_offsets"] = [0, 16]
    yield "overlapping", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["weight"] = "oops"
    yield "entry_not_a_dict", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["weight"]["shape"] = [-4, -4]
    yield "negative_shape", with_header(bad, data)
    yield "trailing_bytes", raw + b"\x00" * 8
    bad = json.loads(json.dumps(header))
    bad.setdefault("__metadata__", {})["gradkit.tree"] = "{not json"
    yield "bad_structure", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad.setdefault("__metadata__", {})["gradkit.tree"] = json.dumps({"__tensor__": "missing"})
    yield "structure_names_a_missing_tensor", with_header(bad, data)
    bad = json.loads(json.dumps(header))
    bad["__metadata__"] = "not a dict"
    yield "metadata_not_a_dict", with_header(bad, data)


@pytest.mark.parametrize("name,raw", list(corrupt_variants()), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_corrupt_files_raise_checkpoint_error_naming_the_file(tmp_path, name, raw):
    path = tmp_path / f"{name}.safetensors"
    path.write_bytes(raw)
    with pytest.raises(CheckpointError) as info:
        gradkit.load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, RuntimeError)


def test_pickle_files_are_rejected_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": Exploit()}))
    with pytest.raises(CheckpointError, match="evil.pt"):
        gradkit.load(path)
    with pytest.raises(CheckpointError):
        gradkit.load(path, weights_only=False)
    assert not marker.exists()


def test_torch_save_zip_files_are_rejected_and_never_executed(tmp_path):
    torch = import_torch()
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2), "x": Exploit()}, path)
    with pytest.raises(CheckpointError, match="model.pt"):
        gradkit.load(path)
    assert not marker.exists()


def test_loading_never_unpickles(tmp_path, monkeypatch):
    """No code path of ``load`` may reach pickle, whatever the file says."""
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle used while loading")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    net = make_net()
    optimizer = gradkit.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(gradkit.randn(2, 12)).sum().backward()
    optimizer.step()
    gradkit.save({"model": net.state_dict(), "opt": optimizer.state_dict()},
                 tmp_path / "c.safetensors")
    gradkit.load(tmp_path / "c.safetensors")


# ---------------------------------------------------------------------------------------------
# what the English edition's read-write section saves, and what comes back (types as torch's)
# ---------------------------------------------------------------------------------------------
def test_tensors_lists_and_dicts_come_back_as_torch_gives_them(tmp_path):
    torch = import_torch()
    x, y = np.arange(4), np.zeros(4, np.float32)
    cases = [lambda t: t.tensor(x), lambda t: [t.tensor(x), t.tensor(y)],
             lambda t: (t.tensor(x),), lambda t: {"x": t.tensor(x), "y": t.tensor(y)},
             lambda t: {"x": t.tensor(x), "n": [t.tensor(y)], "epoch": 2},
             lambda t: OrderedDict(w=t.tensor(y))]
    for i, make in enumerate(cases):
        torch.save(make(torch), tmp_path / f"torch{i}")
        expected = torch.load(tmp_path / f"torch{i}")
        gradkit.save(make(gradkit), tmp_path / f"gk{i}")
        loaded = gradkit.load(tmp_path / f"gk{i}")
        assert type(loaded).__name__ == type(expected).__name__, i
        assert repr(loaded) == repr(expected).replace("torch.", "gradkit."), i


def test_a_loaded_state_dict_is_an_ordered_dict_and_a_loaded_dict_a_dict(tmp_path):
    gradkit.save(make_net().state_dict(), tmp_path / "sd")
    gradkit.save({"a": gradkit.ones(2)}, tmp_path / "d")
    gradkit.save({"model": make_net().state_dict()}, tmp_path / "nested")
    assert type(gradkit.load(tmp_path / "sd")) is OrderedDict
    assert type(gradkit.load(tmp_path / "d")) is dict
    nested = gradkit.load(tmp_path / "nested")
    assert type(nested) is dict and type(nested["model"]) is OrderedDict


def test_a_torch_pickle_is_refused_with_what_is_supported(tmp_path):
    torch = import_torch()
    torch.save(torch.arange(3), tmp_path / "zip.pt")
    torch.save(torch.arange(3), tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    for name, kind in (("zip.pt", "zip archive"), ("legacy.pt", "(a pickle)")):
        with pytest.raises(CheckpointError) as info:
            gradkit.load(tmp_path / name)
        message = str(info.value)
        assert name in message and kind in message and "torch.save" in message
        assert "safetensors.torch.save_file" in message and "does not unpickle" in message


def test_a_header_length_that_begins_like_a_pickle_still_loads(tmp_path):
    # 0x80 0x02 is both pickle protocol 2's opening and a 640-byte header's length.
    names = {f"weight_{i:03d}": gradkit.ones(1) for i in range(8)}
    for padding in range(60):
        state = dict(names, **{"p" * (padding + 1): gradkit.zeros(1)})
        gradkit.save(state, tmp_path / "f")
        raw = (tmp_path / "f").read_bytes()
        if raw[:2] == b"\x80\x02":
            assert list(gradkit.load(tmp_path / "f")) == list(state)
            return
    pytest.fail("no header of 640 bytes was produced; adjust the names")
