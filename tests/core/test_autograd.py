"""Autograd semantics as in PyTorch: backward on scalars and with a gradient, accumulation,
non-leaf ``.grad``, ``retain_grad``, ``requires_grad_``, ``detach``, freed graphs,
``autograd.grad``/``backward``/``gradcheck`` and PyTorch's node names."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from gradkit.autograd import Function
from oracle import check, check_error, gradcheck, import_torch

rng = np.random.default_rng(7)


def rand(*shape, dtype=np.float32):
    return rng.uniform(0.5, 2, shape).astype(dtype)


def both():
    """gradkit and torch, to run the same statements on each."""
    return (gradkit, import_torch())


# ---------------------------------------------------------------------------------------------
# backward
# ---------------------------------------------------------------------------------------------
def test_backward_of_the_books_first_example():
    for lib in both():
        x = lib.arange(4.0)
        x.requires_grad_(True)
        assert x.grad is None
        y = 2 * lib.dot(x, x)
        y.backward()
        assert x.grad.tolist() == [0.0, 4.0, 8.0, 12.0]
        assert bool((x.grad == 4 * x).all())
        x.grad.zero_()
        y = x.sum()
        y.backward()
        assert x.grad.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_backward_of_a_non_scalar_needs_a_gradient():
    x = rand(4)
    check_error(lambda t, a: (a * a).backward(), x)
    # y.backward(torch.ones(len(x))) equals y.sum().backward() (the book's 2.5.2).
    check(lambda t, a: ((a * a).backward(t.ones(len(a))), a.grad)[1], x, grad=False)
    check(lambda t, a: ((a * a).sum().backward(), a.grad)[1], x, grad=False)
    check(lambda t, a: ((a * a).backward(gradient=t.tensor([1.0, 0.0, 2.0, -1.0])), a.grad)[1],
          x, grad=False)


def test_one_element_tensors_backward_without_a_gradient():
    check(lambda t, a: ((a * 3).backward(), a.grad)[1], rand(1), grad=False)
    check(lambda t, a: ((a * 3).reshape(1, 1).backward(), a.grad)[1], rand(1), grad=False)


def test_gradient_shape_and_type_errors():
    x = rand(3)
    check_error(lambda t, a: (a * 2).backward(t.ones(4)), x)
    check_error(lambda t, a: (a * 2).backward(t.ones(3, 1)), x)
    check_error(lambda t, a: (a * 2).sum().backward(t.ones(2)), x)


def test_backward_on_a_tensor_that_does_not_require_grad():
    check_error(lambda t, a: a.sum().backward(), rand(3), requires_grad=False)
    check_error(lambda t, a: a.backward(), np.array([1, 2], np.int64))
    check_error(lambda t, a: (a > 1).sum().backward(), rand(3))
    check_error(lambda t, a: a.detach().sum().backward(), rand(3))


def test_gradients_accumulate_across_backward_calls():
    def fn(t, a):
        (a * a).sum().backward()
        first = a.grad.clone()
        (a * 3).sum().backward()
        (a ** 3).sum().backward()
        return first, a.grad
    check(fn, rand(3), grad=False)

    x = gradkit.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    grad_object = x.grad
    (x * 2).sum().backward()
    assert x.grad is grad_object and x.grad.tolist() == [4.0, 4.0]  # accumulated in place
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_accumulation_never_aliases_the_callers_gradient():
    x = gradkit.tensor([1.0, 2.0], requires_grad=True)
    seed = gradkit.ones(2)
    (x * 1).backward(seed)
    x.grad.add_(5)
    assert seed.tolist() == [1.0, 1.0]
    y = gradkit.tensor([1.0, 2.0], requires_grad=True)
    z = y * 1
    (z + z).sum().backward()
    assert y.grad.tolist() == [2.0, 2.0]


def test_a_tensor_used_twice_and_a_diamond_graph():
    check(lambda t, a: a * a, rand(3))
    check(lambda t, a: (lambda b: b * b.exp() + b.sin())(a * 2), rand(3))
    check(lambda t, a, b: (lambda c: (c * b).sum() + (c / b).mean())(a @ b), rand(2, 2), rand(2, 2))


def test_grad_dtype_follows_the_tensor():
    check(lambda t, a: a * 2, rand(3, dtype=np.float64))
    check(lambda t, a: a.float() * 2, rand(3, dtype=np.float64))
    check(lambda t, a, b: a * b, rand(3, dtype=np.float64), rand(3))


def test_control_flow_gradient_from_the_book():
    def f(lib, a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    for value in (0.7, -0.3):
        def fn(t, a):
            d = f(t, a)
            d.backward()
            assert bool(a.grad == d / a)
            return a.grad
        check(fn, np.array(value, np.float32), grad=False)


# ---------------------------------------------------------------------------------------------
# leaves, non-leaves, retain_grad, requires_grad_
# ---------------------------------------------------------------------------------------------
def test_grad_of_a_non_leaf_is_none_with_a_warning():
    for lib in both():
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y.sum().backward()
        with pytest.warns(UserWarning, match="not a leaf"):
            assert y.grad is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert x.grad is not None  # no warning for leaves


def test_retain_grad():
    def fn(t, a):
        y = a * a
        y.retain_grad()
        z = (y * 3).sum()
        z.backward()
        assert y.retains_grad and not a.retains_grad
        return y.grad, a.grad
    check(fn, rand(3), grad=False)

    def twice(t, a):
        y = a.exp()
        y.retain_grad()
        (y * 2).sum().backward(retain_graph=True)
        (y * 2).sum().backward()
        return y.grad
    check(twice, rand(2), grad=False)
    check(lambda t, a: a.retain_grad(), rand(2), requires_grad=False)
    check(lambda t, a: (a.retain_grad(), a.retains_grad)[1], rand(2))  # a leaf: no-op


def test_is_leaf_and_requires_grad_propagation():
    for lib in both():
        x = lib.ones(2, requires_grad=True)
        c = lib.ones(2)
        assert x.is_leaf and c.is_leaf and x.grad_fn is None
        y = x * c
        assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
        z = c * 2
        assert z.is_leaf and not z.requires_grad and z.grad_fn is None
        with lib.no_grad():
            w = x * 2
        assert w.is_leaf and not w.requires_grad
        assert not (x > 0).requires_grad
        assert not x.argmax().requires_grad
        assert not x.detach().requires_grad and x.detach().is_leaf


def test_requires_grad_():
    check(lambda t, a: a.requires_grad_(), rand(2), requires_grad=False)
    check(lambda t, a: a.requires_grad_(False).requires_grad, rand(2))
    check(lambda t, a: (a * 2).requires_grad_(True).requires_grad, rand(2))
    check_error(lambda t, a: (a * 2).requires_grad_(False), rand(2))
    check_error(lambda t, a: a.requires_grad_(), np.array([1, 2], np.int64))
    check_error(lambda t: t.tensor([1, 2], requires_grad=True))
    check_error(lambda t: t.zeros(2, dtype=t.int64, requires_grad=True))
    for lib in both():
        x = lib.zeros(2)
        x.requires_grad = True
        assert x.requires_grad and x.requires_grad_(False) is x and not x.requires_grad


def test_detach_shares_memory_and_leaves_the_graph():
    def fn(t, x):
        y = x * x
        u = y.detach()
        z = u * x
        z.sum().backward()
        assert not u.requires_grad and u.grad_fn is None
        return x.grad, u
    check(fn, rand(4), grad=False)
    for lib in both():
        x = lib.arange(4.0, requires_grad=True)
        y = x * 2
        u = y.detach()
        u[0] = 100.0
        assert y[0].item() == 100.0
        d = x.detach()
        d += 1
        assert x[0].item() == 1.0


def test_detach_then_gradient_of_the_rest_from_the_book():
    def fn(t, x):
        y = x * x
        u = y.detach()
        z = u * x
        z.sum().backward()
        assert bool((x.grad == u).all())
        x.grad.zero_()
        y.sum().backward()
        assert bool((x.grad == 2 * x).all())
        return x.grad
    check(fn, np.arange(4.0, dtype=np.float32), grad=False)


def test_assigning_grad():
    check_error(lambda t, a: setattr(a, "grad", t.ones(3)), rand(2))
    check_error(lambda t, a: setattr(a, "grad", t.ones(2, dtype=t.float64)), rand(2))
    check(lambda t, a: (setattr(a, "grad", t.ones(2)), a.grad)[1], rand(2), grad=False)


# ---------------------------------------------------------------------------------------------
# freed graphs
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda t, a: (a * a).sum(), lambda t, a: a.exp().sum(), lambda t, a: (a @ a),
    lambda t, a: a.sigmoid().mean(), lambda t, a: (a / (a + 1)).sum(),
])
def test_second_backward_raises_unless_retain_graph(make):
    def twice(t, a):
        y = make(t, a)
        y.backward()
        y.backward()
    error = check_error(twice, rand(3))
    assert "second time" in str(error)

    def retained(t, a):
        y = make(t, a)
        y.backward(retain_graph=True)
        y.backward()
        return a.grad
    check(retained, rand(3), grad=False)


def test_second_backward_through_ops_that_save_nothing_is_allowed():
    def fn(t, a):
        y = (a + 1).sum()
        y.backward()
        y.backward()
        return a.grad
    check(fn, rand(3), grad=False)


def test_backward_through_a_shared_part_after_the_graph_was_freed():
    def fn(t, a):
        h = a.exp()
        h.sum().backward()
        (h * 2).sum().backward()
    check_error(fn, rand(3))


# ---------------------------------------------------------------------------------------------
# autograd.grad and autograd.backward
# ---------------------------------------------------------------------------------------------
def test_autograd_grad():
    check(lambda t, a, b: t.autograd.grad((a * b).sum(), [a, b]), rand(3), rand(3), grad=False)
    check(lambda t, a: t.autograd.grad((a ** 3).sum(), a), rand(3), grad=False)
    check(lambda t, a: t.autograd.grad(a * 2, a, grad_outputs=t.ones(3)), rand(3), grad=False)
    check(lambda t, a: t.autograd.grad([a.sum(), (a * a).sum()], [a]), rand(3), grad=False)

    def intermediate(t, a):
        h = a * 2
        return t.autograd.grad((h * h).sum(), [h, a])
    check(intermediate, rand(3), grad=False)

    def leaves_grad_untouched(t, a):
        t.autograd.grad((a * 2).sum(), a)
        return a.grad
    check(leaves_grad_untouched, rand(3), grad=False)


def test_autograd_grad_unused_inputs():
    check(lambda t, a, b: t.autograd.grad((a * 2).sum(), [a, b], allow_unused=True), rand(3),
          rand(2), grad=False)
    check_error(lambda t, a, b: t.autograd.grad((a * 2).sum(), [a, b]), rand(3), rand(2))
    check_error(lambda t, a, b: t.autograd.grad((a * 2).sum(), [b]), rand(3), rand(2),
                requires_grad={0})
    check(lambda t, a, b: t.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True),
          rand(3), rand(2), grad=False)


def test_autograd_grad_retain_graph():
    def fn(t, a):
        y = (a.exp()).sum()
        first = t.autograd.grad(y, a, retain_graph=True)
        second = t.autograd.grad(y, a)
        return first, second
    check(fn, rand(3), grad=False)
    check_error(lambda t, a: (lambda y: (t.autograd.grad(y, a), t.autograd.grad(y, a)))(
        a.exp().sum()), rand(3))


def test_autograd_backward_function_and_inputs_argument():
    def fn(t, a, b):
        t.autograd.backward([(a * b).sum(), (a * a).sum()])
        return a.grad, b.grad
    check(fn, rand(3), rand(3), grad=False)

    def only_a(t, a, b):
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad
    check(only_a, rand(3), rand(3), grad=False)

    def with_gradients(t, a):
        t.autograd.backward([a * 2], [t.full((3,), 0.5)])
        return a.grad
    check(with_gradients, rand(3), grad=False)


def test_create_graph_gives_grad_with_grad_fn():
    def twice(t, a):
        (a * a * a).sum().backward(create_graph=True)
        assert a.grad.requires_grad and a.grad.grad_fn is not None
        return a.grad
    check(twice, rand(3), grad=False)


# ---------------------------------------------------------------------------------------------
# gradcheck
# ---------------------------------------------------------------------------------------------
class _WrongSquare(Function):
    """x² with a wrong derivative (x instead of 2x): gradcheck must notice."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a


