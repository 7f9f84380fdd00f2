"""Downloads from a local HTTP server on 127.0.0.1 serving good, corrupt, truncated and missing
files: retries, MD5 checks, atomic writes and the error message. Never touches the internet."""
from __future__ import annotations

import hashlib
import http.server
import os
import socket
import sys
import threading
from typing import Any, Dict, Tuple

from pathlib import Path

import pytest

from gradkit.vision import datasets
from gradkit.vision.datasets import _bundled
from gradkit.vision.datasets.utils import calculate_md5, check_integrity, download_url

BODY = bytes(range(256)) * 400  # 100 KiB
BODY_MD5 = hashlib.md5(BODY).hexdigest()
FAST = dict(retries=3, timeout=5.0, backoff=0.0, progress=False)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes: ``("ok", body)``, ``("status", code)``, ``("truncate", body, bytes_sent)``,
    ``("flaky", body, failures)``: 500 for the first ``failures`` requests, then the body."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        server: Any = self.server
        server.hits[self.path] = server.hits.get(self.path, 0) + 1
        route = server.routes.get(self.path, ("status", 404))
        kind = route[0]
        if kind == "flaky" and server.hits[self.path] <= route[2]:
            route = ("status", 500)
            kind = "status"
        if kind == "status":
            self.send_error(route[1])
            return
        body = route[1]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if kind == "truncate":
            self.wfile.write(body[: route[2]])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes: Dict[str, Tuple] = {}
    httpd.hits: Dict[str, int] = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def site(server):
    """``(base_url, routes, hits)`` with fresh routes for each test."""
    server.routes.clear()
    server.hits.clear()
    return f"http://127.0.0.1:{server.server_address[1]}", server.routes, server.hits


def test_a_good_file_is_downloaded_and_checked(site, tmp_path):
    base, routes, hits = site
    routes["/a/file.gz"] = ("ok", BODY)
    path = download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **FAST)
    assert path == os.path.join(tmp_path, "file.gz")
    assert Path(path).read_bytes() == BODY and os.listdir(tmp_path) == ["file.gz"]
    assert check_integrity(path, BODY_MD5) and calculate_md5(path) == BODY_MD5
    assert not check_integrity(path, "0" * 32) and not check_integrity(str(tmp_path / "nope"))


def test_a_corrupt_file_is_rejected_and_nothing_is_left(site, tmp_path):
    base, routes, hits = site
    routes["/a/file.gz"] = ("ok", BODY[:-1] + b"\x00")
    with pytest.raises(RuntimeError) as info:
        download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **FAST)
    message = str(info.value)
    assert f"{base}/a/file.gz: MD5 mismatch: expected {BODY_MD5}" in message
    assert os.listdir(tmp_path) == []
    assert hits["/a/file.gz"] == 1  # a checksum failure is not retried on the same mirror


def test_a_truncated_file_is_retried_then_rejected(site, tmp_path):
    base, routes, hits = site
    routes["/a/file.gz"] = ("truncate", BODY, 5000)
    with pytest.raises(RuntimeError, match=r"file.gz: (connection closed early|truncated).*"
                                           r"\(after 3 attempts\)"):
        download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **FAST)
    assert hits["/a/file.gz"] == 3
    assert os.listdir(tmp_path) == []


def test_a_flaky_server_succeeds_on_retry(site, tmp_path):
    base, routes, hits = site
    routes["/a/file.gz"] = ("flaky", BODY, 1)
    download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **FAST)
    assert hits["/a/file.gz"] == 2 and Path(tmp_path / "file.gz").read_bytes() == BODY


def test_the_next_mirror_is_tried(site, tmp_path):
    base, routes, hits = site
    routes["/good/file.gz"] = ("ok", BODY)
    download_url([f"{base}/missing/", f"{base}/good/"], str(tmp_path), "file.gz", BODY_MD5, **FAST)
    assert hits == {"/missing/file.gz": 1, "/good/file.gz": 1}


