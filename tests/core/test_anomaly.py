"""Anomaly mode: the first backward node that returns NaN is named, with PyTorch's error, after
a warning that shows the user's forward line; nothing is recorded outside the mode."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from gradkit import autograd
from oracle import import_torch


def _nan_backward(lib):
    x = lib.tensor([4.0, -1.0], requires_grad=True)
    y = x.sqrt()  # the forward line the warning must show
    return y.sum()


def test_nan_names_the_node_like_torch():
    torch = import_torch()
    messages = []
    for lib in (gradkit, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                loss = _nan_backward(lib)
                with pytest.raises(RuntimeError) as info:
                    loss.backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "Function 'SqrtBackward0' returned nan values in its " \
                                         "0th output."


def test_warning_shows_the_forward_call_in_user_code():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with autograd.detect_anomaly():
            loss = _nan_backward(gradkit)
            with pytest.raises(RuntimeError):
                loss.backward()
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("Anomaly Detection has been enabled" in t for t in texts)
    trace = next(t for t in texts if t.startswith("Error detected in SqrtBackward0"))
    assert "Traceback of forward call that caused the error:" in trace
    assert "y = x.sqrt()" in trace and "test_anomaly.py" in trace
    assert "gradkit/tensor.py" not in trace  # the user's frames, not gradkit's


def test_first_nan_producing_node_is_named_in_the_scratch_softmax():
    # The book's from-scratch softmax on large logits: exp overflows to inf and inf/inf is
    # nan; backward names the first node that returns nan, as torch does.
    torch = import_torch()
    messages = []
    for lib in (gradkit, torch):
        X = lib.tensor([[100.0, 1.0], [1000.0, 2.0]], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                X_exp = X.exp()
                probs = X_exp / X_exp.sum(1, keepdim=True)
                with pytest.raises(RuntimeError) as info:
                    probs[:, 0].sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("Function 'DivBackward0' returned nan values")


def test_set_detect_anomaly_and_is_enabled():
    assert not gradkit.is_anomaly_enabled()
    autograd.set_detect_anomaly(True)
    try:
        assert autograd.is_anomaly_enabled() and gradkit.is_anomaly_check_nan_enabled()
        x = gradkit.tensor([-1.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="SqrtBackward0"):
                x.sqrt().sum().backward()
    finally:
        autograd.set_detect_anomaly(False)
    assert not autograd.is_anomaly_enabled()
    with autograd.set_detect_anomaly(True):
        assert autograd.is_anomaly_enabled()
    assert not autograd.is_anomaly_enabled()


def test_check_nan_false_and_outside_the_mode_nothing_is_raised_or_recorded():
    x = gradkit.tensor([-1.0], requires_grad=True)
    y = x.sqrt()
    assert y.grad_fn.forward_stack is None
    y.sum().backward()
    assert np.isnan(x.grad.numpy()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.detect_anomaly(check_nan=False):
            x.sqrt().sum().backward()


def test_decorator_and_create_graph():
    @autograd.detect_anomaly()
    def second_derivative(x):
        (g,) = autograd.grad(x.sqrt().sum(), x, create_graph=True)
        return autograd.grad(g.sum(), x)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert second_derivative(gradkit.tensor([4.0], requires_grad=True))[0].item() == \
            pytest.approx(-1 / 32)
        with pytest.raises(RuntimeError, match="returned nan values"):
            second_derivative(gradkit.tensor([-4.0], requires_grad=True))
    assert not autograd.is_anomaly_enabled()
