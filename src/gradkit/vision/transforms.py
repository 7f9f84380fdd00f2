"""Image transforms, like ``torchvision.transforms``: ``ToTensor``, ``Normalize``, ``Resize``, ...

Each transform is a callable object applied to one image (a PIL image, or a tensor for the ones
that work on tensors), exactly as in torchvision. The book's pipeline is::

    trans = transforms.Compose([transforms.Resize(64), transforms.ToTensor()])
    mnist_train = datasets.FashionMNIST(root="../data", train=True, transform=trans)

The known transforms can also run on a whole batch at once (:func:`transform_batch`): the vision
datasets use it in ``__getitems__`` so that a ``DataLoader`` batch is made with a few array
operations instead of 256 PIL round trips. The batched results are identical to the per-image
ones; ``Lambda`` and user-defined transforms fall back to the per-image path.

Example:
    >>> from gradkit.vision import transforms
    >>> t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    >>> t(np.zeros((28, 28), dtype=np.uint8)).shape
    gradkit.Size([1, 28, 28])
"""
from __future__ import annotations

import enum
import numbers
import sys
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np

import gradkit
from gradkit.tensor import Tensor

from ._resample import resize_float, resize_uint8

__all__ = ["Compose", "ToTensor", "PILToTensor", "ConvertImageDtype", "Normalize", "Resize",
           "Lambda", "InterpolationMode", "transform_batch"]

# A batch moving through transform_batch is in one of two stages: "pil", a uint8 array
# (N, H, W) standing for N grayscale PIL images, or a NumPy dtype, for a tensor batch
# (N, C, H, W) of that dtype.
Stage = Union[str, np.dtype]
_PIL = "pil"


def _is_pil_image(obj: Any) -> bool:
    # If PIL.Image was never imported, obj cannot be a PIL image: no need to import Pillow.
    image_module = sys.modules.get("PIL.Image")
    return image_module is not None and isinstance(obj, image_module.Image)


def _wrap(array: np.ndarray) -> Tensor:
    return gradkit.from_numpy(array)


class InterpolationMode(enum.Enum):
    """Resampling filters, named as in torchvision.

    Example:
        >>> Resize(64, interpolation=InterpolationMode.BILINEAR)
        Resize(size=64, interpolation=bilinear, max_size=None, antialias=True)
    """

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _pil_filter(mode: InterpolationMode) -> int:
    from PIL import Image

    filters = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
               InterpolationMode.BICUBIC: Image.BICUBIC, InterpolationMode.BOX: Image.BOX,
               InterpolationMode.HAMMING: Image.HAMMING, InterpolationMode.LANCZOS: Image.LANCZOS}
    if mode not in filters:
        raise ValueError(f"Interpolation mode {mode.value} is unsupported with PIL images")
    return filters[mode]


class _Transform:
    """Base of the transforms that know how to process a whole batch.

    ``_batch_stage`` says what a batch becomes (or None if this transform cannot take a batch in
    that stage); ``_apply_batch`` does it. Both must agree exactly with ``__call__``.
    """

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        return None

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _batchable(transform: Any) -> bool:
    """True if ``transform``'s own ``__call__`` is the one its ``_apply_batch`` mirrors.

    A user subclass that overrides ``__call__`` (but not ``_apply_batch``) would make the batched
    path disagree with the per-image one, so it is treated as unknown.
    """
    cls = type(transform)
    for klass in cls.__mro__:
        if "_apply_batch" in klass.__dict__:
            return klass is not _Transform and cls.__call__ is klass.__call__
    return False


class Compose(_Transform):
    """Apply transforms one after the other.

    Args:
        transforms: a list of callables.

    Example:
        >>> Compose([Resize(64), ToTensor()])(image).shape
        gradkit.Size([1, 64, 64])
    """

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        for t in self.transforms:
            if not _batchable(t):
                return None
            stage = t._batch_stage(stage)
            if stage is None:
                return None
        return stage

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        for t in self.transforms:
            batch, stage = t._apply_batch(batch, stage), t._batch_stage(stage)
        return batch

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


def _pil_to_hwc(pic: Any) -> np.ndarray:
    """A PIL image as an (H, W, C) array, with torchvision's dtype for each mode."""
    dtypes = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
              "F": np.float32}
    array = np.array(pic, dtype=dtypes.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array  # 1-bit images become 0 / 255, as in torchvision
    return array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))


