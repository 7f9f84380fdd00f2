"""Problems found while running the notes, in other developers' parts of gradkit.

Each test states what the book's code needs; a strict xfail keeps the suite green until the
owner fixes it, and turns red once it passes so that the marker is removed.
"""
from __future__ import annotations

import pytest


@pytest.mark.xfail(strict=True, raises=RuntimeError,
                   reason="vision: download=True without network raises instead of using the "
                          "bundled copy; every dataset listing of the book passes download=True")
def test_fashion_mnist_download_true_offline_uses_the_bundled_copy(tmp_path, monkeypatch):
    from gradkit.vision import datasets, transforms

    # An unreachable mirror, failing at once: what an offline machine sees.
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    monkeypatch.setattr(datasets.FashionMNIST, "download_options",
                        {"retries": 0, "timeout": 1.0, "backoff": 0.0, "progress": False})
    test = datasets.FashionMNIST(root=str(tmp_path / "data"), train=False,
                                 transform=transforms.ToTensor(), download=True)
    assert len(test) == 10000
