"""Which gradkit module stands for which torch / torchvision / d2l / mxnet module.

Names resolve by their longest aliased prefix, so ``torch.nn.functional`` becomes
``gradkit.nn.functional`` without listing every submodule. A few entries are explicit because
gradkit spells them differently (``torchvision`` is ``gradkit.vision``, ``d2l.torch`` is
``gradkit.d2l``, ``mxnet.nd`` is ``gradkit.compat.mxnet.ndarray``).

Example:
    >>> target_name("torch.nn.functional"), target_name("torchvision.datasets")
    ('gradkit.nn.functional', 'gradkit.vision.datasets')
    >>> alias_name("gradkit.utils.data")
    'torch.utils.data'
"""
from __future__ import annotations

__all__ = ["ROOTS", "ALIASES", "is_managed", "is_aliased", "set_real_d2l", "target_name",
           "alias_name"]

#: Top-level names whose imports the runner takes over (and whose real modules it sets aside),
#: e.g. ``"torch"`` covers ``torch.nn.functional``.
ROOTS = ("torch", "torchvision", "d2l", "mxnet")

# The roots answered by aliases now: all of ROOTS, or all but "d2l" while an installed real
# d2l package is to import itself (``install(d2l="package")``) and find gradkit as its torch.
_aliased_roots: tuple[str, ...] = ROOTS

#: alias name -> gradkit module name; ``None`` is an empty package (``d2l`` itself).
ALIASES: dict[str, str | None] = {
    "torch": "gradkit",
    "torch.cuda": "gradkit.compat._torch_cuda",
    "torchvision": "gradkit.vision",
    "d2l": None,
    "d2l.torch": "gradkit.d2l",
    "mxnet": "gradkit.compat.mxnet",
    "mxnet.nd": "gradkit.compat.mxnet.ndarray",
}

# gradkit's own parts that are not torch APIs: ``torch.compat`` or ``torch.recipes`` would be
# inventions, and ``torch.vision`` / ``torch.d2l`` exist under other names.
_HIDDEN = {"torch.compat", "torch.cli", "torch.recipes", "torch.vision", "torch.d2l",
           "torch.plot", "torch.serialization_", "torch.__main__"}

# gradkit module prefix -> alias prefix, longest first, for mapping module values back.
_REVERSE = sorted(((target, alias) for alias, target in ALIASES.items()
                   if target is not None and alias != "mxnet.nd"),
                  key=lambda pair: -len(pair[0]))


def _under(fullname: str, roots: tuple[str, ...]) -> bool:
    return any(fullname == root or fullname.startswith(root + ".") for root in roots)


def is_managed(fullname: str) -> bool:
    """True for names under one of the ``ROOTS``: modules that ``install()`` sets aside and
    ``uninstall()`` puts back, aliased or not (a real d2l imported on gradkit goes too).

    Example:
        >>> is_managed("d2l.torch"), is_managed("torchaudio")
        (True, False)
    """
    return _under(fullname, ROOTS)


def is_aliased(fullname: str) -> bool:
    """True for names the aliases answer now (``torch``, ``torch.nn``, ``mxnet.gluon``...;
    ``d2l`` unless a real d2l package is in use).

    Example:
        >>> is_aliased("torch.optim"), is_aliased("torchaudio")
        (True, False)
    """
    return _under(fullname, _aliased_roots)


def set_real_d2l(real: bool) -> None:
    """Leave ``d2l`` to the installed package (``True``) or alias it to ``gradkit.d2l``.

    Example:
        >>> set_real_d2l(True); is_aliased("d2l.torch")
        False
    """
    global _aliased_roots
    _aliased_roots = tuple(root for root in ROOTS if not (real and root == "d2l"))


def _hidden(fullname: str) -> bool:
    return any(fullname == h or fullname.startswith(h + ".") for h in _HIDDEN)


def target_name(fullname: str) -> str | None:
    """The gradkit module name an alias resolves to, ``None`` for an empty package.

    Raises:
        KeyError: the name is not under a supported prefix (``d2l.mxnet``, ``torch.compat``).

    Example:
        >>> target_name("torch.utils.data")
        'gradkit.utils.data'
    """
    if _hidden(fullname):
        raise KeyError(fullname)
    prefix = fullname
    while True:
        if prefix in ALIASES:
            target = ALIASES[prefix]
            rest = fullname[len(prefix):]
            if target is None:
                if rest:
                    raise KeyError(fullname)
                return None
            return target + rest
        if "." not in prefix:
            raise KeyError(fullname)
        prefix = prefix.rpartition(".")[0]


def alias_name(module_name: str) -> str | None:
    """The alias under which a gradkit module appears, or ``None`` if it has none.

    Example:
        >>> alias_name("gradkit.vision.transforms"), alias_name("numpy")
        ('torchvision.transforms', None)
    """
    for target, alias in _REVERSE:
        if module_name == target or module_name.startswith(target + "."):
            name = alias + module_name[len(target):]
            if target == "gradkit" and module_name.startswith("gradkit.compat."):
                return None  # the facades are reached through their own roots only
            return None if _hidden(name) else name
    return None
