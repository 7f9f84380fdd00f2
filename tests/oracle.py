"""The PyTorch oracle: run the same code on gradkit and on torch and compare everything.

``check(fn, *arrays)`` calls ``fn(lib, *tensors)`` once with ``lib = gradkit`` and once with
``lib = torch``, on tensors made from the same NumPy arrays, then compares values, dtypes, shapes,
the gradients of every input that requires grad, and, when both raise, the exception type.

Example:
    >>> check(lambda t, x, y: t.matmul(x, y), np.ones((2, 3)), np.ones((3,)))
"""
from __future__ import annotations

import os
import re
from typing import Any, Callable

import numpy as np
import pytest

import gradkit

REQUIRE_TORCH = os.environ.get("GRADKIT_REQUIRE_TORCH") == "1"

#: How many comparisons ran (reported at the end of a run by ``tests/core/conftest.py``).
STATS = {"oracle": 0, "gradcheck": 0}

# Phrases of NumPy's own errors: none may reach a gradkit user (DESIGN.md §5).
NUMPY_PHRASES = ("operands could not be broadcast", "could not broadcast", "numpy",
                 "axis ", "ufunc", "cannot reshape array", "matmul: Input operand",
                 "all the input array dimensions", "all input arrays must have",
                 "array at index", "zero-size array", "setting an array element",
                 "non-broadcastable output operand")


def import_torch() -> Any:
    """torch, or a skip; under GRADKIT_REQUIRE_TORCH=1 a missing torch is a failure."""
    if REQUIRE_TORCH:
        import torch  # noqa: PLC0415

        return torch
    return pytest.importorskip("torch")


def dtype_name(d: Any) -> str:
    return str(d).split(".")[-1]


def to_numpy(x: Any) -> Any:
    if isinstance(x, gradkit.Tensor):
        return x.detach().numpy()
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().numpy()
    return x


