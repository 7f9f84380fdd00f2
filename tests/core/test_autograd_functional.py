"""``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) and the semantics of
``create_graph=True`` (``.grad`` with a grad_fn, retain_graph's default, gradient penalties),
against PyTorch, on the book's functions."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import gradkit
from oracle import STATS, check, check_same_error, import_torch

rng = np.random.default_rng(3)


def _both(make: Callable[[Any], Any]) -> tuple[Any, Any]:
    torch = import_torch()
    STATS["oracle"] += 1
    return make(gradkit), make(torch)


def _assert_same(ours: Any, theirs: Any) -> None:
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6,
                               atol=1e-8)


X = rng.standard_normal(4)
FEATURES = rng.standard_normal((5, 2))
LABELS = rng.standard_normal((5, 1))


def books_y(x: Any) -> Any:
    """Chapter 2.5: y = 2 xᵀx."""
    return 2 * x.dot(x)


def squared_loss(lib: Any) -> Callable[[Any, Any], Any]:
    """Chapter 3's linear regression loss, of (w, b)."""
    features, labels = lib.tensor(FEATURES), lib.tensor(LABELS)

    def loss(w: Any, b: Any) -> Any:
        y_hat = features @ w + b
        return ((y_hat - labels) ** 2 / 2).mean()
    return loss


W0, B0 = rng.standard_normal((2, 1)), rng.standard_normal(1)

FUNCTIONS = {
    "books_y": (lambda lib: books_y, lambda lib: lib.tensor(X)),
    "softmax": (lambda lib: lambda x: x.softmax(0), lambda lib: lib.tensor(X)),
    "squared_loss": (squared_loss, lambda lib: (lib.tensor(W0), lib.tensor(B0))),
    "two_outputs": (lambda lib: lambda x, y: (x * y, (x.exp() * y).sum()),
                    lambda lib: (lib.tensor(X), lib.tensor(X[::-1].copy()))),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_matches_torch(name: str, create_graph: bool) -> None:
    make_fn, make_inputs = FUNCTIONS[name]
    ours, theirs = _both(lambda lib: lib.autograd.functional.jacobian(
        make_fn(lib), make_inputs(lib), create_graph=create_graph))
    _assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["books_y", "squared_loss"])
def test_hessian_matches_torch(name: str) -> None:
    make_fn, make_inputs = FUNCTIONS[name]
    ours, theirs = _both(lambda lib: lib.autograd.functional.hessian(make_fn(lib),
                                                                     make_inputs(lib)))
    _assert_same(ours, theirs)


def test_hessian_of_the_scratch_cross_entropy_and_softmax_regression():
    y = np.array([0, 2])
    Xs = rng.standard_normal((2, 3))

    def make(lib: Any) -> Any:
        X_, y_ = lib.tensor(Xs), lib.tensor(y)

        def loss(W: Any) -> Any:
            logits = X_ @ W
            e = logits.exp()
            probs = e / e.sum(1, keepdim=True)
            return -probs[range(len(y)), y_].log().mean()
        return lib.autograd.functional.hessian(loss, lib.tensor(rng_w))
    rng_w = np.random.default_rng(0).standard_normal((3, 3))
    ours, theirs = _both(make)
    _assert_same(ours, theirs)


