"""Probability distributions used by the book (chapter 2.6): ``Multinomial``.

Example:
    >>> from gradkit.distributions import multinomial
    >>> multinomial.Multinomial(10, gradkit.ones(6) / 6).sample().sum()
    tensor(10.)
"""
from .multinomial import Multinomial

__all__ = ["Multinomial"]