def _flat(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        items = []
        for o in out:
            items.extend(_flat(o))
        return items
    return [out]


def _make(lib: Any, arrays: tuple, requires_grad: Any) -> list:
    tensors = []
    for i, a in enumerate(arrays):
        if isinstance(a, np.ndarray):
            needs = requires_grad if isinstance(requires_grad, bool) else i in requires_grad
            t = lib.tensor(a.copy())
            if needs and a.dtype.kind == "f":
                t.requires_grad_(True)
            tensors.append(t)
        else:
            tensors.append(a)
    return tensors


def check(fn: Callable[..., Any], *arrays: Any, requires_grad: Any = True,
          atol: float = 1e-5, rtol: float = 1e-4, grad: bool = True,
          check_dtype: bool = True) -> Any:
    """Compare ``fn`` on gradkit and torch; returns gradkit's output.

    Args:
        fn: ``fn(lib, *inputs)`` using only API names both libraries share.
        arrays: NumPy arrays (made tensors) or other values (passed as they are).
        requires_grad: True/False for all float arrays, or a set of argument positions.
        grad: also compare gradients of a weighted sum of the float outputs.
    """
    torch = import_torch()
    STATS["oracle"] += 1
    gk_inputs = _make(gradkit, arrays, requires_grad)
    th_inputs = _make(torch, arrays, requires_grad)
    gk_error = th_error = None
    try:
        gk_out = fn(gradkit, *gk_inputs)
    except Exception as e:  # noqa: BLE001 - compared below
        gk_error = e
    try:
        th_out = fn(torch, *th_inputs)
    except Exception as e:  # noqa: BLE001
        th_error = e
    if th_error is not None or gk_error is not None:
        assert th_error is not None, f"gradkit raised {gk_error!r} but torch did not"
        assert gk_error is not None, f"torch raised {th_error!r} but gradkit did not"
        assert isinstance(gk_error, type(th_error)), (
            f"exception types differ: gradkit {type(gk_error).__name__}: {gk_error} / "
            f"torch {type(th_error).__name__}: {th_error}")
        return gk_error
    gk_flat, th_flat = _flat(gk_out), _flat(th_out)
    assert len(gk_flat) == len(th_flat), "different number of outputs"
    for g, t in zip(gk_flat, th_flat):
        if isinstance(t, torch.Tensor):
            assert isinstance(g, gradkit.Tensor), f"expected a Tensor, got {type(g).__name__}"
            assert tuple(g.shape) == tuple(t.shape), f"shape {tuple(g.shape)} != {tuple(t.shape)}"
            if check_dtype:
                assert dtype_name(g.dtype) == dtype_name(t.dtype), \
                    f"dtype {g.dtype} != {t.dtype}"
            np.testing.assert_allclose(to_numpy(g).astype(np.float64),
                                       to_numpy(t).astype(np.float64), atol=atol, rtol=rtol,
                                       equal_nan=True)
            assert g.requires_grad == t.requires_grad, "requires_grad differs"
        else:
            if isinstance(t, float):
                assert g == pytest.approx(t, rel=rtol, abs=atol)
            else:
                assert g == t
    if not grad:
        return gk_out
    rng = np.random.default_rng(0)
    gk_terms, th_terms = [], []
    for g, t in zip(gk_flat, th_flat):
        if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype.is_floating_point:
            w = rng.standard_normal(tuple(t.shape))
            gk_terms.append((g * gradkit.tensor(w, dtype=g.dtype)).sum())
            th_terms.append((t * torch.tensor(w, dtype=t.dtype)).sum())
    if not th_terms:
        return gk_out
    sum(gk_terms).backward()
    sum(th_terms).backward()
    for i, (g, t) in enumerate(zip(gk_inputs, th_inputs)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert g.grad is None, f"input {i}: torch has no grad, gradkit has"
                continue
            assert g.grad is not None, f"input {i}: gradkit has no grad"
            assert dtype_name(g.grad.dtype) == dtype_name(t.grad.dtype)
            np.testing.assert_allclose(to_numpy(g.grad).astype(np.float64),
                                       to_numpy(t.grad).astype(np.float64), atol=atol,
                                       rtol=rtol, err_msg=f"gradient of input {i}")
    return gk_out


def gradcheck(fn: Callable[..., Any], *arrays: np.ndarray, **kwargs: Any) -> None:
    """Finite differences in float64: ``fn(gradkit, *tensors)`` must pass ``gradcheck``."""
    STATS["gradcheck"] += 1
    inputs = [gradkit.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
              if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in arrays]
    assert gradkit.autograd.gradcheck(lambda *xs: fn(gradkit, *xs), tuple(inputs), **kwargs)


def check_error(fn: Callable[..., Any], *arrays: Any, **kwargs: Any) -> Exception:
    """Both libraries must raise, with the same exception type, and gradkit's message must be
    its own (no NumPy error escaping from inside an op). Returns gradkit's exception."""
    error = check(fn, *arrays, **kwargs)
    assert isinstance(error, Exception), f"neither library raised; gradkit returned {error!r}"
    assert_own_message(error)
    return error


def check_outcome(fn: Callable[..., Any], *arrays: Any, **kwargs: Any) -> Any:
    """Like ``check`` (the same results, or the same exception type), and when both raise,
    gradkit's message must be its own. For inputs that may or may not be valid."""
    out = check(fn, *arrays, **kwargs)
    if isinstance(out, Exception):
        assert_own_message(out)
    return out


def assert_own_message(error: BaseException) -> None:
    """``error`` reads like PyTorch's, not like NumPy's."""
    message = str(error)
    for phrase in NUMPY_PHRASES:
        assert phrase not in message, f"a NumPy error escaped: {type(error).__name__}: {message}"


def torch_repr(value: Any) -> str:
    """``repr`` of a torch object, spelled the way gradkit prints (``torch.`` → ``gradkit.``)."""
    return repr(value).replace("torch.", "gradkit.")


def _join_suffixes(text: str) -> str:
    if "dtype=" not in text:
        return text
    return re.sub(r",\n *(dtype=|requires_grad=|grad_fn=)", r", \1", text)


def check_repr(fn: Callable[[Any], Any]) -> str:
    """``repr(fn(gradkit))`` must equal ``repr(fn(torch))`` with "torch." read as "gradkit.".

    "dtype=gradkit.float64" is two characters longer than "dtype=torch.float64", so near the
    80-character line width the two may put that suffix (and those after it) on different
    lines; only in tensors with a dtype suffix are line breaks before suffixes not counted.
    """
    torch = import_torch()
    STATS["oracle"] += 1
    expected = torch_repr(fn(torch))
    actual = repr(fn(gradkit))
    if actual != expected:
        assert _join_suffixes(actual) == _join_suffixes(expected), \
            f"\ngradkit: {actual}\ntorch:   {expected}"
    return actual


def check_same_error(fn: Callable[[Any], Any]) -> Exception:
    """``fn(gradkit)`` and ``fn(torch)`` must both raise, with the same exception type and the
    same message once "torch" is read as "gradkit". Returns gradkit's exception."""
    torch = import_torch()
    STATS["oracle"] += 1
    errors = []
    for lib in (gradkit, torch):
        with pytest.raises(Exception) as info:  # noqa: PT011 - the type is compared below
            fn(lib)
        errors.append(info.value)
    ours, theirs = errors
    assert type(ours).__name__ == type(theirs).__name__, f"{ours!r} / {theirs!r}"
    assert str(ours) == str(theirs).replace("torch", "gradkit"), \
        f"\ngradkit: {ours}\ntorch:   {theirs}"
    return ours


def copy_torch_state(module: Any, torch_module: Any) -> Any:
    """Load ``torch_module``'s parameters and buffers into the gradkit ``module`` (same names)."""
    module.load_state_dict({k: gradkit.tensor(v.detach().numpy().copy())
                            for k, v in torch_module.state_dict().items()})
    return module


def check_module(make: Callable[[Any], Any], *arrays: np.ndarray, train: bool = True,
                 atol: float = 1e-5, rtol: float = 1e-4) -> Any:
    """Build ``make(lib)`` in both libraries, give gradkit's torch's initial weights, run both
    on the same float inputs (requiring grad) and compare the outputs, the inputs' gradients
    and every parameter's gradient by name. Returns the gradkit module."""
    torch = import_torch()
    STATS["oracle"] += 1
    theirs, ours = make(torch).train(train), make(gradkit).train(train)
    copy_torch_state(ours, theirs)
    outputs = []
    for lib, module in ((gradkit, ours), (torch, theirs)):
        inputs = _make(lib, arrays, True)
        out = module(*inputs)
        weights = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * lib.tensor(weights, dtype=out.dtype)).sum().backward()
        outputs.append((out, inputs, dict(module.named_parameters())))
    (out, inputs, params), (t_out, t_inputs, t_params) = outputs
    np.testing.assert_allclose(to_numpy(out), to_numpy(t_out), atol=atol, rtol=rtol)
    assert dtype_name(out.dtype) == dtype_name(t_out.dtype)
    for i, (a, b) in enumerate(zip(inputs, t_inputs)):
        if getattr(b, "grad", None) is not None:
            np.testing.assert_allclose(to_numpy(a.grad), to_numpy(b.grad), atol=atol, rtol=rtol,
                                       err_msg=f"gradient of input {i}")
    assert list(params) == list(t_params)
    for name in params:
        if t_params[name].grad is None:
            assert params[name].grad is None, name
        else:
            np.testing.assert_allclose(to_numpy(params[name].grad), to_numpy(t_params[name].grad),
                                       atol=atol, rtol=rtol, err_msg=f"gradient of {name}")
    return ours
