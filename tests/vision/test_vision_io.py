"""The IDX reader: every element type, gzip or raw, and a clear error for each kind of damage."""
from __future__ import annotations

import gzip
import os
import struct
import hashlib

import numpy as np
import pytest

from gradkit.vision import io

TYPE_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D,
              np.float64: 0x0E}


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, TYPE_CODES[array.dtype.type], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(tmp_path, name: str, content: bytes, compress: bool = False) -> str:
    path = os.path.join(tmp_path, name)
    with open(path, "wb") as f:
        f.write(gzip.compress(content) if compress else content)
    return path


@pytest.mark.parametrize("dtype", list(TYPE_CODES))
@pytest.mark.parametrize("compress", [False, True])
def test_reads_every_element_type(tmp_path, dtype, compress):
    array = (np.arange(2 * 3 * 4) - 7).astype(dtype).reshape(2, 3, 4)
    path = write(tmp_path, "a-idx3", idx_bytes(array), compress)
    result = io.read_idx(path)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    assert np.array_equal(result, array)
    result[0, 0, 0] = 1  # writable


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    array = np.arange(5, dtype=np.uint8)
    assert np.array_equal(io.read_idx(write(tmp_path, "x.gz", idx_bytes(array))), array)
    assert np.array_equal(io.read_idx(write(tmp_path, "y", idx_bytes(array), True)), array)


def test_image_and_label_readers_check_the_layout(tmp_path):
    images = write(tmp_path, "images", idx_bytes(np.zeros((3, 2, 2), np.uint8)))
    labels = write(tmp_path, "labels", idx_bytes(np.array([1, 2, 3], np.uint8)))
    assert io.read_image_file(images).shape == (3, 2, 2)
    assert io.read_label_file(labels).dtype == np.int64
    with pytest.raises(RuntimeError, match=r"labels: expected uint8 images of shape \(N, H, W\)"):
        io.read_image_file(labels)
    with pytest.raises(RuntimeError, match=r"images: expected uint8 labels"):
        io.read_label_file(images)
    floats = write(tmp_path, "floats", idx_bytes(np.zeros((3, 2, 2), np.float32)))
    with pytest.raises(RuntimeError, match="float32"):
        io.read_image_file(floats)


def test_missing_file_is_file_not_found_naming_it(tmp_path):
    path = os.path.join(tmp_path, "nowhere-idx1-ubyte.gz")
    with pytest.raises(FileNotFoundError, match="nowhere-idx1-ubyte.gz") as info:
        io.read_idx(path)
    assert info.value.filename == path


GOOD = idx_bytes(np.arange(60, dtype=np.uint8).reshape(3, 4, 5))


@pytest.mark.parametrize("content,message", [
    (b"", "too short"),
    (b"\x00\x00", "too short"),
    (b"\x08\x03\x00\x00" + GOOD[4:], "not an IDX file"),
    (b"\x00\x00\x07\x03" + GOOD[4:], "unknown IDX element type code 0x07"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (GOOD[:10], "truncated header"),
    (GOOD[:-1], "truncated: the header announces shape (3, 4, 5)"),
    (GOOD[:30], "only 14 bytes follow"),
    (GOOD + b"\x00\x00", "2 unexpected bytes"),
])
@pytest.mark.parametrize("compress", [False, True])
def test_damaged_files_raise_runtime_error_naming_the_file(tmp_path, content, message, compress):
    path = write(tmp_path, "damaged-idx3-ubyte", content, compress)
    with pytest.raises(RuntimeError) as info:
        io.read_idx(path)
    assert path in str(info.value) and message in str(info.value)


def test_truncated_or_corrupt_gzip_raises_runtime_error(tmp_path):
    compressed = gzip.compress(idx_bytes(np.random.default_rng(0).integers(0, 255, (50, 28, 28))
                                         .astype(np.uint8)))
    truncated = write(tmp_path, "truncated.gz", compressed[: len(compressed) // 2])
    with pytest.raises(RuntimeError, match="truncated.gz: the gzip data is truncated or corrupt"):
        io.read_idx(truncated)
    flipped = bytearray(compressed)
    flipped[len(flipped) // 2] ^= 0xFF
    corrupt = write(tmp_path, "corrupt.gz", bytes(flipped))
    with pytest.raises(RuntimeError, match="corrupt.gz: the gzip data is truncated or corrupt"):
        io.read_idx(corrupt)


def test_md5_of_the_uncompressed_content_is_checked(tmp_path):
    path = write(tmp_path, "sum.gz", GOOD, compress=True)
    good = hashlib.md5(GOOD).hexdigest()
    assert np.array_equal(io.read_idx(path, md5=good), io.read_idx(path))
    with pytest.raises(RuntimeError, match=f"sum.gz: MD5 mismatch \\(expected {'0' * 32}, got {good}\\)"):
        io.read_idx(path, md5="0" * 32)


def test_decode_idx_on_bytes():
    assert io.decode_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).tolist() == [7, 9]


@pytest.mark.parametrize("compress", [False, True])
def test_uint8_data_is_the_readers_own_buffer_not_a_copy(tmp_path, compress):
    """Bytes need no byte swap: the array wraps the (writable) buffer the file was read
    into, so a 47 MB image file is held once; it is still writable and independent of others."""
    array = np.random.default_rng(3).integers(0, 256, (40, 28, 28)).astype(np.uint8)
    path = write(tmp_path, "images", idx_bytes(array), compress)
    first, second = io.read_idx(path), io.read_idx(path)
    owner = first
    while isinstance(owner, np.ndarray):  # the reshape's base, then frombuffer's
        owner = owner.base
    assert isinstance(owner, memoryview) and isinstance(owner.obj, bytearray)
    assert first.flags.writeable
    assert np.array_equal(first, array)
    first[0, 0, 0] ^= 0xFF
    assert second[0, 0, 0] == array[0, 0, 0]  # separate reads share nothing


def test_multi_member_gzip_reads_every_member(tmp_path):
    content = idx_bytes(np.arange(100, dtype=np.uint8))
    path = os.path.join(tmp_path, "two-members")
    with open(path, "wb") as f:  # gzip concatenation, which gzip.decompress accepts
        f.write(gzip.compress(content[:50]) + gzip.compress(content[50:]))
    assert np.array_equal(io.read_idx(path), np.arange(100, dtype=np.uint8))


def test_decoding_bytes_still_gives_a_writable_copy():
    result = io.decode_idx(idx_bytes(np.arange(4, dtype=np.uint8)))
    result[0] = 9
    assert result.tolist() == [9, 1, 2, 3]
