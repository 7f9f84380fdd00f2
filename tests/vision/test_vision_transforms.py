"""Transforms against PIL and PyTorch, and the batched path against the per-image path."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

import gradkit
from gradkit.vision import transforms as T
from gradkit.vision import _resample

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, (28, 28), dtype=np.uint8)
WIDE = RNG.integers(0, 256, (28, 40), dtype=np.uint8)  # H=28, W=40
RGB = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)


# ---------------------------------------------------------------------------------------------
# ToTensor / PILToTensor / ConvertImageDtype
# ---------------------------------------------------------------------------------------------
def test_to_tensor_of_a_grayscale_image_matches_torch_division(torch):
    ours = T.ToTensor()(Image.fromarray(GRAY))
    theirs = torch.from_numpy(GRAY)[None].to(torch.float32).div(255)
    assert ours.dtype == gradkit.float32 and tuple(ours.shape) == (1, 28, 28)
    assert np.array_equal(ours.numpy(), theirs.numpy())  # bit for bit: a division, not 1/255
    assert ours.numpy().min() >= 0 and ours.numpy().max() <= 1


def test_to_tensor_of_rgb_images_and_arrays(torch):
    ours = T.ToTensor()(Image.fromarray(RGB))
    theirs = torch.from_numpy(RGB).permute(2, 0, 1).float().div(255)
    assert tuple(ours.shape) == (3, 5, 7) and np.array_equal(ours.numpy(), theirs.numpy())
    assert np.array_equal(T.ToTensor()(RGB).numpy(), theirs.numpy())
    assert np.array_equal(T.ToTensor()(GRAY).numpy(), T.ToTensor()(Image.fromarray(GRAY)).numpy())
    assert ours.is_contiguous()


def test_to_tensor_keeps_non_byte_values_and_dtypes():
    floats = RNG.random((4, 5))
    result = T.ToTensor()(floats)
    assert result.dtype == gradkit.float64 and np.array_equal(result.numpy()[0], floats)
    ints = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert T.ToTensor()(ints).dtype == gradkit.int32
    assert T.ToTensor()(Image.fromarray(ints, mode="I")).numpy()[0].tolist() == ints.tolist()
    as_f = Image.fromarray(floats.astype(np.float32), mode="F")
    assert np.array_equal(T.ToTensor()(as_f).numpy()[0], floats.astype(np.float32))
    bits = Image.fromarray(GRAY > 128).convert("1")
    assert sorted(np.unique(T.ToTensor()(bits).numpy()).tolist()) == [0.0, 1.0]


def test_to_tensor_follows_the_default_dtype():
    gradkit.set_default_dtype(gradkit.float64)
    assert T.ToTensor()(GRAY).dtype == gradkit.float64
    assert T.transform_batch(T.ToTensor(), GRAY[None]).dtype == gradkit.float64


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class"):
        T.ToTensor()(gradkit.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 1, 2, 2), np.uint8))


def test_pil_to_tensor_keeps_uint8(torch):
    ours = T.PILToTensor()(Image.fromarray(RGB))
    assert ours.dtype == gradkit.uint8 and tuple(ours.shape) == (3, 5, 7)
    assert np.array_equal(ours.numpy(), torch.from_numpy(RGB).permute(2, 0, 1).numpy())
    assert tuple(T.PILToTensor()(Image.fromarray(GRAY)).shape) == (1, 28, 28)
    with pytest.raises(TypeError, match="pic should be PIL Image. Got"):
        T.PILToTensor()(gradkit.zeros(2))


def _torchvision_convert(torch, image, dtype):
    """torchvision's documented convert_image_dtype rules, written with torch ops."""
    def max_value(d):
        return torch.iinfo(d).max

    if image.dtype.is_floating_point:
        if dtype.is_floating_point:
            return image.to(dtype)
        return image.mul(max_value(dtype) + 1.0 - 1e-3).to(dtype)
    if dtype.is_floating_point:
        return image.to(dtype) / float(max_value(image.dtype))
    if max_value(image.dtype) > max_value(dtype):
        factor = (max_value(image.dtype) + 1) // (max_value(dtype) + 1)
        return torch.div(image, factor, rounding_mode="floor").to(dtype)
    return image.to(dtype) * ((max_value(dtype) + 1) // (max_value(image.dtype) + 1))


@pytest.mark.parametrize("source,target", [
    ("uint8", "float32"), ("uint8", "float64"), ("float32", "uint8"), ("float64", "uint8"),
    ("uint8", "int32"), ("int32", "uint8"), ("int16", "int32"), ("float32", "float64"),
    ("float64", "int32"), ("float32", "int16"),
])
def test_convert_image_dtype_matches_torchvision_rules(torch, source, target):
    values = RNG.integers(0, 256, (1, 4, 5)) if "int" in source else RNG.random((1, 4, 5))
    ours = T.ConvertImageDtype(getattr(gradkit, target))(gradkit.tensor(values.astype(source)))
    theirs = _torchvision_convert(torch, torch.tensor(values.astype(source)),
                                  getattr(torch, target))
    assert str(ours.dtype) == f"gradkit.{target}"
    assert np.array_equal(ours.numpy(), theirs.numpy())


def test_convert_image_dtype_refuses_unsafe_casts():
    with pytest.raises(RuntimeError, match="The cast from gradkit.float32 to gradkit.int64 cannot "
                                           "be performed safely."):
        T.ConvertImageDtype(gradkit.int64)(gradkit.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="Input img should be Tensor Image"):
        T.ConvertImageDtype(gradkit.float32)(GRAY)


# ---------------------------------------------------------------------------------------------
# Normalize
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,mean,std", [
    ((1, 28, 28), (0.2860,), (0.3530,)),
    ((3, 5, 7), (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ((4, 3, 5, 7), [0.5, 0.4, 0.3], [0.1, 0.2, 0.3]),
    ((2, 4, 4), 0.5, 0.25),
])
def test_normalize_matches_torch_bit_for_bit(torch, shape, mean, std):
    x = RNG.random(shape).astype(np.float32)
    ours = T.Normalize(mean, std)(gradkit.tensor(x))
    m = torch.as_tensor(mean, dtype=torch.float32)
    s = torch.as_tensor(std, dtype=torch.float32)
    if m.ndim == 1:
        m, s = m.view(-1, 1, 1), s.view(-1, 1, 1)
    theirs = torch.tensor(x).sub_(m).div_(s)
    assert ours.dtype == gradkit.float32 and np.array_equal(ours.numpy(), theirs.numpy())


def test_normalize_inplace_and_errors():
    x = gradkit.ones(1, 2, 2)
    assert T.Normalize((0.5,), (0.5,), inplace=True)(x) is x and x.tolist()[0][0] == [1.0, 1.0]
    y = gradkit.ones(1, 2, 2)
    T.Normalize((0.5,), (0.5,))(y)
    assert y.tolist()[0][0] == [1.0, 1.0] and y.numpy().sum() == 4  # untouched
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got gradkit.uint8."):
        T.Normalize((0.5,), (0.5,))(gradkit.zeros(1, 2, 2, dtype=gradkit.uint8))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        T.Normalize((0.5,), (0.5,))(gradkit.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to gradkit.float32"):
        T.Normalize((0.5,), (0.0,))(gradkit.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize((0.5,), (0.5,))(GRAY)


# ---------------------------------------------------------------------------------------------
# Resize
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [64, 14, 1, (32, 20), [10], (100, 3)])
def test_resize_of_pil_images_is_pillows_bilinear(size):
    image = Image.fromarray(WIDE)
    result = T.Resize(size)(image)
    assert isinstance(result, Image.Image)
    expected = image.resize(result.size, Image.BILINEAR)
    assert np.array_equal(np.asarray(result), np.asarray(expected))


@pytest.mark.parametrize("height,width,size,max_size,expected", [
    (28, 28, 64, None, (64, 64)),
    (28, 40, 14, None, (14, 20)),       # the shorter edge (H) becomes 14
    (40, 28, 14, None, (20, 14)),
    (28, 40, [14], None, (14, 20)),
    (28, 40, (5, 9), None, (5, 9)),     # a pair is (h, w)
    (28, 41, 10, None, (10, 14)),       # int(10 * 41 / 28) = 14: rounded down
    (28, 40, 14, 18, (12, 18)),         # the longer edge capped at max_size
    (28, 40, 14, 25, (14, 20)),
])
def test_resize_output_size_follows_torchvision(height, width, size, max_size, expected):
    image = Image.fromarray(np.zeros((height, width), np.uint8))
    assert T.Resize(size, max_size=max_size)(image).size[::-1] == expected
    tensor = gradkit.zeros(1, height, width)
    assert tuple(T.Resize(size, max_size=max_size)(tensor).shape) == (1,) + expected


def test_resize_to_the_same_size_returns_the_input():
    image = Image.fromarray(GRAY)
    assert T.Resize(28)(image) is image
    x = gradkit.zeros(1, 28, 28)
    assert T.Resize((28, 28))(x) is x


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("size", [(64, 64), (14, 14), (32, 20), (9, 50), (5, 3), (100, 7)])
def test_resize_of_float_tensors_matches_torch_interpolate(torch, antialias, size):
    x = RNG.random((2, 3, 28, 28)).astype(np.float32)
    ours = T.Resize(size, antialias=antialias)(gradkit.tensor(x))
    theirs = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode="bilinear",
                                             align_corners=False, antialias=antialias)
    assert ours.dtype == gradkit.float32 and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=2e-6, rtol=0)