def _uint8_to_float(array: np.ndarray) -> np.ndarray:
    """``x / 255`` into the default float dtype: one pass, written contiguously.

    A true division (not a multiply by 1/255) so that values are bit-identical to PyTorch's
    ``x.float().div(255)``.
    """
    out = np.empty(array.shape, dtype=gradkit.get_default_dtype().numpy)
    np.divide(array, out.dtype.type(255), out=out)
    return out


class ToTensor(_Transform):
    """Convert a PIL image or NumPy array ``(H, W, C)`` to a tensor ``(C, H, W)`` in [0, 1].

    uint8 inputs (PIL modes L, RGB, ... and uint8 arrays) are divided by 255 into float32; other
    dtypes keep their values and dtype, as in torchvision. A 2-D array gets one channel.

    Shapes:
        Input: PIL image of size (W, H) or array ``(H, W)`` / ``(H, W, C)``.
        Output: ``(C, H, W)``.

    Example:
        >>> ToTensor()(np.full((28, 28), 255, np.uint8)).max()
        tensor(1.)
    """

    def __call__(self, pic: Any) -> Tensor:
        if _is_pil_image(pic):
            array = _pil_to_hwc(pic)
        elif isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
            array = pic[:, :, None] if pic.ndim == 2 else pic
        else:
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        chw = array.transpose(2, 0, 1)
        if chw.dtype == np.uint8:
            return _wrap(_uint8_to_float(chw))
        return _wrap(np.ascontiguousarray(chw))

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        return gradkit.get_default_dtype().numpy if stage == _PIL else None

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        # The whole batch in one division: (N, H, W) uint8 -> (N, 1, H, W) float32.
        return _uint8_to_float(batch[:, None])


class PILToTensor(_Transform):
    """Convert a PIL image to a tensor ``(C, H, W)`` keeping its dtype (uint8 stays uint8).

    A uint8 NumPy array ``(H, W)`` or ``(H, W, C)`` is accepted too (gradkit extension, used when
    Pillow is not installed and datasets hand out arrays).

    Example:
        >>> PILToTensor()(image).dtype
        gradkit.uint8
    """

    def __call__(self, pic: Any) -> Tensor:
        if _is_pil_image(pic):
            array = np.array(pic, copy=True).reshape(pic.size[1], pic.size[0], len(pic.getbands()))
        elif isinstance(pic, np.ndarray) and pic.ndim in (2, 3):
            array = pic[:, :, None] if pic.ndim == 2 else pic
        else:
            raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
        return _wrap(np.ascontiguousarray(array.transpose(2, 0, 1)))

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        return np.dtype(np.uint8) if stage == _PIL else None

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        return np.ascontiguousarray(batch[:, None])


def _max_value(dtype: np.dtype) -> int:
    return int(np.iinfo(dtype).max)


