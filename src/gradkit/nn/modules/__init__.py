"""The layers, containers and losses of ``gradkit.nn``."""
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, LazyLinear, Linear, Unflatten
from .loss import (BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .batchnorm import BatchNorm1d, BatchNorm2d, LazyBatchNorm2d
from .conv import Conv1d, Conv2d, LazyConv2d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .pooling import AdaptiveMaxPool2d, AvgPool1d, MaxPool1d
from .fold import Fold, Unfold
from .conv_transpose import ConvTranspose1d, ConvTranspose2d

__all__ = ["Module", "Sequential", "ModuleList", "Linear", "LazyLinear", "Identity", "Flatten",
           "Unflatten", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Dropout", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "HuberLoss",
           "SmoothL1Loss", "BCEWithLogitsLoss"]
__all__ += ["Conv1d", "Conv2d", "LazyConv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
            "BatchNorm1d", "BatchNorm2d", "LazyBatchNorm2d"]
__all__ += ["Fold", "Unfold"]
__all__ += ["AdaptiveMaxPool2d", "MaxPool1d", "AvgPool1d"]
__all__ += ["ConvTranspose1d", "ConvTranspose2d"]