def test_resize_of_uint8_tensors_rounds_like_torchvision(torch):
    x = RNG.integers(0, 256, (1, 28, 28), dtype=np.uint8)
    ours = T.Resize(50)(gradkit.tensor(x))
    theirs = torch.nn.functional.interpolate(torch.tensor(x)[None].float(), size=(50, 50),
                                             mode="bilinear", antialias=True).round()[0]
    assert ours.dtype == gradkit.uint8
    assert np.abs(ours.numpy().astype(int) - theirs.numpy().astype(int)).max() <= 1


def test_resize_of_uint8_arrays_is_pillows_result():
    for array in (GRAY, WIDE, RGB):
        result = T.Resize(17)(array)
        expected = np.asarray(Image.fromarray(array).resize(result.shape[1::-1], Image.BILINEAR))
        assert np.array_equal(result, expected)


def test_resize_errors():
    with pytest.raises(TypeError, match="Size should be int or sequence. Got <class 'str'>"):
        T.Resize("big")
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match="max_size should only be passed if size specifies"):
        T.Resize((2, 3), max_size=5)
    with pytest.raises(ValueError, match="max_size = 14 must be strictly greater"):
        T.Resize(14, max_size=14)(Image.fromarray(WIDE))
    with pytest.raises(NotImplementedError, match="bilinearly only"):
        T.Resize(10, interpolation=T.InterpolationMode.NEAREST)(gradkit.zeros(1, 4, 4))
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Resize(10)([[1, 2]])
    nearest = T.Resize(56, interpolation=T.InterpolationMode.NEAREST)(Image.fromarray(GRAY))
    assert np.array_equal(np.asarray(nearest), GRAY.repeat(2, 0).repeat(2, 1))


