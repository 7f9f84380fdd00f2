"""Bilinear resampling of image arrays, the way Pillow and PyTorch do it.

Both libraries resize separably (one axis, then the other) with a triangle filter whose support
widens when shrinking (antialiasing). Each output pixel ``i`` is a weighted sum of the input pixels
whose centres lie within ``support`` of its centre ``(i + 0.5) * in_size / out_size``; the weights
are ``1 - |distance| / filterscale``, normalised to sum to one.

- :func:`resize_uint8` reproduces Pillow's ``Image.resize(..., BILINEAR)`` on 8-bit images bit for
  bit: weights in 22-bit fixed point, each pass rounded and clipped to uint8. It lets a batch of
  ``(N, H, W)`` images be resized at once with exactly the result Pillow gives image by image.
- :func:`resize_float` is the floating-point version, like
  ``torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=True)``.

Example:
    >>> images = np.zeros((256, 28, 28), dtype=np.uint8)
    >>> resize_uint8(images, 64, 64).shape
    (256, 64, 64)
"""
from __future__ import annotations

import functools
from typing import Tuple

import numpy as np

__all__ = ["resize_uint8", "resize_float", "filter_weights", "vertical_first"]

# Pillow's fixed-point precision for 8-bit images (Resample.c: PRECISION_BITS = 32 - 8 - 2).
_PRECISION_BITS = 22


@functools.lru_cache(maxsize=64)
def filter_weights(in_size: int, out_size: int, antialias: bool = True) -> np.ndarray:
    """The ``(out_size, in_size)`` matrix of bilinear weights, as Pillow computes them.

    Row ``i`` holds the weights of output pixel ``i``; each row sums to one. This follows
    Pillow's ``precompute_coeffs`` step by step (same rounding of the window bounds, same
    summation order) so that the fixed-point weights derived from it match Pillow's exactly.

    Example:
        >>> filter_weights(2, 4)[0]
        array([1., 0.])
    """
    scale = in_size / out_size
    # Shrinking widens the triangle so that every input pixel contributes (antialiasing).
    filterscale = max(scale, 1.0) if antialias else 1.0
    support = 1.0 * filterscale  # the bilinear filter's support is 1
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    for i in range(out_size):
        center = (i + 0.5) * scale
        # int() truncates toward zero, as C's (int) cast does in Pillow.
        first = max(int(center - support + 0.5), 0)
        last = min(int(center + support + 0.5), in_size)
        row = [max(0.0, 1.0 - abs((j - center + 0.5) / filterscale)) for j in range(first, last)]
        total = 0.0
        for w in row:
            total += w
        if total != 0.0:
            row = [w / total for w in row]
        weights[i, first:last] = row
    weights.setflags(write=False)  # cached and shared
    return weights


def _round_fixed_point(accumulated: np.ndarray, taps: int) -> np.ndarray:
    """Pillow's ``clip8(((1 << 21) + sum) >> 22)``: round to the nearest integer, in place.

    Pillow also clips to 0..255, which only matters for filters with negative lobes. Bilinear
    weights are non-negative and their fixed-point sum exceeds 2**22 by at most half a unit per
    tap, so below 16,000 taps the result is already within 0..255 and the clip (a full pass)
    is skipped.
    """
    accumulated += 1 << (_PRECISION_BITS - 1)
    np.right_shift(accumulated, _PRECISION_BITS, out=accumulated)  # floor, like C's >> on int
    if taps >= 16000:
        np.clip(accumulated, 0, 255, out=accumulated)
    return accumulated.astype(np.uint8)


def _resize_last_axis_uint8(x: np.ndarray, out_size: int, antialias: bool) -> np.ndarray:
    """One Pillow pass along the last axis, in int32 fixed point (exact, like Pillow's C)."""
    index, weights = _taps(x.shape[-1], out_size, antialias)
    # Round half away from zero, then truncate: Pillow's (int)(w * 2**22 + 0.5) for w >= 0
    # (bilinear weights are never negative).
    fixed = np.trunc(weights * (1 << _PRECISION_BITS) + 0.5).astype(np.int32)
    # Pixel < 2**8 times weight <= 2**22, summed over a window whose weights add up to about
    # 2**22: the sums stay below 2**31, as they do in Pillow's int arithmetic.
    acc = np.multiply(x[..., index[:, 0]], fixed[:, 0], dtype=np.int32)
    for k in range(1, index.shape[1]):
        acc += x[..., index[:, k]] * fixed[:, k]
    return _round_fixed_point(acc, index.shape[1])


def _vertical_pass(x: np.ndarray, out_size: int, antialias: bool, along_last) -> np.ndarray:
    # Work on the transposed image so that weights vary along the last (contiguous) axis,
    # which NumPy's broadcasting handles several times faster than weights per row.
    swapped = np.ascontiguousarray(np.swapaxes(x, -1, -2))
    return np.ascontiguousarray(np.swapaxes(along_last(swapped, out_size, antialias), -1, -2))