@pytest.mark.parametrize("fn_name", ["vjp", "jvp", "hvp", "vhp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_products_match_torch(fn_name: str, create_graph: bool) -> None:
    v = rng.standard_normal(4)

    def make(lib: Any) -> Any:
        fn = getattr(lib.autograd.functional, fn_name)
        if fn_name == "vjp":
            return fn(lambda x: x.sin() * x, lib.tensor(X), lib.tensor(v),
                      create_graph=create_graph)
        if fn_name == "jvp":
            return fn(lambda x: x.exp() * x.sum(), lib.tensor(X), lib.tensor(v),
                      create_graph=create_graph)
        return fn(lambda x: (x.exp() * x).sum() + books_y(x), lib.tensor(X), lib.tensor(v),
                  create_graph=create_graph)
    ours, theirs = _both(make)
    _assert_same(ours, theirs)


def test_products_of_tuple_inputs_and_newtons_step():
    """Newton's method on the linear regression loss: one step w -= H⁻¹ g reaches the
    least-squares solution (the loss is quadratic)."""
    loss = squared_loss(gradkit)
    w, b = gradkit.tensor(W0), gradkit.tensor(B0)
    H = gradkit.autograd.functional.hessian(lambda p: loss(p[:2].reshape(2, 1), p[2:]),
                                            gradkit.cat([w.reshape(-1), b]))
    p = gradkit.cat([w.reshape(-1), b]).requires_grad_()
    (g,) = gradkit.autograd.grad(loss(p[:2].reshape(2, 1), p[2:]), p)
    step = np.linalg.solve(H.numpy(), g.numpy())
    solution = p.detach().numpy() - step
    design = np.hstack([FEATURES, np.ones((5, 1))])
    expected = np.linalg.lstsq(design, LABELS, rcond=None)[0].ravel()
    np.testing.assert_allclose(solution, expected, rtol=1e-8)
    ours, theirs = _both(lambda lib: lib.autograd.functional.vhp(
        squared_loss(lib), (lib.tensor(W0), lib.tensor(B0)),
        (lib.ones(2, 1, dtype=lib.float64), lib.ones(1, dtype=lib.float64))))
    _assert_same(ours, theirs)


def test_strict_and_unused_inputs_like_torch():
    ours, theirs = _both(lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: x * 2, (lib.tensor(X), lib.tensor(X))))
    _assert_same(ours, theirs)
    check_same_error(lambda t: t.autograd.functional.jacobian(
        lambda x: t.ones(2), t.ones(3), strict=True))
    check_same_error(lambda t: t.autograd.functional.vjp(lambda x: x * 2, t.ones(3)))
    check_same_error(lambda t: t.autograd.functional.hessian(lambda x: x * 2, t.ones(3)))
    check_same_error(lambda t: t.autograd.functional.jacobian(lambda x: 3, t.ones(3)))


# ---------------------------------------------------------------------------------------------
# create_graph semantics
# ---------------------------------------------------------------------------------------------
def test_second_derivative_of_the_books_y():
    def run(t, x):
        y = 2 * t.dot(x, x)
        y.backward(create_graph=True)
        first = x.grad
        assert first.grad_fn is not None and first.requires_grad
        x.grad = None
        first.sum().backward()  # d/dx Σ 4x = 4: the graph was retained by default
        return first, x.grad
    check(run, np.arange(4.0), grad=False)


def test_retain_graph_defaults_to_create_graph():
    def run(t, x):
        y = (x ** 3).sum()
        (g,) = t.autograd.grad(y, x, create_graph=True)
        (again,) = t.autograd.grad(y, x)  # the graph of y is still there
        return g, again
    check(run, np.array([1.0, 2.0]), grad=False)
    check_same_error(lambda t: _backward_twice(t))


def _backward_twice(t: Any) -> Any:
    x = t.ones(2, requires_grad=True)
    y = (x * x).sum()
    t.autograd.grad(y, x)
    return t.autograd.grad(y, x)


def test_gradient_penalty_trains_through_the_gradient():
    """WGAN-GP-style penalty: ‖∂D/∂x‖² differentiated w.r.t. the weights."""
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal((2, 3))

    def run(t, w, inputs):
        inputs.requires_grad_(True)
        out = (inputs @ w).tanh().sum()
        (g,) = t.autograd.grad(out, inputs, create_graph=True)
        penalty = ((g.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        return penalty, w.grad
    check(run, W, x, requires_grad={0}, grad=False)


def test_accumulating_grads_under_create_graph_add_out_of_place():
    def run(t, x):
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        (x ** 2).sum().backward(create_graph=True)
        return first, x.grad, t.autograd.grad(x.grad.sum(), x)[0]
    check(run, np.array([1.0, 2.0]), grad=False)


def test_create_graph_with_inputs_and_grad_outputs_that_require_grad():
    def run(t, x, v):
        y = x.sin()
        (g,) = t.autograd.grad(y, x, grad_outputs=v, create_graph=True)
        return t.autograd.grad(g.sum(), (x, v))
    check(run, np.array([0.3, 1.0]), np.array([2.0, -1.0]), grad=False)

    def with_inputs(t, a, b):
        (a * b * b).sum().backward(create_graph=True, inputs=[b])
        assert a.grad is None
        return b.grad, t.autograd.grad(b.grad.sum(), a)[0]
    check(with_inputs, np.array([1.0, 2.0]), np.array([3.0, 4.0]), grad=False)


def test_retain_grad_of_a_non_leaf_under_create_graph():
    def run(t, x):
        y = x * x
        y.retain_grad()
        (y ** 2).sum().backward(create_graph=True)
        assert y.grad.requires_grad
        return y.grad, t.autograd.grad(y.grad.sum(), x)[0]
    check(run, np.array([1.0, 2.0]), grad=False)


def test_readme_recipes_run_as_printed(tmp_path, monkeypatch):
    """The README's "Looking inside autograd" code blocks, run in order in one namespace."""
    import pathlib
    import re
    import warnings

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text()
    section = text[text.index("## Looking inside autograd"):]
    section = section[:section.index("\n## ", 5)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(blocks[0], namespace)  # noqa: S102 - our own README
        assert namespace["gg"].tolist() == [4.0, 4.0, 4.0, 4.0]
        exec(blocks[1], namespace)  # noqa: S102
        np.testing.assert_allclose(namespace["p"].numpy(), [2.0, -3.4, 4.2], rtol=1e-5)
        with pytest.raises(RuntimeError, match="Function 'DivBackward0' returned nan values in "
                                               "its 1th output."):
            exec(blocks[2], namespace)  # noqa: S102
        exec(blocks[3], namespace)  # noqa: S102
    assert (tmp_path / "mlp.svg").exists()
    printed = str(namespace["drawing"]).splitlines()
    documented = [line[2:] for line in blocks[3].splitlines() if line.startswith("# ")]
    assert printed == documented