# ---------------------------------------------------------------------------------------------
# Compose, Lambda, repr
# ---------------------------------------------------------------------------------------------
def test_compose_lambda_and_reprs():
    pipeline = T.Compose([T.Resize(14), T.ToTensor(), T.Lambda(lambda x: x * 2)])
    result = pipeline(Image.fromarray(GRAY))
    assert tuple(result.shape) == (1, 14, 14) and result.numpy().max() <= 2
    assert repr(pipeline) == ("Compose(\n    Resize(size=14, interpolation=bilinear, max_size=None, "
                              "antialias=True)\n    ToTensor()\n    Lambda()\n)")
    assert repr(T.Normalize((0.5,), (0.2,))) == "Normalize(mean=(0.5,), std=(0.2,))"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


# ---------------------------------------------------------------------------------------------
# the batched path
# ---------------------------------------------------------------------------------------------
def _batch_images() -> np.ndarray:
    from gradkit.vision.datasets import FashionMNIST

    real = FashionMNIST(None, train=False).data.numpy()[:96]
    noise = RNG.integers(0, 256, (32, 28, 28), dtype=np.uint8)
    extremes = np.stack([np.zeros((28, 28), np.uint8), np.full((28, 28), 255, np.uint8)])
    return np.concatenate([real, noise, extremes])


IMAGES = _batch_images()