@functools.lru_cache(maxsize=1)
def _pillow_may_resize_vertically_first() -> bool:
    """Whether the installed Pillow sometimes does the vertical pass first.

    Pillow always resized width first until version 12.2-13, which starts with the height when
    the height shrinks by more than twice as many pixels as the width (a speed-up that changes
    the rounding of the intermediate image). Probe once with an image where the two orders
    differ. Without Pillow there is nothing to match; follow the newer rule.
    """
    try:
        from PIL import Image
    except ImportError:
        return True
    probe = ((np.arange(28)[:, None] * 37 + np.arange(28)[None, :] * 101) % 256).astype(np.uint8)
    pillow = np.asarray(Image.fromarray(probe).resize((20, 1), Image.BILINEAR))
    width_first = _vertical_pass(_resize_last_axis_uint8(probe, 20, True), 1, True,
                                 _resize_last_axis_uint8)
    return not np.array_equal(pillow, width_first)


def vertical_first(in_height: int, in_width: int, height: int, width: int) -> bool:
    """Whether Pillow resizes ``(in_height, in_width) -> (height, width)`` height first."""
    if not _pillow_may_resize_vertically_first():
        return False
    return height < in_height and in_height - height > 2 * (in_width - width)


def resize_uint8(images: np.ndarray, height: int, width: int, antialias: bool = True) -> np.ndarray:
    """Resize 8-bit images exactly as Pillow's bilinear ``Image.resize`` does.

    Args:
        images: uint8 array ``(..., H, W)``, any number of leading (batch) dimensions.
        height, width: the output size.
        antialias: Pillow always antialiases; False gives plain bilinear interpolation.

    Returns:
        uint8 array ``(..., height, width)``.

    Example:
        >>> resize_uint8(np.full((2, 28, 28), 7, np.uint8), 14, 56)[0, 0, :3]
        array([7, 7, 7], dtype=uint8)
    """
    in_height, in_width = images.shape[-2:]
    # Each pass is a fixed sequence of elementwise integer operations, so a batch gives exactly
    # what Pillow gives image by image, and the rounding after each pass is Pillow's.
    result = images
    if vertical_first(in_height, in_width, height, width):
        result = _vertical_pass(result, height, antialias, _resize_last_axis_uint8)
        if width != in_width:
            result = _resize_last_axis_uint8(result, width, antialias)
    else:
        if width != in_width:
            result = _resize_last_axis_uint8(result, width, antialias)
        if height != in_height:
            result = _vertical_pass(result, height, antialias, _resize_last_axis_uint8)
    return result if result is not images else images.copy()


def _taps(in_size: int, out_size: int, antialias: bool) -> Tuple[np.ndarray, np.ndarray]:
    """For each output pixel, the input indices and weights of its window, ``(out, k)`` each."""
    weights = filter_weights(in_size, out_size, antialias)
    nonzero = weights != 0
    first = nonzero.argmax(axis=1)
    taps = int(nonzero.sum(axis=1).max())
    index = np.minimum(first[:, None] + np.arange(taps), in_size - 1)
    tap_weights = np.take_along_axis(weights, index, axis=1)
    # Indices clipped at the border repeat a pixel; their weight must count once.
    tap_weights[first[:, None] + np.arange(taps) > in_size - 1] = 0.0
    return index, tap_weights


def _resize_last_axis(x: np.ndarray, out_size: int, antialias: bool) -> np.ndarray:
    index, weights = _taps(x.shape[-1], out_size, antialias)
    weights = weights.astype(x.dtype)
    # A fixed sequence of elementwise multiply-adds (no BLAS): the result of every output
    # element then does not depend on the batch size, so batched and per-image results agree.
    out = x[..., index[:, 0]] * weights[:, 0]
    for k in range(1, index.shape[1]):
        out += x[..., index[:, k]] * weights[:, k]
    return out


def resize_float(images: np.ndarray, height: int, width: int, antialias: bool = True) -> np.ndarray:
    """Bilinear resize of float images, like PyTorch's ``interpolate`` with ``align_corners=False``.

    Args:
        images: float array ``(..., H, W)``.
        height, width: the output size.
        antialias: widen the filter when shrinking (torchvision's default).

    Returns:
        An array ``(..., height, width)`` of the input's dtype.

    Example:
        >>> resize_float(np.ones((1, 28, 28), np.float32), 64, 64).shape
        (1, 64, 64)
    """
    result = images
    if width != images.shape[-1]:
        result = _resize_last_axis(result, width, antialias)
    if height != images.shape[-2]:
        result = _vertical_pass(result, height, antialias, _resize_last_axis)
    return result if result is not images else images.copy()