def test_when_every_mirror_fails_the_error_lists_them_and_explains(site, tmp_path):
    base, routes, hits = site
    routes["/bad/file.gz"] = ("ok", b"not the file")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    with pytest.raises(RuntimeError) as info:
        download_url([f"{base}/missing/", f"{base}/bad/", dead], str(tmp_path), "file.gz",
                     BODY_MD5, **FAST)
    message = str(info.value)
    assert "Could not download file.gz. Mirrors tried:" in message
    assert f"{base}/missing/file.gz: HTTP 404" in message
    assert f"{base}/bad/file.gz: MD5 mismatch" in message
    assert f"{dead}file.gz: cannot connect" in message
    assert f"download file.gz (MD5 {BODY_MD5})" in message
    assert os.path.join(tmp_path, "file.gz") in message
    assert os.listdir(tmp_path) == []


def test_progress_bar_with_and_without_tqdm(site, tmp_path, monkeypatch, capsys):
    base, routes, _ = site
    routes["/a/file.gz"] = ("ok", BODY)
    options = dict(FAST, progress=True)
    download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **options)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # as if tqdm were not installed
    download_url([f"{base}/a/"], str(tmp_path), "file.gz", BODY_MD5, **options)
    assert "Downloading file.gz" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# datasets with download=True
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def fashion_site(site, monkeypatch):
    """The server publishes the bundled Fashion-MNIST files; FashionMNIST points at it."""
    base, routes, hits = site
    resources = []
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", TEST_IMAGES, TEST_LABELS):
        content = Path(_bundled.bundled_file("fashion-mnist", name)).read_bytes()
        routes[f"/fashion/{name}.gz"] = ("ok", content)
        resources.append((name + ".gz", hashlib.md5(content).hexdigest()))
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [f"{base}/fashion/"])
    monkeypatch.setattr(datasets.FashionMNIST, "resources", resources)
    monkeypatch.setattr(datasets.FashionMNIST, "download_options", dict(FAST))
    return base, routes, hits


TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"


def test_download_places_files_in_torchvisions_layout(fashion_site, tmp_path):
    _, _, hits = fashion_site
    ds = datasets.FashionMNIST(root=str(tmp_path), train=False, download=True)
    raw = os.path.join(tmp_path, "FashionMNIST", "raw")
    assert ds.source == raw and len(ds) == 10000
    assert sorted(os.listdir(raw)) == sorted(name + ".gz" for name in (
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", TEST_IMAGES, TEST_LABELS))
    assert sum(hits.values()) == 4
    datasets.FashionMNIST(root=str(tmp_path), train=False, download=True)
    assert sum(hits.values()) == 4  # already there: nothing fetched again


def test_files_already_extracted_are_not_downloaded(fashion_site, tmp_path):
    _, _, hits = fashion_site
    raw = os.path.join(tmp_path, "FashionMNIST", "raw")
    os.makedirs(raw)
    import gzip

    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        with open(os.path.join(raw, name), "wb") as f:
            f.write(gzip.decompress(Path(_bundled.bundled_file("fashion-mnist", name)).read_bytes()))
    datasets.FashionMNIST(root=str(tmp_path), train=False, download=True)
    assert sorted(hits) == [f"/fashion/{TEST_IMAGES}.gz", f"/fashion/{TEST_LABELS}.gz"]


def test_a_failed_dataset_download_leaves_no_partial_file(fashion_site, tmp_path):
    base, routes, hits = fashion_site
    routes[f"/fashion/{TEST_IMAGES}.gz"] = ("truncate", routes[f"/fashion/{TEST_IMAGES}.gz"][1],
                                            100000)
    with pytest.raises(RuntimeError) as info:
        datasets.FashionMNIST(root=str(tmp_path), train=False, download=True)
    message = str(info.value)
    assert message.startswith("FashionMNIST: download failed. Could not download "
                              f"{TEST_IMAGES}.gz")
    assert "To install it by hand" in message and "download=False" in message
    raw = os.path.join(tmp_path, "FashionMNIST", "raw")
    # The files fetched before the failure are complete and verified; nothing else is there.
    assert sorted(os.listdir(raw)) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