BATCHABLE = {
    "ToTensor": T.ToTensor(),
    "Resize(64)+ToTensor": T.Compose([T.Resize(64), T.ToTensor()]),
    "Resize(224)+ToTensor": T.Compose([T.Resize(224), T.ToTensor()]),
    "Resize(14)+ToTensor": T.Compose([T.Resize(14), T.ToTensor()]),
    "Resize(1,20) vertical first": T.Compose([T.Resize((1, 20)), T.ToTensor()]),
    "Resize(3,27)+Resize(30)": T.Compose([T.Resize((3, 27)), T.Resize(30), T.ToTensor()]),
    "Resize((32,20))+ToTensor+Normalize": T.Compose([T.Resize((32, 20)), T.ToTensor(),
                                                     T.Normalize((0.5,), (0.25,))]),
    "ToTensor+Normalize": T.Compose([T.ToTensor(), T.Normalize([0.2860], [0.3530])]),
    "ToTensor+Resize(40)": T.Compose([T.ToTensor(), T.Resize(40)]),
    "ToTensor+Resize(9, no antialias)": T.Compose([T.ToTensor(), T.Resize(9, antialias=False)]),
    "PILToTensor": T.PILToTensor(),
    "PILToTensor+Resize(50)": T.Compose([T.PILToTensor(), T.Resize(50)]),
    "PILToTensor+Convert+Normalize": T.Compose([T.PILToTensor(), T.ConvertImageDtype(gradkit.float32),
                                                T.Normalize((0.1,), (0.3,))]),
    "ToTensor+Convert(uint8)": T.Compose([T.ToTensor(), T.ConvertImageDtype(gradkit.uint8)]),
    "nested Compose": T.Compose([T.Compose([T.Resize(56)]), T.Compose([T.ToTensor()])]),
}


@pytest.mark.parametrize("name", list(BATCHABLE))
def test_batched_transform_equals_the_per_image_path(name):
    transform = BATCHABLE[name]
    images = IMAGES[:40] if "224" in name else IMAGES
    per_image = np.stack([transform(Image.fromarray(image)).numpy() for image in images])
    batched = T.transform_batch(transform, images)
    assert batched is not None, "expected the batched path"
    assert batched.dtype == gradkit.from_numpy(per_image).dtype
    assert tuple(batched.shape) == per_image.shape
    assert np.array_equal(batched.numpy(), per_image)


class Doubling(T.ToTensor):
    def __call__(self, pic):
        return super().__call__(pic) * 2


NOT_BATCHABLE = {
    "None": None,
    "Lambda": T.Compose([T.ToTensor(), T.Lambda(lambda x: x)]),
    "a subclass overriding __call__": Doubling(),
    "ends with a PIL image": T.Resize(14),
    "nearest Resize": T.Compose([T.Resize(14, interpolation=T.InterpolationMode.NEAREST),
                                 T.ToTensor()]),
    "a plain function": lambda image: image,
    "Normalize of uint8": T.Compose([T.PILToTensor(), T.Normalize((0.5,), (0.5,))]),
    "unsafe convert": T.Compose([T.ToTensor(), T.ConvertImageDtype(gradkit.int64)]),
}


@pytest.mark.parametrize("name", list(NOT_BATCHABLE))
def test_other_transforms_fall_back_to_the_per_image_path(name):
    assert T.transform_batch(NOT_BATCHABLE[name], IMAGES[:4]) is None


def test_pillow_resize_order_probe_is_meaningful():
    """The probe that detects Pillow's pass order must give different results for each order."""
    probe = ((np.arange(28)[:, None] * 37 + np.arange(28)[None, :] * 101) % 256).astype(np.uint8)
    width_first = _resample._vertical_pass(_resample._resize_last_axis_uint8(probe, 20, True), 1,
                                           True, _resample._resize_last_axis_uint8)
    height_first = _resample._resize_last_axis_uint8(
        _resample._vertical_pass(probe, 1, True, _resample._resize_last_axis_uint8), 20, True)
    assert not np.array_equal(width_first, height_first)
    pillow = np.asarray(Image.fromarray(probe).resize((20, 1), Image.BILINEAR))
    assert np.array_equal(pillow, height_first if _resample._pillow_may_resize_vertically_first()
                          else width_first)


@pytest.mark.parametrize("shape", [(28, 28), (7, 13), (40, 20), (1, 5)])
def test_uint8_resampling_equals_pillow_on_a_grid_of_sizes(shape):
    image = RNG.integers(0, 256, shape, dtype=np.uint8)
    sizes = [1, 2, 3, 5, 13, 14, 20, 27, 29, 33, 56, 100]
    for height, width in itertools.product(sizes, sizes):
        expected = np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))
        assert np.array_equal(_resample.resize_uint8(image, height, width), expected), (
            shape, height, width)
