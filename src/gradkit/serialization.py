"""``save`` and ``load``: checkpoints in the safetensors format, written atomically.

A file is an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
shape and byte range, then the raw bytes. Loading parses JSON and copies bytes: it never
executes code from the file (no pickle). A flat ``{name: tensor}`` dict (a ``state_dict``) makes
a plain safetensors file that ``safetensors.torch.load_file`` reads; nested dicts and lists
(an optimizer's ``state_dict``, a training checkpoint with an epoch number) are flattened to
dotted names, with their shape and plain values kept in the header's ``__metadata__``.

Example:
    >>> gradkit.save(net.state_dict(), "model.safetensors")
    >>> net.load_state_dict(gradkit.load("model.safetensors"))
"""
from __future__ import annotations

import json
import os
import struct
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ._fileio import atomic_write
from .tensor import Tensor

__all__ = ["save", "load", "CheckpointError"]

_CODES = {"float16": "F16", "float32": "F32", "float64": "F64", "int8": "I8", "int16": "I16",
          "int32": "I32", "int64": "I64", "uint8": "U8", "bool": "BOOL"}
_DTYPES = {code: np.dtype(name) for name, code in _CODES.items()}
_TREE_KEY = "gradkit.tree"
_PLAIN_DICT_KEY = "gradkit.plain_dict"  # a flat file saved from a dict, not an OrderedDict
_MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit: refuse absurd headers before reading


class CheckpointError(RuntimeError):
    """A checkpoint file that is not valid safetensors (truncated, corrupt or not one)."""


def _contiguous(tensor: Tensor) -> np.ndarray:
    """The tensor's array in C order. Not ``np.ascontiguousarray``: it turns a 0-d array
    (an optimizer's ``step``, a scalar loss) into shape ``(1,)``."""
    array = tensor._data
    return array if array.flags.c_contiguous else array.copy(order="C")


