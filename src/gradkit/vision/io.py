"""Reading IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a tiny header followed by a dense, big-endian array::

    bytes 0-1   zero
    byte  2     element type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64)
    byte  3     number of dimensions, d
    4*d bytes   the size of each dimension, big-endian uint32
    the rest    prod(sizes) elements, row-major, big-endian

Files may be gzip-compressed (recognised by their content, not their name). Every check names
the file, because a damaged download is the usual cause and the fix is to delete that file.

Example:
    >>> from gradkit.vision.io import read_idx
    >>> images = read_idx("root/FashionMNIST/raw/train-images-idx3-ubyte.gz")
    >>> images.shape, images.dtype
    ((60000, 28, 28), dtype('uint8'))
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import os
import struct
import zlib
from typing import Optional, Union

import numpy as np

__all__ = ["read_idx", "decode_idx", "read_image_file", "read_label_file", "IDX_DTYPES"]

PathLike = Union[str, "os.PathLike[str]"]

# IDX type code -> NumPy dtype as stored in the file (big-endian).
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 22  # bytes of decompressed data per step


def _read_bytes(path: PathLike) -> bytearray:
    """The file's content, decompressed if it is gzip data, in a writable buffer (so that
    :func:`decode_idx` can wrap it without copying)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(errno.ENOENT, "IDX file not found", path)
    with open(path, "rb") as f:
        raw = bytearray(os.fstat(f.fileno()).st_size)
        del raw[f.readinto(raw):]  # a file that shrank meanwhile
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        # zlib's own gzip reader (it checks the CRC and length) is ~1.6x as fast as
        # gzip.decompress, which streams through Python; that stays for multi-member files.
        # Chunks appended to one buffer: the decompressed data exists once, not twice.
        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        content, pending = bytearray(), memoryview(raw)
        while pending and not stream.eof:
            content += stream.decompress(pending, _CHUNK)
            pending = stream.unconsumed_tail
        if not stream.eof:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")
        if stream.unused_data:
            content = bytearray(gzip.decompress(raw))
        return content
    except (EOFError, OSError, zlib.error) as error:
        # EOFError: the stream stops early (truncated download); OSError/zlib.error: bad bytes or CRC.
        raise RuntimeError(
            f"{path}: the gzip data is truncated or corrupt ({error}). "
            "Delete the file and download it again."
        ) from None


def decode_idx(content: bytes | bytearray, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file into an array.

    Args:
        content: the whole file.
        name: used in error messages, normally the file's path.

    Returns:
        A writable array in native byte order with the shape the header gives.

    Raises:
        RuntimeError: bad magic number, unknown type code, or a data length that does not match
            the header (truncated or with trailing bytes).

    Example:
        >>> decode_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).tolist()
        [7, 9]
    """
    if len(content) < 4:
        raise RuntimeError(f"{name}: only {len(content)} bytes, too short to be an IDX file")
    if content[0] != 0 or content[1] != 0:
        magic = int.from_bytes(content[:4], "big")
        raise RuntimeError(
            f"{name}: not an IDX file (magic number 0x{magic:08X}; "
            "expected 0x0000 followed by a type code and a dimension count)"
        )
    type_code, ndim = content[2], content[3]
    if type_code not in IDX_DTYPES:
        raise RuntimeError(f"{name}: unknown IDX element type code 0x{type_code:02X}")
    if ndim == 0:
        raise RuntimeError(f"{name}: IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise RuntimeError(
            f"{name}: truncated header ({len(content)} bytes, the header alone needs {header_size})"
        )
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    file_dtype = IDX_DTYPES[type_code]
    count = int(np.prod(shape, dtype=np.int64))
    expected = count * file_dtype.itemsize
    actual = len(content) - header_size
    if actual < expected:
        raise RuntimeError(
            f"{name}: truncated: the header announces shape {tuple(shape)} ({expected} bytes of data) "
            f"but only {actual} bytes follow. Delete the file and download it again."
        )
    if actual > expected:
        raise RuntimeError(
            f"{name}: corrupt: {actual - expected} unexpected bytes after the {expected} bytes of data "
            f"that the header (shape {tuple(shape)}) announces"
        )
    array = np.frombuffer(content, dtype=file_dtype, count=count, offset=header_size)
    if isinstance(content, bytearray) and file_dtype.isnative:
        # A view of the reader's own writable buffer: the 47 MB of Fashion-MNIST's images
        # are not copied again.
        return array.reshape(shape)
    # One copy, which also makes the array writable and native-endian (a frombuffer view of
    # `bytes` is read-only, and callers such as `dataset.data[i] = ...` expect to write).
    return array.astype(file_dtype.newbyteorder("="), copy=True).reshape(shape)


def read_idx(path: PathLike, md5: Optional[str] = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, into a NumPy array.

    Args:
        path: the file.
        md5: if given, the expected MD5 hex digest of the *uncompressed* content; a mismatch
            raises before any data is returned.

    Returns:
        An array with the file's shape, e.g. ``(N, 28, 28)`` uint8 for images, ``(N,)`` uint8
        for labels.

    Raises:
        FileNotFoundError: the file does not exist.
        RuntimeError: the file is truncated, corrupt, not IDX, or fails the MD5 check.

    Example:
        >>> read_idx("train-labels-idx1-ubyte.gz")[:3]
        array([9, 0, 0], dtype=uint8)
    """
    name = os.fspath(path)
    content = _read_bytes(name)
    if md5 is not None:
        actual = hashlib.md5(content).hexdigest()
        if actual != md5:
            raise RuntimeError(
                f"{name}: MD5 mismatch (expected {md5}, got {actual}); the file is corrupt or was "
                "modified. Reinstall gradkit or delete the file and download it again."
            )
    return decode_idx(content, name)


def read_image_file(path: PathLike, md5: Optional[str] = None) -> np.ndarray:
    """Read an IDX image file: uint8 of shape ``(N, H, W)``.

    Raises:
        RuntimeError: the file holds another dtype or number of dimensions (besides the checks of
            :func:`read_idx`).

    Example:
        >>> read_image_file("t10k-images-idx3-ubyte.gz").shape
        (10000, 28, 28)
    """
    array = read_idx(path, md5)
    if array.dtype != np.uint8 or array.ndim != 3:
        raise RuntimeError(
            f"{os.fspath(path)}: expected uint8 images of shape (N, H, W), "
            f"got {array.dtype} of shape {array.shape}"
        )
    return array


def read_label_file(path: PathLike, md5: Optional[str] = None) -> np.ndarray:
    """Read an IDX label file: int64 of shape ``(N,)`` (the file stores uint8).

    Example:
        >>> read_label_file("t10k-labels-idx1-ubyte.gz")[:3]
        array([9, 2, 1])
    """
    array = read_idx(path, md5)
    if array.dtype != np.uint8 or array.ndim != 1:
        raise RuntimeError(
            f"{os.fspath(path)}: expected uint8 labels of shape (N,), "
            f"got {array.dtype} of shape {array.shape}"
        )
    return array.astype(np.int64)
