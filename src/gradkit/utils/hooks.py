"""``gradkit.utils.hooks``, as ``torch.utils.hooks``: the handle that ``register_*_hook`` returns.

Example:
    >>> from gradkit.utils.hooks import RemovableHandle
"""
from ..autograd.hooks import RemovableHandle

__all__ = ["RemovableHandle"]
