"""The chapters' experiments, one small module each, in the book's two styles and both
editions (``en-*``: the English edition's ``d2l.Trainer`` toolkit).

Each recipe module has ``NAME``, ``SECTION``, ``SUMMARY``, ``TASK``, ``DEFAULTS`` and
``build(config) -> [Experiment]``; ``gradkit.recipes.runner`` trains them.

Example:
    >>> [r.NAME for r in gradkit.recipes.all_recipes()][:2]
    ['linreg-scratch', 'linreg-concise']
"""
from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["all_recipes", "get", "names"]

_MODULES = ("linreg_scratch", "linreg_concise", "softmax_scratch", "softmax_concise",
            "mlp_scratch", "mlp_concise", "weight_decay", "dropout", "digits",
            # the English edition's, through d2l.Trainer
            "en_linreg_scratch", "en_linreg_concise", "en_weight_decay", "en_softmax_scratch",
            "en_softmax_concise", "en_mlp", "en_dropout",
            # the convolution chapters (zh 6, en 7)
            "lenet", "en_lenet", "digits_lenet")


def all_recipes() -> list[ModuleType]:
    """Every recipe module, in the book's order."""
    return [importlib.import_module(f".{name}", __name__) for name in _MODULES]


def names() -> list[str]:
    """The recipes' names (``softmax-concise``...)."""
    return [name.replace("_", "-") for name in _MODULES]


def get(name: str) -> ModuleType:
    """The recipe called ``name``; KeyError with the known names otherwise."""
    module = name.replace("-", "_")
    if module not in _MODULES:
        raise KeyError(f"unknown recipe '{name}'; the recipes are: {', '.join(names())}")
    return importlib.import_module(f".{module}", __name__)
