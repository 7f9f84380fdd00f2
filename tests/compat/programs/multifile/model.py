"""The model of the multi-file program: imported by train.py, never run as __main__."""
import torch
from torch import nn

TORCH_NAME = torch.__name__
assert __name__ == "model", __name__


def build_net():
    net = nn.Sequential(nn.Linear(2, 1))
    net.apply(init_weights)
    return net


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)
        nn.init.zeros_(m.bias)
