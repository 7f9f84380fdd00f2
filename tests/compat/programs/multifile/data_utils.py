"""The data of the multi-file program, through the book's helpers."""
import torch
from d2l import torch as d2l
from torch.utils import data


def make_data(n):
    return d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2, n)


def loader(features, labels, batch_size):
    return data.DataLoader(data.TensorDataset(features, labels), batch_size, shuffle=True)


def explode():
    raise ValueError("boom from data_utils")