def _flatten(obj: Any, prefix: str, tensors: dict[str, np.ndarray]) -> Any:
    """The JSON skeleton of ``obj``, with each tensor replaced by ``{"__tensor__": name}``."""
    if isinstance(obj, Tensor):
        name = prefix or "tensor"
        # Dotted paths can collide ({"a.b": x, "a": {"b": y}}); never let one overwrite another.
        suffix = 1
        while name in tensors:
            name = f"{prefix or 'tensor'}#{suffix}"
            suffix += 1
        tensors[name] = _contiguous(obj)
        return {"__tensor__": name}
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            out[str(key)] = _flatten(value, f"{prefix}.{key}" if prefix else str(key), tensors)
        # JSON keys are strings: remember which were ints (optimizer state is keyed by index).
        int_keys = [str(k) for k in obj if isinstance(k, int)]
        node = {"__dict__": out, "__int_keys__": int_keys} if int_keys else {"__dict__": out}
        if isinstance(obj, OrderedDict):
            node["__ordered__"] = True  # a state_dict comes back an OrderedDict, {} a dict
        return node
    if isinstance(obj, (list, tuple)):
        items = [_flatten(v, f"{prefix}.{i}" if prefix else str(i), tensors)
                 for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(
        f"gradkit.save stores tensors, dicts, lists, tuples, numbers, strings and None; got "
        f"{type(obj).__name__} at '{prefix}'. (Checkpoints never pickle arbitrary objects, so "
        "that loading can never run code.)")


def _unflatten(node: Any, tensors: dict[str, Tensor]) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            return tensors[node["__tensor__"]]
        if "__tuple__" in node:
            return tuple(_unflatten(v, tensors) for v in node["__tuple__"])
        if "__dict__" in node:
            int_keys = set(node.get("__int_keys__", ()))
            kind = OrderedDict if node.get("__ordered__") else dict
            return kind((int(k) if k in int_keys else k, _unflatten(v, tensors))
                        for k, v in node["__dict__"].items())
    if isinstance(node, list):
        return [_unflatten(v, tensors) for v in node]
    return node


def _is_flat_state(obj: Any) -> bool:
    return isinstance(obj, dict) and obj and all(
        isinstance(k, str) and isinstance(v, Tensor) for k, v in obj.items())


def _encode(obj: Any) -> bytes:
    tensors: dict[str, np.ndarray] = {}
    if _is_flat_state(obj):
        for key, value in obj.items():
            tensors[key] = _contiguous(value)
        metadata = {"format": "pt"}
        if not isinstance(obj, OrderedDict):
            metadata[_PLAIN_DICT_KEY] = "1"
    else:
        tree = _flatten(obj, "", tensors)
        metadata = {"format": "pt", _TREE_KEY: json.dumps(tree)}
    header: dict[str, Any] = {"__metadata__": metadata}
    offset = 0
    for name, array in tensors.items():
        code = _CODES.get(array.dtype.name)
        if code is None:
            raise TypeError(f"cannot save tensor '{name}' of dtype {array.dtype}")
        header[name] = {"dtype": code, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)  # safetensors aligns the data to 8 bytes
    parts = [struct.pack("<Q", len(header_bytes)), header_bytes]
    parts += [array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
              for array in tensors.values()]
    return b"".join(parts)


def save(obj: Any, f: str | os.PathLike | BinaryIO, **_: Any) -> None:
    """Write ``obj`` (a state dict, or a nested dict/list of tensors and plain values).

    The file is written to a temporary name beside the target and renamed over it, so an
    interrupted save leaves the previous file intact and never a half-written one.

    Args:
        obj: e.g. ``net.state_dict()``, or ``{"model": ..., "optimizer": ..., "epoch": 3}``.
        f: a path, or a binary file object.

    Example:
        >>> gradkit.save(net.state_dict(), "runs/model.safetensors")
    """
    data = _encode(obj)
    if hasattr(f, "write"):
        f.write(data)  # type: ignore[union-attr]
        return
    path = Path(f)
    if not path.parent.exists():
        raise FileNotFoundError(f"cannot save to '{path}': folder '{path.parent}' does not exist")
    atomic_write(path, lambda temp: Path(temp).write_bytes(data))


def _parse(raw: bytes, name: str) -> tuple[dict, dict[str, Tensor]]:
    """Validate and decode a safetensors byte string; every check names the file."""
    if len(raw) < 8:
        raise CheckpointError(f"'{name}' is not a safetensors checkpoint: only {len(raw)} bytes")
    (header_len,) = struct.unpack("<Q", raw[:8])
    if header_len > _MAX_HEADER or 8 + header_len > len(raw):
        raise CheckpointError(
            f"'{name}' is truncated or not a safetensors checkpoint (header of {header_len} bytes "
            f"in a {len(raw)}-byte file)")
    try:
        header = json.loads(raw[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"'{name}' has a corrupt header: {error}") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"'{name}' has a corrupt header: not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise CheckpointError(f"'{name}' has a corrupt header: __metadata__ must map strings "
                              "to strings")
    buffer = memoryview(raw)[8 + header_len:]
    entries = []
    for key, info in header.items():
        try:
            dtype = _DTYPES[info["dtype"]]
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(v) for v in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(f"'{name}': tensor '{key}' has an invalid header entry "
                                  f"{info!r}") from None
        if any(s < 0 for s in shape) or not 0 <= begin <= end <= len(buffer):
            raise CheckpointError(f"'{name}' is truncated or corrupt: tensor '{key}' points "
                                  f"outside the data ({begin}..{end} of {len(buffer)} bytes)")
        if end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise CheckpointError(f"'{name}': tensor '{key}' has {end - begin} bytes for shape "
                                  f"{list(shape)} of {dtype}")
        entries.append((begin, end, key, dtype, shape))
    entries.sort()
    position = 0
    for begin, end, key, _, _ in entries:
        if begin != position:
            raise CheckpointError(f"'{name}' is corrupt: tensor '{key}' overlaps or leaves a gap")
        position = end
    if position != len(buffer):
        raise CheckpointError(f"'{name}' is corrupt: {len(buffer) - position} bytes after the "
                              "last tensor")
    tensors: dict[str, Tensor] = {}
    for begin, end, key, dtype, shape in entries:
        array = np.frombuffer(buffer[begin:end], dtype=dtype.newbyteorder("<")).reshape(shape)
        tensors[key] = Tensor._wrap(array.astype(dtype, copy=True))
    ordered = OrderedDict((key, tensors[key]) for key in header)
    return metadata, ordered


def _refuse_pickles(raw: bytes, name: str) -> None:
    """A clear error for the files PyTorch's own ``torch.save`` writes: a zip archive holding a
    pickle (since PyTorch 1.6) or a bare pickle (older). Unpickling can run any code, so
    gradkit never reads them."""
    if raw[8:9] == b"{" and 8 + struct.unpack("<Q", raw[:8])[0] <= len(raw):
        return  # a safetensors header (whose length may begin with a pickle's bytes)
    magic = raw[:2]
    if raw.startswith(b"PK\x03\x04"):
        kind = "a zip archive holding a pickle"
    elif magic in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"):
        kind = "a pickle"
    else:
        return
    raise CheckpointError(
        f"'{name}' was written by PyTorch's torch.save ({kind}); gradkit.load does not unpickle, "
        "because unpickling a file can run any code in it. gradkit.load reads safetensors "
        "files: those written by gradkit.save / torch.save under gradkit.compat (tensors, and "
        "lists, tuples and dicts of tensors, numbers and strings, such as a state_dict), or by "
        "safetensors.torch.save_file(model.state_dict(), path) in PyTorch.")


def load(f: str | os.PathLike | BinaryIO, map_location: Any = None,
         weights_only: bool = True, **_: Any) -> Any:
    """Read a checkpoint written by ``save`` (or any safetensors file, e.g. one PyTorch wrote
    with ``safetensors.torch.save_file``).

    The file is validated before use (header size, JSON, dtypes, shapes, byte ranges); a bad
    file raises ``CheckpointError`` (a RuntimeError) naming it. No code is ever executed.

    Args:
        f: a path or a binary file object.
        map_location, weights_only: accepted for PyTorch compatibility (always CPU, always safe).

    Returns:
        What was saved: an ``OrderedDict`` of tensors for a state dict.

    Example:
        >>> state = gradkit.load("runs/model.safetensors")
    """
    if hasattr(f, "read"):
        raw = f.read()  # type: ignore[union-attr]
        name = getattr(f, "name", "<file object>")
    else:
        path = Path(f)
        if not path.is_file():
            raise FileNotFoundError(f"No such checkpoint file: '{path}'")
        raw = path.read_bytes()
        name = str(path)
    _refuse_pickles(bytes(raw), str(name))
    metadata, tensors = _parse(bytes(raw), str(name))
    tree = metadata.get(_TREE_KEY)
    if tree is None:
        return dict(tensors) if metadata.get(_PLAIN_DICT_KEY) else tensors
    try:
        return _unflatten(json.loads(tree), tensors)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"'{name}' has a corrupt structure entry: {error}") from None


