"""FashionMNIST and MNIST: torchvision's interface, the bundled copy, folder layouts, errors,
and DataLoader batches compared with PyTorch's DataLoader over an equivalent per-item dataset."""
from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from pathlib import Path

import pytest
from PIL import Image

import gradkit
from gradkit.utils import data
from gradkit.vision import datasets, transforms
from gradkit.vision.datasets import _bundled, mnist

TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"


def _copy_bundled(folder: str, raw: str, names=(TEST_IMAGES, TEST_LABELS), unzip: bool = False):
    os.makedirs(raw, exist_ok=True)
    for name in names:
        source = _bundled.bundled_file(folder, name)
        if unzip:
            with gzip.open(source) as f, open(os.path.join(raw, name), "wb") as out:
                out.write(f.read())
        else:
            shutil.copy(source, os.path.join(raw, name + ".gz"))


# ---------------------------------------------------------------------------------------------
# the "done when" of the issue
# ---------------------------------------------------------------------------------------------
def test_training_split_with_to_tensor(fashion):
    train = fashion(train=True, transform=transforms.ToTensor())
    assert len(train) == 60000
    image, label = train[0]
    assert image.dtype == gradkit.float32 and tuple(image.shape) == (1, 28, 28)
    assert 0.0 <= image.numpy().min() and image.numpy().max() <= 1.0
    assert isinstance(label, int) and train.targets.dtype == gradkit.int64


def test_test_split_from_an_empty_root_uses_the_bundled_copy(tmp_path):
    test = datasets.FashionMNIST(root=str(tmp_path), train=False,
                                 transform=transforms.Compose([transforms.Resize(64),
                                                               transforms.ToTensor()]))
    assert len(test) == 10000 and test.source == "bundled copy"
    assert tuple(test[0][0].shape) == (1, 64, 64)
    assert os.listdir(tmp_path) == []  # nothing written


def test_data_targets_and_classes(fashion):
    for train, n in ((True, 60000), (False, 10000)):
        ds = fashion(train=train)
        assert ds.data.dtype == gradkit.uint8 and tuple(ds.data.shape) == (n, 28, 28)
        assert ds.targets.dtype == gradkit.int64 and tuple(ds.targets.shape) == (n,)
        counts = np.bincount(ds.targets.numpy(), minlength=10)
        assert counts.tolist() == [n // 10] * 10
        # The published pixel means (data/README.md): train 0.2861, test 0.2869.
        assert abs(ds.data.numpy().mean() / 255 - (0.2861 if train else 0.2869)) < 5e-4
    ds = fashion()
    assert ds.classes == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                          "Sneaker", "Bag", "Ankle boot"]
    assert ds.class_to_idx["Ankle boot"] == 9
    assert ds.classes[ds[0][1]] == "Ankle boot"


def test_items_are_pil_images_and_ints(fashion):
    ds = fashion()
    image, label = ds[3]
    assert isinstance(image, Image.Image) and image.mode == "L" and image.size == (28, 28)
    assert np.array_equal(np.asarray(image), ds.data.numpy()[3])
    assert type(label) is int and label == int(ds.targets.numpy()[3])
    assert np.array_equal(np.asarray(ds[-1][0]), ds.data.numpy()[-1])
    assert ds[gradkit.tensor(5)][1] == ds[5][1]
    target_plus_one = fashion(target_transform=lambda y: y + 1)
    assert target_plus_one[3][1] == label + 1


def test_index_out_of_range_is_index_error(fashion):
    ds = fashion()
    for bad in (10000, -10001):
        with pytest.raises(IndexError, match=f"index {bad} is out of bounds for dimension 0 with "
                                             "size 10000"):
            ds[bad]
    with pytest.raises(IndexError):
        ds.__getitems__([0, 10000])
    with pytest.raises(IndexError):
        next(iter(data.DataLoader(ds, batch_size=2, sampler=[9999, 10000])))


def test_mnist_loads_too(tmp_path):
    test = datasets.MNIST(root=str(tmp_path), train=False, transform=transforms.ToTensor())
    assert len(test) == 10000 and test.classes[7] == "7 - seven"
    assert test[0][1] == 7  # the first test digit is a 7
    assert np.bincount(test.targets.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958,
                                                          1028, 974, 1009]


def test_repr_like_torchvision(fashion):
    ds = fashion(transform=transforms.ToTensor())
    assert repr(ds) == ("Dataset FashionMNIST\n    Number of datapoints: 10000\n    Split: Test\n"
                        "    StandardTransform\nTransform: ToTensor()")