class _Square(_WrongSquare):
    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 2 * a


def test_gradcheck_accepts_right_and_rejects_wrong_gradients():
    x = gradkit.tensor(rand(3, dtype=np.float64), requires_grad=True)
    assert gradkit.autograd.gradcheck(_Square.apply, (x,))
    assert gradkit.autograd.gradcheck(lambda a: (a.exp() * a, a.sum()), (x,))
    assert gradkit.autograd.gradcheck(_WrongSquare.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="mismatch for output 0 with respect to input 0"):
        gradkit.autograd.gradcheck(_WrongSquare.apply, (x,))
    # The message names the output that is wrong.
    with pytest.raises(RuntimeError, match="for output 1 with respect to input 0"):
        gradkit.autograd.gradcheck(lambda a: (a * 2, _WrongSquare.apply(a)), (x,))
    # Inputs that do not require grad are not checked (torch does the same).
    c = gradkit.tensor(rand(3, dtype=np.float64))
    assert gradkit.autograd.gradcheck(lambda a, b: a * b, (x, c))
    gradcheck(lambda t, a, b: a * b + b, rand(2, dtype=np.float64), rand(2, dtype=np.float64))


def test_gradcheck_leaves_inputs_unchanged():
    values = rand(2, 3, dtype=np.float64)
    x = gradkit.tensor(values, requires_grad=True)
    gradkit.autograd.gradcheck(lambda a: a.t().sin(), (x,))
    assert np.array_equal(x.detach().numpy(), values) and x.grad is None


