"""Problems found while running the notes, in other developers' parts of gradkit.

Each test states what the book's code needs; a strict xfail keeps the suite green until the
owner fixes it, and turns red once it passes so that the marker is removed.
"""
from __future__ import annotations

import pytest


def test_fashion_mnist_download_true_offline_uses_the_bundled_copy(tmp_path, monkeypatch):
    from gradkit.vision import datasets, transforms

    # An unreachable mirror, failing at once: what an offline machine sees.
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    monkeypatch.setattr(datasets.FashionMNIST, "download_options",
                        {"retries": 0, "timeout": 1.0, "backoff": 0.0, "progress": False})
    with pytest.warns(UserWarning, match="using the copy bundled with gradkit"):
        test = datasets.FashionMNIST(root=str(tmp_path / "data"), train=False,
                                     transform=transforms.ToTensor(), download=True)
    assert len(test) == 10000 and test.source == "bundled copy"
    assert not (tmp_path / "data" / "FashionMNIST").exists()  # nothing left behind
