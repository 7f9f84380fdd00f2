"""Utilities, like ``torch.utils``: ``gradkit.utils.data`` holds datasets and the DataLoader.

Example:
    >>> from gradkit.utils import data
    >>> data.DataLoader
    <class 'gradkit.utils.data.dataloader.DataLoader'>
"""
from . import data

__all__ = ["data"]