# ---------------------------------------------------------------------------------------------
# PyTorch's node names
# ---------------------------------------------------------------------------------------------
NODE_CASES = {
    "add": lambda t, x, y: x + y, "add scalar": lambda t, x, y: x + 1,
    "radd": lambda t, x, y: 1 + x, "sub": lambda t, x, y: x - y,
    "rsub": lambda t, x, y: 1 - x, "mul": lambda t, x, y: x * y,
    "mul scalar": lambda t, x, y: 2 * x, "div": lambda t, x, y: x / y,
    "rdiv": lambda t, x, y: 1 / x, "pow": lambda t, x, y: x ** 2,
    "pow tensor": lambda t, x, y: x ** y, "rpow": lambda t, x, y: 2 ** x,
    "neg": lambda t, x, y: -x, "remainder": lambda t, x, y: x % 2,
    "abs": lambda t, x, y: x.abs(), "exp": lambda t, x, y: x.exp(), "log": lambda t, x, y: x.log(),
    "sqrt": lambda t, x, y: x.sqrt(), "sin": lambda t, x, y: x.sin(),
    "cos": lambda t, x, y: x.cos(), "tanh": lambda t, x, y: x.tanh(),
    "sigmoid": lambda t, x, y: x.sigmoid(), "relu": lambda t, x, y: x.relu(),
    "clamp": lambda t, x, y: x.clamp(0, 1), "clamp min": lambda t, x, y: x.clamp(min=0.1),
    "maximum": lambda t, x, y: t.maximum(x, y), "minimum": lambda t, x, y: t.minimum(x, y),
    "where": lambda t, x, y: t.where(x > 1, x, y),
    "sum": lambda t, x, y: x.sum(), "sum dim": lambda t, x, y: x.sum(0),
    "mean": lambda t, x, y: x.mean(), "mean dim": lambda t, x, y: x.mean(dim=1),
    "prod": lambda t, x, y: x.prod(), "prod dim": lambda t, x, y: x.prod(1),
    "max": lambda t, x, y: x.max(), "max dim": lambda t, x, y: x.max(0).values,
    "min": lambda t, x, y: x.min(), "min dim": lambda t, x, y: x.min(1)[0],
    "amax": lambda t, x, y: x.amax(0), "cumsum": lambda t, x, y: x.cumsum(1),
    "norm": lambda t, x, y: x.norm(), "norm dim": lambda t, x, y: x.norm(dim=1),
    "var": lambda t, x, y: x.var(), "std": lambda t, x, y: x.std(0),
    "logsumexp": lambda t, x, y: x.logsumexp(1),
    "mm": lambda t, x, y: x @ y.T, "mv": lambda t, x, y: x @ y[0],
    "dot": lambda t, x, y: x[0] @ y[0],
    "bmm": lambda t, x, y: t.bmm(x[None], y.T[None]),
    "reshape": lambda t, x, y: x.reshape(-1), "view": lambda t, x, y: x.view(3, 2),
    "flatten": lambda t, x, y: x.flatten(), "squeeze": lambda t, x, y: x[None].squeeze(),
    "squeeze dim": lambda t, x, y: x[None].squeeze(0), "unsqueeze": lambda t, x, y: x.unsqueeze(1),
    "transpose": lambda t, x, y: x.transpose(0, 1), "t": lambda t, x, y: x.t(),
    "T": lambda t, x, y: x.T, "permute": lambda t, x, y: x.permute(1, 0),
    "expand": lambda t, x, y: x[:1].expand(4, 3), "repeat": lambda t, x, y: x.repeat(2, 1),
    "cat": lambda t, x, y: t.cat([x, y]), "stack": lambda t, x, y: t.stack([x, y]),
    "select": lambda t, x, y: x[0], "slice": lambda t, x, y: x[:, 1:],
    "index": lambda t, x, y: x[[0, 1, 1]], "mask": lambda t, x, y: x[x > 1],
    "pick (y_hat[range(n), y])": lambda t, x, y: x[range(2), t.tensor([0, 2])],
    "none": lambda t, x, y: x[None], "clone": lambda t, x, y: x.clone(),
    "to": lambda t, x, y: x.double(),
}


@pytest.mark.parametrize("name", list(NODE_CASES))
def test_grad_fn_names_match_torch(name):
    fn = NODE_CASES[name]
    torch = import_torch()
    x, y = rand(2, 3), rand(2, 3)
    names = []
    for lib in (gradkit, torch):
        out = fn(lib, lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True))
        names.append(out.grad_fn.name())
    assert names[0] == names[1]


def test_in_place_node_names_in_repr():
    torch = import_torch()
    def written(t):
        a = t.ones(3, requires_grad=True) * 2
        a[0] = 1.0
        return a
    for make in (written, lambda t: (t.ones(3, requires_grad=True) * 2).add_(1),
                 lambda t: (t.ones(3, requires_grad=True) * 2).mul_(t.ones(3))):
        assert repr(make(gradkit)) == repr(make(torch)).replace("torch.", "gradkit.")


def test_next_functions_reach_the_leaves():
    x = gradkit.ones(2, requires_grad=True)
    y = (x * 2).sum()
    (mul, _), = y.grad_fn.next_functions
    assert mul.name() == "MulBackward0"
    accumulate, scalar = mul.next_functions
    assert accumulate[0].name() == "AccumulateGrad" and accumulate[0].variable is x
    assert scalar[0] is None
