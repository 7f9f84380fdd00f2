"""The import hook: a ``sys.meta_path`` finder that answers ``import torch...`` with aliases.

Every name under the aliased roots (``torch``, ``torchvision``, ``d2l``, ``mxnet``) is found
here, as a package (so ``import torch.nn.functional`` walks down through aliases). The gradkit
module behind it is imported while finding, so a name gradkit lacks fails at the import line
with :class:`UnsupportedModuleError`.

Example:
    >>> sys.meta_path.insert(0, AliasFinder())
    >>> import torch.nn.functional as F
    >>> F.relu is gradkit.nn.functional.relu
    True
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
from types import ModuleType
from typing import Sequence

from ._aliases import is_aliased, target_name
from ._errors import UnsupportedModuleError
from ._proxy import AliasModule

__all__ = ["AliasFinder"]


def _import_target(fullname: str) -> ModuleType | None:
    """The gradkit module behind ``fullname``; ``UnsupportedModuleError`` if there is none."""
    try:
        name = target_name(fullname)
    except KeyError:
        raise UnsupportedModuleError(fullname) from None
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        # Only a missing *target* means "not implemented"; a missing dependency inside gradkit
        # (Pillow, matplotlib) must surface as itself.
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            parent = fullname.rpartition(".")[0]
            known = dir(importlib.import_module(target_name(parent) or "gradkit")) if parent \
                else ()
            raise UnsupportedModuleError(fullname, known) from None
        raise


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds aliased names and loads them as :class:`AliasModule` objects.

    Example:
        >>> finder = AliasFinder()
        >>> finder.find_spec("torch.optim").name
        'torch.optim'
        >>> finder.find_spec("numpy") is None
        True
    """

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if not is_aliased(fullname):
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        spec.loader_state = _import_target(fullname)
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return AliasModule(spec.name, spec.loader_state)

    def exec_module(self, module: ModuleType) -> None:
        # Nothing to run: the alias reads everything from its gradkit module.
        pass

    def __repr__(self) -> str:
        return "<gradkit.compat AliasFinder>"