# ---------------------------------------------------------------------------------------------
# files in root
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("unzip", [False, True])
def test_files_in_torchvisions_layout_are_used(tmp_path, fashion, unzip):
    raw = os.path.join(tmp_path, "FashionMNIST", "raw")
    _copy_bundled("fashion-mnist", raw, unzip=unzip)
    ds = datasets.FashionMNIST(root=str(tmp_path), train=False)
    assert ds.source == raw
    assert np.array_equal(ds.data.numpy(), fashion().data.numpy())
    assert np.array_equal(ds.targets.numpy(), fashion().targets.numpy())


def test_a_missing_companion_file_is_file_not_found(tmp_path):
    raw = os.path.join(tmp_path, "FashionMNIST", "raw")
    _copy_bundled("fashion-mnist", raw, names=(TEST_IMAGES,))
    with pytest.raises(FileNotFoundError, match=TEST_LABELS) as info:
        datasets.FashionMNIST(root=str(tmp_path), train=False)
    assert info.value.filename == os.path.join(raw, TEST_LABELS + ".gz")


def test_a_corrupt_or_truncated_file_in_root_is_reported(tmp_path):
    raw = os.path.join(tmp_path, "MNIST", "raw")
    _copy_bundled("mnist", raw, unzip=True)
    path = os.path.join(raw, TEST_IMAGES)
    with open(path, "r+b") as f:
        f.truncate(1000)
    with pytest.raises(RuntimeError, match=re.escape(path) + ".*truncated"):
        datasets.MNIST(root=str(tmp_path), train=False)
    with open(path, "wb") as f:
        f.write(b"garbage!" * 10)
    with pytest.raises(RuntimeError, match=re.escape(path) + ": not an IDX file"):
        datasets.MNIST(root=str(tmp_path), train=False)


def test_image_and_label_counts_must_agree(tmp_path):
    raw = os.path.join(tmp_path, "MNIST", "raw")
    _copy_bundled("mnist", raw, names=(TEST_IMAGES,))
    labels = np.zeros(5, np.uint8)
    with open(os.path.join(raw, TEST_LABELS), "wb") as f:
        f.write(bytes([0, 0, 8, 1, 0, 0, 0, 5]) + labels.tobytes())
    with pytest.raises(RuntimeError, match="10000 images but 5 labels"):
        datasets.MNIST(root=str(tmp_path), train=False)


# ---------------------------------------------------------------------------------------------
# the bundled copy and its checksums
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["mnist", "fashion-mnist"])
def test_recorded_md5_sums_are_the_readmes(folder):
    readme = Path(_bundled.BUNDLED_DIR, folder, "README.md").read_text()
    section = readme.split(f"## {folder}/")[1].split("\n## ")[0]
    table = dict(re.findall(r"\| (\S+-ubyte)\s*\| ([0-9a-f]{32}) \|", section))
    assert table == _bundled.BUNDLED_MD5[folder]


def test_a_damaged_bundled_file_fails_its_md5_check(tmp_path):
    source = _bundled.bundled_file("mnist", TEST_LABELS)
    copy = os.path.join(tmp_path, "labels.gz")
    content = bytearray(gzip.decompress(Path(source).read_bytes()))
    content[100] ^= 1  # one flipped bit in a label
    with open(copy, "wb") as f:
        f.write(gzip.compress(bytes(content)))
    with pytest.raises(RuntimeError, match="labels.gz: MD5 mismatch"):
        _bundled.read_bundled("mnist", TEST_LABELS, path=copy)


def test_bundled_checks_are_remembered_per_file_version(tmp_path):
    copy = os.path.join(tmp_path, "labels.gz")
    shutil.copy(_bundled.bundled_file("mnist", TEST_LABELS), copy)
    _bundled.read_bundled("mnist", TEST_LABELS, path=copy)
    assert _bundled._stamp(copy) in _bundled._verified
    with open(copy, "wb") as f:  # a new version of the file is checked again
        f.write(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 1, 3])))
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        _bundled.read_bundled("mnist", TEST_LABELS, path=copy)


# ---------------------------------------------------------------------------------------------
# batches
# ---------------------------------------------------------------------------------------------
class TorchFashion:
    """The per-item torch dataset the benchmark compares with: same arrays, same transform."""

    def __init__(self, torch, images, labels, size=None):
        self.torch, self.images, self.labels, self.size = torch, images, labels, size

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        if self.size is not None:
            image = np.asarray(Image.fromarray(image).resize((self.size, self.size), Image.BILINEAR))
        return self.torch.from_numpy(image.copy())[None].float().div(255), int(self.labels[i])


@pytest.mark.parametrize("batch_size,drop_last", [(256, False), (256, True), (1000, False),
                                                  (999, False)])
