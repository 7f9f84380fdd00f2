"""Files the book downloads (``DATA_HUB``, ``download``, ``extract``), through gradkit's checked
downloads: streamed to a temporary file, retried, and only a complete file is kept; offline,
a clear error says where to put the file by hand.

Both editions in one: ``download(url, folder, sha1_hash)`` (1.0.3) also takes a ``DATA_HUB``
name (as 2.0.0's ``download(name, cache_dir)``).

Example:
    >>> d2l.DATA_HUB['kaggle_house_train']
    ('http://d2l-data.s3-accelerate.amazonaws.com/kaggle_house_pred_train.csv', '585e9c...')
    >>> d2l.download('kaggle_house_train')
    '../data/kaggle_house_pred_train.csv'
"""
from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile

__all__ = ["DATA_HUB", "DATA_URL", "download", "extract", "download_extract", "download_all"]

#: name -> (url, sha1) of the files the book's chapters read.
DATA_HUB: dict[str, tuple[str, str]] = dict()
#: The book's data server.
DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"

DATA_HUB["kaggle_house_train"] = (DATA_URL + "kaggle_house_pred_train.csv",
                                  "585e9cc93e70b39160e7921475f9bcd7d31219ce")
DATA_HUB["kaggle_house_test"] = (DATA_URL + "kaggle_house_pred_test.csv",
                                 "fa19780a7b011d9b009e8bff8e99922a8ee2eb90")


def _sha1(path: str) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, folder: str = os.path.join("..", "data"),
             sha1_hash: str | None = None) -> str:
    """Download ``url`` (or the ``DATA_HUB`` entry of that name) into ``folder``; return the
    local path. A file already there with the right SHA-1 is not downloaded again.

    Raises:
        KeyError: ``url`` is neither a URL nor a ``DATA_HUB`` name.
        RuntimeError: the download failed (offline, server error) or the file's SHA-1 is not
            ``sha1_hash``; nothing is left on disk.

    Example:
        >>> d2l.download(d2l.DATA_URL + 'kaggle_house_pred_train.csv', '../data', sha1)
        '../data/kaggle_house_pred_train.csv'
    """
    if not url.startswith("http"):
        if url not in DATA_HUB:
            raise KeyError(f"{url} does not exist in d2l.DATA_HUB (known: {', '.join(DATA_HUB)})")
        url, sha1_hash = DATA_HUB[url]
    from ..vision.datasets.utils import download_url

    os.makedirs(folder, exist_ok=True)
    base, filename = url.rsplit("/", 1)
    fname = os.path.join(folder, filename)
    if os.path.exists(fname) and sha1_hash and _sha1(fname) == sha1_hash:
        return fname  # already there
    print(f"Downloading {fname} from {url}...")
    try:
        download_url([base + "/"], folder, filename)
    except RuntimeError as error:
        raise RuntimeError(f"d2l.download: could not download {url}.\n{error}\nIf this machine "
                           f"is offline, copy the file to {fname} by hand.") from None
    actual = _sha1(fname) if sha1_hash else None
    if actual != sha1_hash:
        os.remove(fname)
        raise RuntimeError(f"d2l.download: {url} has SHA-1 {actual}, expected {sha1_hash}: "
                           "the file was removed")
    return fname


def extract(filename: str, folder: str | None = None) -> None:
    """Extract a zip or tar file into ``folder`` (its own folder by default).

    Raises:
        ValueError: the file is not a .zip, .tar or .gz.

    Example:
        >>> d2l.extract('../data/fra-eng.zip')
    """
    base_dir = os.path.dirname(filename)
    ext = os.path.splitext(filename)[1]
    if ext not in (".zip", ".tar", ".gz"):
        raise ValueError(f"d2l.extract: only zip/tar files can be extracted, not {filename}")
    if folder is None:
        folder = base_dir
    if ext == ".zip":
        with zipfile.ZipFile(filename, "r") as fp:
            fp.extractall(folder)
    else:
        with tarfile.open(filename, "r") as fp:
            fp.extractall(folder, filter="data")  # no paths outside folder, no devices


def download_extract(name: str, folder: str | None = None) -> str:
    """Download ``DATA_HUB[name]`` and extract it next to the download; return the extracted
    folder (``folder`` inside it, if given).

    Example:
        >>> d2l.download_extract('fra-eng')
    """
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir = os.path.splitext(fname)[0]
    extract(fname, base_dir)
    return os.path.join(base_dir, folder) if folder else data_dir


def download_all() -> None:
    """Download every file of ``DATA_HUB``.

    Example:
        >>> d2l.download_all()
    """
    for name in DATA_HUB:
        download(name)
