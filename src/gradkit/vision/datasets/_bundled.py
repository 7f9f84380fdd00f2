"""The copies of MNIST and Fashion-MNIST shipped inside the package, and their checksums.

The datasets fall back on these files when ``root`` holds no data and ``download`` is false, so
everything works offline. Each file is verified against the MD5 of its *uncompressed* content on
first use (the sums are those of ``_bundled/*/README.md``); a file that passed is remembered, by
path, size and modification time, for the rest of the process, so later datasets skip the hash.

The bundled Fashion-MNIST images are not byte-identical to the official download (see the
README), which is why these sums differ from the ones published with the official ``.gz`` files.

Example:
    >>> from gradkit.vision.datasets._bundled import bundled_file, read_bundled
    >>> read_bundled("fashion-mnist", "t10k-labels-idx1-ubyte").shape
    (10000,)
"""
from __future__ import annotations

import os
import threading
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from ..io import read_idx

__all__ = ["BUNDLED_DIR", "BUNDLED_MD5", "bundled_file", "read_bundled"]

BUNDLED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "_bundled")

# MD5 of the uncompressed files, as recorded in _bundled/<folder>/README.md.
BUNDLED_MD5: Dict[str, Dict[str, str]] = {
    "mnist": {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte": "66f0043fc0797d889438347ff2e63854",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "647a0e6355d3f0d44af3224f6aba1076",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    },
}

# (path, size, mtime_ns) of files whose MD5 was checked in this process.
_verified: set = set()
_verified_lock = threading.Lock()


def bundled_file(folder: str, name: str) -> str:
    """Path of a bundled file, e.g. ``bundled_file("mnist", "t10k-labels-idx1-ubyte")``.

    Raises:
        FileNotFoundError: the package was installed without its data files.
    """
    path = os.path.join(BUNDLED_DIR, folder, name + ".gz")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            2, "bundled data file missing (the installation is incomplete; reinstall gradkit, "
            "or pass download=True)", path,
        )
    return path


def _stamp(path: str) -> Tuple[str, int, int]:
    info = os.stat(path)
    return (path, info.st_size, info.st_mtime_ns)


def read_bundled(folder: str, name: str, reader: Callable[..., np.ndarray] = read_idx,
                 path: Optional[str] = None) -> np.ndarray:
    """Read a bundled IDX file, checking its MD5 the first time in this process.

    Args:
        folder: ``"mnist"`` or ``"fashion-mnist"``.
        name: the file's name without ``.gz``, e.g. ``"train-images-idx3-ubyte"``.
        reader: ``read_idx`` or one of its checking variants (``read_image_file``, ...);
            called as ``reader(path, md5=...)``.
        path: read this file instead of the bundled one but check it against the bundled
            sum (used by tests to check that a damaged copy is caught).

    Returns:
        The array the file holds, e.g. uint8 ``(60000, 28, 28)``.

    Raises:
        RuntimeError: the content does not have the recorded MD5.
    """
    path = path if path is not None else bundled_file(folder, name)
    stamp = _stamp(path)
    with _verified_lock:
        known_good = stamp in _verified
    array = reader(path, md5=None if known_good else BUNDLED_MD5[folder][name])
    if not known_good:
        with _verified_lock:
            _verified.add(stamp)
    return array