def test_batches_match_torch_dataloader(torch, fashion, batch_size, drop_last):
    ours_ds = fashion(transform=transforms.ToTensor())
    theirs_ds = TorchFashion(torch, ours_ds.data.numpy(), ours_ds.targets.numpy())
    ours = list(data.DataLoader(ours_ds, batch_size=batch_size, drop_last=drop_last))
    theirs = list(torch.utils.data.DataLoader(theirs_ds, batch_size=batch_size,
                                              drop_last=drop_last))
    assert len(ours) == len(theirs)
    for (X, y), (tX, ty) in zip(ours, theirs):
        assert X.dtype == gradkit.float32 and y.dtype == gradkit.int64
        assert np.array_equal(X.numpy(), tX.numpy()) and np.array_equal(y.numpy(), ty.numpy())


def test_resized_batches_match_torch_dataloader(torch, fashion):
    ours_ds = data.Subset(fashion(transform=transforms.Compose([transforms.Resize(64),
                                                                transforms.ToTensor()])),
                          range(300))
    base = fashion()
    theirs_ds = TorchFashion(torch, base.data.numpy()[:300], base.targets.numpy()[:300], size=64)
    for (X, y), (tX, ty) in zip(data.DataLoader(ours_ds, batch_size=128),
                                torch.utils.data.DataLoader(theirs_ds, batch_size=128)):
        assert tuple(X.shape) == tuple(tX.shape)
        assert np.array_equal(X.numpy(), tX.numpy()) and np.array_equal(y.numpy(), ty.numpy())


TRANSFORMS = {
    "ToTensor": transforms.ToTensor(),
    "Resize+ToTensor+Normalize": transforms.Compose([transforms.Resize(32), transforms.ToTensor(),
                                                     transforms.Normalize((0.2860,), (0.3530,))]),
    "Lambda (per item)": transforms.Compose([transforms.ToTensor(),
                                             transforms.Lambda(lambda x: x + 1)]),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
@pytest.mark.parametrize("target_transform", [None, lambda y: y * 10])
def test_getitems_equals_collating_items(fashion, name, target_transform):
    ds = fashion(transform=TRANSFORMS[name], target_transform=target_transform)
    indices = [5, 0, 9999, 17, -3, 4]
    batched = ds.__getitems__(indices)
    fast = name != "Lambda (per item)" and target_transform is None
    assert isinstance(batched, data.StackedSamples) == fast
    X, y = data.default_collate(batched)
    eX, ey = data.default_collate([ds[i] for i in indices])
    assert X.dtype == eX.dtype and np.array_equal(X.numpy(), eX.numpy())
    assert y.dtype == ey.dtype and np.array_equal(y.numpy(), ey.numpy())
    if fast:  # each sample read from the batch is the dataset's own item
        image, label = batched[2]
        assert np.array_equal(image.numpy(), ds[9999][0].numpy()) and label == ds[9999][1]


def test_untransformed_images_cannot_be_collated_like_torch(torch, fashion):
    with pytest.raises(TypeError) as theirs:
        torch.utils.data.default_collate([(Image.fromarray(np.zeros((2, 2), np.uint8)), 0)] * 2)
    with pytest.raises(TypeError) as ours:
        next(iter(data.DataLoader(fashion(), batch_size=2)))
    assert str(ours.value) == str(theirs.value)


def test_shuffled_loading_with_and_without_the_prefetch_thread(fashion):
    ds = fashion(transform=transforms.ToTensor())
    gradkit.manual_seed(0)
    plain = [y.numpy().copy() for _, y in data.DataLoader(ds, batch_size=256, shuffle=True)]
    gradkit.manual_seed(0)
    threaded = [y.numpy().copy() for _, y in data.DataLoader(ds, batch_size=256, shuffle=True,
                                                               num_workers=2)]
    assert all(np.array_equal(a, b) for a, b in zip(plain, threaded)) and len(plain) == 40
    assert sorted(np.concatenate(plain).tolist()) == sorted(ds.targets.tolist())


def test_without_pillow_items_are_arrays_and_batches_unchanged(fashion, monkeypatch):
    ds = fashion(transform=transforms.Compose([transforms.Resize(40), transforms.ToTensor()]))
    with_pillow = ds[7][0].numpy()
    monkeypatch.setattr(mnist, "_pil_image_module", lambda: None)
    image, _ = fashion()[7]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert np.array_equal(ds[7][0].numpy(), with_pillow)


def test_root_none_and_download_needs_a_root():
    assert len(datasets.MNIST(None, train=False)) == 10000
    with pytest.raises(ValueError, match="download=True needs a root folder"):
        datasets.MNIST(None, train=False, download=True)


def test_importing_stays_lazy():
    code = ("import sys, gradkit, gradkit.utils.data, gradkit.vision.datasets, "
            "gradkit.vision.transforms; "
            "print(sorted(m for m in ('PIL', 'tqdm', 'matplotlib') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "[]"