def convert_image_dtype_array(image: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """torchvision's ``convert_image_dtype`` on a NumPy array (values rescaled to the new range).

    Integers map to floats in [0, 1] by dividing by the type's maximum; floats map to integers by
    multiplying by ``max + 1 - 0.001`` and truncating; integers to integers by a power-of-two
    factor.

    Example:
        >>> convert_image_dtype_array(np.array([255], np.uint8), np.dtype(np.float32))
        array([1.], dtype=float32)
    """
    source = image.dtype
    if source == dtype:
        return image
    if source.kind == "f":
        if dtype.kind == "f":
            return image.astype(dtype)
        if (source == np.float32 and dtype in (np.int32, np.int64)) or (
                source == np.float64 and dtype == np.int64):
            raise RuntimeError(
                f"The cast from gradkit.{source} to gradkit.{dtype} cannot be performed safely.")
        eps = 1e-3
        # The scalar is cast to the image's float type first, as PyTorch does.
        return (image * source.type(_max_value(dtype) + 1.0 - eps)).astype(dtype)
    input_max = _max_value(source)
    if dtype.kind == "f":
        out = np.empty(image.shape, dtype=dtype)
        np.divide(image, dtype.type(input_max), out=out)
        return out
    output_max = _max_value(dtype)
    if input_max > output_max:
        factor = (input_max + 1) // (output_max + 1)
        return np.floor_divide(image, factor).astype(dtype)
    factor = (output_max + 1) // (input_max + 1)
    return image.astype(dtype) * dtype.type(factor)


class ConvertImageDtype(_Transform):
    """Convert a tensor image to ``dtype``, rescaling values (uint8 255 -> float 1.0).

    Shapes:
        Input: ``(..., C, H, W)`` tensor. Output: same shape, new dtype.

    Example:
        >>> ConvertImageDtype(gradkit.float32)(PILToTensor()(image)).max() <= 1
        tensor(True)
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype

    def __call__(self, image: Tensor) -> Tensor:
        if not isinstance(image, Tensor):
            raise TypeError("Input img should be Tensor Image")
        return _wrap(convert_image_dtype_array(image._data, self._numpy_dtype()))

    def _numpy_dtype(self) -> np.dtype:
        return gradkit._dtype.to_dtype(self.dtype).numpy

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        if stage == _PIL:
            return None
        source, target = np.dtype(stage), self._numpy_dtype()
        unsafe = (source == np.float32 and target in (np.int32, np.int64)) or (
            source == np.float64 and target == np.int64)
        return None if unsafe else target  # let the per-image path raise the error

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        return convert_image_dtype_array(batch, self._numpy_dtype())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dtype={self.dtype})"


class Normalize(_Transform):
    """Normalize each channel: ``output[c] = (input[c] - mean[c]) / std[c]``.

    Args:
        mean: one value per channel (or one value for all).
        std: one value per channel (or one value for all).
        inplace: modify the input tensor instead of returning a new one.

    Shapes:
        Input: float tensor ``(..., C, H, W)``. Output: same.

    Example:
        >>> Normalize((0.5,), (0.5,))(gradkit.ones(1, 2, 2))
        tensor([[[1., 1.],
                 [1., 1.]]])
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def _statistics(self, dtype: np.dtype) -> Tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(self.mean, dtype=dtype)
        std = np.asarray(self.std, dtype=dtype)
        if (std == 0).any():
            raise ValueError(
                f"std evaluated to zero after conversion to gradkit.{dtype}, "
                "leading to division by zero.")
        # One value per channel, broadcast over H and W.
        return (mean.reshape(-1, 1, 1) if mean.ndim == 1 else mean,
                std.reshape(-1, 1, 1) if std.ndim == 1 else std)

    def _normalize(self, array: np.ndarray, inplace: bool) -> np.ndarray:
        mean, std = self._statistics(array.dtype)
        out = array if inplace else np.empty_like(array)
        # Subtract then divide, in the tensor's dtype, the same two roundings as PyTorch.
        np.subtract(array, mean, out=out)
        np.divide(out, std, out=out)
        return out

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tensor.size()}")
        if self.inplace:
            with gradkit.no_grad():
                self._normalize(tensor._data, inplace=True)
            return tensor
        return _wrap(self._normalize(tensor._data, inplace=False))

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        return stage if stage != _PIL and np.dtype(stage).kind == "f" else None

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        # The batch is a fresh array owned by the pipeline: normalizing it in place is safe.
        return self._normalize(batch, inplace=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def _output_size(height: int, width: int, size: Sequence[int],
                 max_size: Optional[int]) -> Tuple[int, int]:
    """torchvision's rule: one number sets the shorter edge (aspect kept); two set (H, W)."""
    if len(size) == 2:
        return int(size[0]), int(size[1])
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = int(size[0]), int(int(size[0]) * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested size for "
                f"the smaller edge size (size={size})")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if width <= height else (new_short, new_long)


class Resize(_Transform):
    """Resize an image to ``size``, bilinearly by default, like torchvision.

    An int ``size`` matches the shorter edge to it and keeps the aspect ratio
    (``(H, W) -> (size * H / W, size)`` if ``W <= H``); a pair ``(h, w)`` sets both.
    PIL images are resized by Pillow (antialiased). Tensors ``(..., H, W)`` and uint8 arrays
    ``(H, W)`` / ``(H, W, C)`` are resized in NumPy: float tensors like PyTorch's
    ``interpolate(mode="bilinear", antialias=antialias)``, uint8 arrays exactly as Pillow would.

    Args:
        size: int, or sequence of 1 or 2 ints ``(h, w)``.
        interpolation: an :class:`InterpolationMode`; tensors support ``BILINEAR`` only.
        max_size: cap on the longer edge when ``size`` is an int.
        antialias: widen the filter when shrinking tensors (PIL images are always antialiased).

    Example:
        >>> Resize(64)(image).size          # a 28x28 PIL image
        (64, 64)
    """

    def __init__(self, size: Union[int, Sequence[int]],
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR,
                 max_size: Optional[int] = None, antialias: Optional[bool] = True) -> None:
        if not isinstance(size, (numbers.Integral, Sequence)) or isinstance(size, (bool, str)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        if max_size is not None and isinstance(size, Sequence) and len(size) == 2:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1")
        if not isinstance(interpolation, InterpolationMode):
            raise TypeError("Argument interpolation should be of type InterpolationMode")
        self.size = size
        self.interpolation = interpolation
        self.max_size = max_size
        self.antialias = antialias

    def _target(self, height: int, width: int) -> Tuple[int, int]:
        size = [self.size] if isinstance(self.size, numbers.Integral) else list(self.size)
        return _output_size(height, width, size, self.max_size)

    def _resize_array(self, array: np.ndarray, channels_last: bool) -> np.ndarray:
        """Resize the last two axes (or the two before a channel axis)."""
        if self.interpolation is not InterpolationMode.BILINEAR:
            raise NotImplementedError(
                f"gradkit resizes tensors and arrays bilinearly only, not with "
                f"{self.interpolation.value}; pass a PIL image instead")
        planes = np.moveaxis(array, -1, 0) if channels_last else array
        height, width = self._target(*planes.shape[-2:])
        if (height, width) == planes.shape[-2:]:
            return array  # torchvision returns the input unchanged
        if planes.dtype == np.uint8 and channels_last:
            resized = resize_uint8(planes, height, width)  # an image: Pillow's exact result
        elif planes.dtype.kind == "f":
            resized = resize_float(planes, height, width, bool(self.antialias))
        else:
            # Integer tensors: computed in float32 and rounded back, as torchvision does.
            resized = resize_float(planes.astype(np.float32), height, width, bool(self.antialias))
            resized = np.rint(resized).astype(planes.dtype)
        return np.ascontiguousarray(np.moveaxis(resized, 0, -1)) if channels_last else resized

    def __call__(self, img: Any) -> Any:
        if _is_pil_image(img):
            height, width = self._target(img.size[1], img.size[0])
            if (height, width) == (img.size[1], img.size[0]):
                return img
            return img.resize((width, height), _pil_filter(self.interpolation))
        if isinstance(img, Tensor):
            if img.ndim < 2:
                raise ValueError(f"Expected a tensor image of size (..., H, W). Got {img.shape}")
            resized = self._resize_array(img._data, channels_last=False)
            return img if resized is img._data else _wrap(resized)
        if isinstance(img, np.ndarray) and img.ndim in (2, 3):
            return self._resize_array(img[:, :, None] if img.ndim == 2 else img,
                                      channels_last=True).reshape(
                self._target(*img.shape[:2]) + img.shape[2:])
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")

    def _batch_stage(self, stage: Stage) -> Optional[Stage]:
        return stage if self.interpolation is InterpolationMode.BILINEAR else None

    def _apply_batch(self, batch: np.ndarray, stage: Stage) -> np.ndarray:
        height, width = self._target(*batch.shape[-2:])
        if (height, width) == batch.shape[-2:]:
            return batch
        if stage == _PIL:
            return resize_uint8(batch, height, width)  # Pillow's result for each image
        return self._resize_array(batch, channels_last=False)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class Lambda:
    """Apply a user function as a transform.

    Example:
        >>> Lambda(lambda x: x * 2)(gradkit.ones(1))
        tensor([2.])
    """

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def transform_batch(transform: Any, images: np.ndarray) -> Optional[Tensor]:
    """Apply ``transform`` to a batch of grayscale images at once, if it is made of known parts.

    ``images`` stands for N PIL images of mode ``L``. The result equals
    ``gradkit.stack([transform(Image.fromarray(im)) for im in images])`` exactly.

    Args:
        transform: a transform from this module (or a ``Compose`` of them).
        images: uint8 array ``(N, H, W)``.

    Returns:
        A tensor ``(N, C, H', W')``, or None when the transform contains something else
        (``Lambda``, a user class, a non-bilinear ``Resize``) or does not end in a tensor; the
        caller then transforms image by image.

    Example:
        >>> transform_batch(ToTensor(), np.zeros((256, 28, 28), np.uint8)).shape
        gradkit.Size([256, 1, 28, 28])
    """
    if transform is None or not _batchable(transform):
        return None
    stage = transform._batch_stage(_PIL)
    if stage is None or stage == _PIL:
        return None
    return _wrap(transform._apply_batch(images, _PIL))
