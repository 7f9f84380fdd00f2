"""Devices (CPU only), the book's downloads through gradkit's checked downloader (a clear error
offline, a cache hit by SHA-1, nothing half-written), ``extract``, and the 1.0.3 aliases that
resolve their torch function when called."""
from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

import gradkit
from gradkit import d2l
from gradkit.vision.datasets import utils as download_utils


def test_cpu_only_devices():
    assert d2l.num_gpus() == 0
    assert d2l.try_gpu() == d2l.cpu() == gradkit.device("cpu")
    assert d2l.try_gpu(3) == d2l.cpu()
    assert d2l.try_all_gpus() == [d2l.cpu()]
    assert repr(d2l.cpu()) == "device(type='cpu')"
    # As the book's d2l on a CPU-only PyTorch: naming GPU 0 works, putting data there fails.
    assert repr(d2l.gpu()) == "device(type='cuda', index=0)"
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        gradkit.zeros(2, device=d2l.gpu())


def test_data_hub_holds_the_books_entries():
    assert d2l.DATA_URL == "http://d2l-data.s3-accelerate.amazonaws.com/"
    assert d2l.DATA_HUB["kaggle_house_train"] == (
        d2l.DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce")


def test_download_hits_the_cache_by_sha1_without_the_network(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("downloaded although the file was there")

    monkeypatch.setattr(download_utils, "download_url", no_network)
    payload = b"a,b\n1,2\n"
    (tmp_path / "f.csv").write_bytes(payload)
    sha1 = hashlib.sha1(payload).hexdigest()
    assert d2l.download("http://example.invalid/f.csv", str(tmp_path), sha1) == str(
        tmp_path / "f.csv")
    monkeypatch.setitem(d2l.DATA_HUB, "f", ("http://example.invalid/f.csv", sha1))
    assert d2l.download("f", str(tmp_path)) == str(tmp_path / "f.csv")  # the 2.0.0 call


def test_download_offline_says_where_to_put_the_file(tmp_path, monkeypatch, capsys):
    def offline(mirrors, folder, filename, md5=None, **kwargs):
        raise download_utils.MirrorsUnreachable(f"could not reach {mirrors[0]}{filename}")

    monkeypatch.setattr(download_utils, "download_url", offline)
    with pytest.raises(RuntimeError, match="offline, copy the file to .*kaggle_house_pred_tr"):
        d2l.download("kaggle_house_train", str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_download_with_a_wrong_sha1_removes_the_file(tmp_path, monkeypatch):
    def serve(mirrors, folder, filename, md5=None, **kwargs):
        (tmp_path / filename).write_bytes(b"not the book's file")
        return str(tmp_path / filename)

    monkeypatch.setattr(download_utils, "download_url", serve)
    with pytest.raises(RuntimeError, match="expected 0000"):
        d2l.download("http://example.invalid/x.csv", str(tmp_path), "0000")
    assert os.listdir(tmp_path) == []


def test_download_unknown_name_is_a_key_error():
    with pytest.raises(KeyError, match="no_such_file does not exist in d2l.DATA_HUB"):
        d2l.download("no_such_file")


def test_extract_zip_and_tar(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("a/one.txt", "1")
    with tarfile.open(tmp_path / "b.tar", "w") as t:
        info = tarfile.TarInfo("b/two.txt")
        info.size = 1
        t.addfile(info, io.BytesIO(b"2"))
    d2l.extract(str(tmp_path / "a.zip"))
    d2l.extract(str(tmp_path / "b.tar"), str(tmp_path / "out"))
    assert (tmp_path / "a" / "one.txt").read_text() == "1"
    assert (tmp_path / "out" / "b" / "two.txt").read_text() == "2"
    with pytest.raises(ValueError, match="only zip/tar files"):
        d2l.extract(str(tmp_path / "c.rar"))


def test_the_1_0_3_aliases():
    x = gradkit.ones(2, 3)
    assert tuple(d2l.expand_dims(x, 0).shape) == (1, 2, 3)
    assert tuple(d2l.swapaxes(x, 0, 1).shape) == (3, 2)
    assert tuple(d2l.repeat(x, 2, 1).shape) == (4, 3)
    assert d2l.numpy(d2l.concat([x, x])).shape == (4, 3)


def test_aliases_of_functions_gradkit_is_gaining_resolve_when_called(monkeypatch):
    monkeypatch.setattr(gradkit, "sinh", lambda x: ("sinh", x), raising=False)
    assert d2l.sinh(1) == ("sinh", 1)
    monkeypatch.delattr(gradkit, "cosh", raising=False)
    with pytest.raises(NotImplementedError, match="d2l.cosh needs torch.cosh"):
        d2l.cosh(gradkit.ones(1))
