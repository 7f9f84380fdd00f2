"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` as
context managers and decorators (with and without parentheses), as in PyTorch."""
from __future__ import annotations

import pytest

import gradkit
from oracle import import_torch


def libs():
    return (gradkit, import_torch())


@pytest.fixture(autouse=True)
def _torch_grad_mode_restored():
    yield
    import_torch().set_grad_enabled(True)


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_no_grad_context(lib_index):
    lib = libs()[lib_index]
    x = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        y = x * 2
        with lib.enable_grad():
            assert lib.is_grad_enabled()
            z = x * 2
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_decorators_with_and_without_parentheses(lib_index):
    lib = libs()[lib_index]
    x = lib.ones(2, requires_grad=True)

    @lib.no_grad()
    def with_parentheses(a):
        """Doubles."""
        return a * 2

    @lib.no_grad
    def without_parentheses(a):
        return a * 2

    @lib.enable_grad()
    def enabled(a):
        return a * 2

    @lib.enable_grad
    def enabled_bare(a):
        return a * 2

    @lib.set_grad_enabled(False)
    def disabled(a):
        return a * 2

    assert lib.is_grad_enabled()  # decorating changes nothing by itself
    assert not with_parentheses(x).requires_grad
    assert not without_parentheses(x).requires_grad
    assert not disabled(x).requires_grad
    assert with_parentheses.__name__ == "with_parentheses"
    assert with_parentheses.__doc__ == "Doubles."
    with lib.no_grad():
        assert enabled(x).requires_grad and enabled_bare(x).requires_grad
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_set_grad_enabled_as_a_call_and_a_context(lib_index):
    lib = libs()[lib_index]
    x = lib.ones(2, requires_grad=True)
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        lib.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with lib.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with lib.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    is_train = False
    with lib.set_grad_enabled(is_train):
        assert not (x * 2).requires_grad


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_modes_are_restored_after_exceptions(lib_index):
    lib = libs()[lib_index]
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()

    @lib.no_grad()
    def fails():
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert lib.is_grad_enabled()
    with pytest.raises(ValueError):
        with lib.set_grad_enabled(False):
            raise ValueError
    assert lib.is_grad_enabled()


def test_one_context_object_reused_and_nested():
    # (PyTorch's no_grad object keeps one previous mode, so reusing it nested leaves grad off;
    # gradkit keeps a stack and restores correctly.)
    lib = gradkit
    guard = lib.no_grad()
    with guard:
        with guard:
            assert not lib.is_grad_enabled()
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_decorated_generators_run_in_the_mode(lib_index):
    lib = libs()[lib_index]

    @lib.no_grad()
    def generate():
        for _ in range(2):
            yield lib.is_grad_enabled()

    assert list(generate()) == [False, False]
    assert lib.is_grad_enabled()
    steps = generate()
    assert next(steps) is False
    assert lib.is_grad_enabled()  # the caller's mode between steps
    assert next(steps) is False


@pytest.mark.parametrize("lib_index", [0, 1], ids=["gradkit", "torch"])
def test_inference_mode(lib_index):
    lib = libs()[lib_index]
    x = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        assert not (x * 2).requires_grad
    with lib.inference_mode(False):
        assert (x * 2).requires_grad
    assert lib.is_grad_enabled()

    @lib.inference_mode()
    def predict(a):
        return a * 2

    assert not predict(x).requires_grad


def test_no_grad_costs_no_graph():
    x = gradkit.ones(3, requires_grad=True)
    with gradkit.no_grad():
        y = (x * 2).exp().sum()
    assert y.grad_fn is None and y.is_leaf
    with pytest.raises(RuntimeError):
        y.backward()
