"""In-place ops: values, identity (the book's memory demo), dtypes, broadcasting rules, gradients
through in-place ops on non-leaves, and PyTorch's errors (leaves that require grad, tensors
saved for backward)."""
from __future__ import annotations

import operator

import numpy as np
import pytest

import gradkit
from oracle import check, check_error, import_torch

rng = np.random.default_rng(6)


def rand(*shape, dtype=np.float32):
    return rng.uniform(0.5, 2, shape).astype(dtype)


INPLACE_BINARY = {
    "add_": lambda a, b: a.add_(b),
    "sub_": lambda a, b: a.sub_(b),
    "mul_": lambda a, b: a.mul_(b),
    "div_": lambda a, b: a.div_(b),
    "add_ alpha": lambda a, b: a.add_(b, alpha=-0.5),
    "sub_ alpha": lambda a, b: a.sub_(b, alpha=2),
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
}


@pytest.mark.parametrize("name", list(INPLACE_BINARY))
@pytest.mark.parametrize("other_shape", [(3, 4), (4,), (1, 4), (3, 1), ()], ids=str)
def test_inplace_binary_on_plain_tensors(name, other_shape):
    op = INPLACE_BINARY[name]
    a, b = rand(3, 4), rand(*other_shape)

    def fn(t, x, y):
        before = id(x)
        out = op(x, y)
        assert out is x and id(x) == before
        return x
    check(fn, a, b, requires_grad=False)
    check(lambda t, x: op(x, 2.5), a, requires_grad=False)


@pytest.mark.parametrize("name", list(INPLACE_BINARY))
def test_inplace_binary_in_a_graph(name):
    """``y = x * 1; y op= z`` records the op: gradients reach x and z as in PyTorch."""
    op = INPLACE_BINARY[name]

    def fn(t, x, z):
        y = x * 1.5
        out = op(y, z)
        assert out is y
        return y * x
    check(fn, rand(3, 4), rand(4))
    check(fn, rand(3, 4), rand(4), requires_grad={0})
    check(fn, rand(3, 4), rand(4), requires_grad={1})


@pytest.mark.parametrize("name", list(INPLACE_BINARY))
def test_inplace_output_shape_must_not_grow(name):
    op = INPLACE_BINARY[name]
    check_error(lambda t, x, y: op(x, y), rand(3, 1), rand(3, 4), requires_grad=False)
    check_error(lambda t, x, y: op(x * 1, y), rand(3, 1), rand(3, 4))
    check_error(lambda t, x, y: op(x, y), rand(3, 4), rand(2, 4), requires_grad=False)


def test_the_books_memory_demo_keeps_identity():
    X = gradkit.arange(12, dtype=gradkit.float32).reshape((3, 4))
    Y = gradkit.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    before = id(Y)
    Y = Y + X
    assert id(Y) != before
    Z = gradkit.zeros_like(Y)
    before = id(Z)
    Z[:] = X + Y
    assert id(Z) == before
    before = id(X)
    X += Y
    assert id(X) == before
    X[0:2, :] = 12
    assert id(X) == before
    A = X.numpy()
    B = gradkit.tensor(A)
    assert type(A).__name__ == "ndarray" and isinstance(B, gradkit.Tensor)


def test_unary_inplace_ops():
    x = np.array([[-1.5, 0.5], [2.5, -0.25]], np.float32)
    for fn in (lambda t, a: a.zero_(), lambda t, a: a.fill_(3), lambda t, a: a.fill_(2.5),
               lambda t, a: a.fill_(t.tensor(1.5)), lambda t, a: a.clamp_(-1, 1),
               lambda t, a: a.clamp_(min=0), lambda t, a: a.clamp_(max=0.3),
               lambda t, a: a.copy_(t.ones(2)), lambda t, a: a.copy_(t.tensor([[7, 8], [9, 10]])),
               lambda t, a: a.copy_(t.tensor(4.0, dtype=t.float64)), lambda t, a: a.exp_(),
               lambda t, a: a.relu_(), lambda t, a: a.neg_(), lambda t, a: a.pow_(2)):
        check(lambda t, a: (fn(t, a), a)[1], x, requires_grad=False)
        check(lambda t, a: fn(t, a * 1) * a, x)  # on a non-leaf in a graph


def test_inplace_ops_on_int_tensors():
    x = np.array([1, 5, -3], np.int64)
    check(lambda t, a: a.clamp_(0, 2), x)
    check(lambda t, a: a.fill_(7), x)
    check(lambda t, a: a.zero_(), x)
    check(lambda t, a: a.copy_(t.tensor([1.7, 2.2, -3.9])), x)
    check_error(lambda t, a: a.clamp_(0.5, 2), x)
    check_error(lambda t, a: a.div_(2), x)
    check_error(lambda t, a: a.fill_(t.ones(3)), x)


def test_copy_errors():
    check_error(lambda t, a: a.copy_(t.ones(3)), rand(2, 2), requires_grad=False)
    check_error(lambda t, a: a.copy_(t.ones(2, 2, 2)), rand(2, 2), requires_grad=False)


def test_random_fills_in_place():
    w = gradkit.zeros(200, 300)
    before = id(w)
    assert w.normal_(0, 0.01) is w and id(w) == before
    assert abs(w.mean().item()) < 0.001 and abs(w.std().item() - 0.01) < 0.001
    assert w.dtype is gradkit.float32
    w.uniform_(-2, 3)
    assert w.min().item() >= -2 and w.max().item() < 3 and abs(w.mean().item() - 0.5) < 0.05
    b = gradkit.zeros(10000, dtype=gradkit.float64).bernoulli_(0.3)
    assert set(np.unique(b.numpy()).tolist()) == {0.0, 1.0}
    assert abs(b.mean().item() - 0.3) < 0.03 and b.dtype is gradkit.float64


def test_data_normal_on_a_parameter_is_allowed_and_untracked():
    torch = import_torch()
    for lib in (gradkit, torch):
        w = lib.zeros(3, 2, requires_grad=True)
        w.data.normal_(0, 0.01)
        w.data.fill_(1.0)
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
        assert w.sum().item() == 6.0


# ---------------------------------------------------------------------------------------------
# PyTorch's errors
# ---------------------------------------------------------------------------------------------
LEAF_OPS = [lambda t, a: a.add_(1), lambda t, a: a.mul_(2), lambda t, a: a.zero_(),
            lambda t, a: a.fill_(1), lambda t, a: a.normal_(), lambda t, a: a.uniform_(),
            lambda t, a: a.copy_(t.ones(3)), lambda t, a: a.clamp_(0, 1),
            lambda t, a: operator.iadd(a, 1), lambda t, a: operator.isub(a, a.detach()),
            lambda t, a: a.__setitem__(0, 5.0), lambda t, a: a.div_(2), lambda t, a: a.sub_(1)]


RANDOM_OPS = LEAF_OPS[4:6]


@pytest.mark.parametrize("op", LEAF_OPS)
def test_inplace_on_a_leaf_that_requires_grad_raises(op):
    error = check_error(op, rand(3))
    assert "leaf" in str(error)


@pytest.mark.parametrize("op", LEAF_OPS)
def test_inplace_on_a_leaf_works_under_no_grad(op):
    def fn(t, a):
        with t.no_grad():
            op(t, a)
        assert a.is_leaf and a.requires_grad and a.grad_fn is None
        # Random fills differ between the libraries: compare where the values landed.
        return a.detach() if op not in RANDOM_OPS else (a.detach() * 0)
    check(fn, np.array([0.25, 0.5, 2.0], np.float32))


def test_sgd_step_from_the_book():
    def fn(t, w, b, X, y):
        l = ((X @ w + b - y) ** 2 / 2).sum()
        l.backward()
        with t.no_grad():
            for param in (w, b):
                param -= 0.1 * param.grad / 4
                param.grad.zero_()
        return w.detach(), b.detach(), w.grad, b.grad
    check(fn, rand(2, 1), rand(1), rand(4, 2), rand(4, 1), requires_grad={0, 1}, grad=False)


SAVED_CASES = {
    "exp saves its output": lambda t, x: (lambda y: (y.add_(1), y))(x.exp())[1],
    "sigmoid saves its output": lambda t, x: (lambda y: (y.mul_(2), y))(x.sigmoid())[1],
    "mul saves its inputs": lambda t, x: (lambda a: (lambda out: (a.add_(1), out))(a * a))(
        x * 1)[1],
    "pow saves its input": lambda t, x: (lambda a: (lambda out: (a.zero_(), out))(a ** 3))(
        x + 0)[1],
    "matmul saves its inputs": lambda t, x: (lambda a: (lambda out: (a.mul_(3), out))(
        a @ a.t()))(x.reshape(3, 1) * 1)[1],
}


def _write_into_saved_output(t, x):
    out = (x * 1).tanh()  # saves its output
    out[0] = 0.0          # and this write changes it
    return out


def _write_through_a_view(t, x):
    a = x * 1
    out = a.exp() * a     # mul saves a
    a[1:].fill_(0)        # a write through a view of a
    return out


SAVED_CASES["a write into a saved output"] = _write_into_saved_output
SAVED_CASES["a write through a view"] = _write_through_a_view


@pytest.mark.parametrize("name", list(SAVED_CASES))
def test_modifying_a_tensor_saved_for_backward_raises_at_backward(name):
    fn = SAVED_CASES[name]
    torch = import_torch()
    for lib in (gradkit, torch):
        x = lib.tensor([0.5, 1.0, 1.5], requires_grad=True)
        out = fn(lib, x)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


def test_modifying_a_saved_tensor_through_detach_raises():
    torch = import_torch()
    for lib in (gradkit, torch):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x.exp()
        y.detach().zero_()  # shares the version counter
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_modifying_through_data_is_not_tracked():
    torch = import_torch()
    grads = []
    for lib in (gradkit, torch):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x.exp()
        y.data.zero_()  # .data bypasses the version counter, as in PyTorch
        y.sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [0.0, 0.0]


def test_inplace_after_use_by_an_op_that_saves_nothing_is_fine():
    def fn(t, x):
        a = x * 1
        b = a + 2          # add saves nothing
        a.mul_(3)
        return b * 1 + a
    check(fn, rand(3))


def test_version_counter_counts_inplace_ops():
    torch = import_torch()
    for lib in (gradkit, torch):
        x = lib.ones(3)
        keep = x.detach()
        start = keep._version
        x.add_(1)
        x[0] = 2
        x *= 2
        x.zero_()
        assert x._version - start == 4 and keep._version == x._version


VIEW_WRITES = {
    "slice mul_": lambda a: a[1:].mul_(2),
    "row setitem": lambda a: a[0].__setitem__(slice(None), 5.0),
    "reshape add_": lambda a: a.reshape(-1).add_(1),
    "transpose mul_": lambda a: a.t().mul_(3),
    "view fill_": lambda a: a.view(-1).fill_(0.5),
}


@pytest.mark.parametrize("name", list(VIEW_WRITES))
def test_inplace_through_a_view_changes_the_base_in_the_graph(name):
    """Writing through a view of a non-leaf changes the base; its gradient must follow."""
    write = VIEW_WRITES[name]

    def fn(t, x):
        a = x * 1
        write(a)
        return a * x
    check(fn, rand(2, 2))



GRADCHECK_INPLACE = {
    **{name: (lambda op: lambda t, x, z: op(x * 1.5, z))(op)
       for name, op in INPLACE_BINARY.items()},
    "clamp_": lambda t, x, z: (x * 1).clamp_(0.7, 1.6) * z,
    "exp_": lambda t, x, z: (x * z).exp_(),
    "relu_": lambda t, x, z: (x - 1.25).relu_() * z,
    "neg_": lambda t, x, z: (x * z).neg_(),
    "pow_": lambda t, x, z: (x * 1).pow_(3) + z,
    "copy_": lambda t, x, z: (x * 1).copy_(z * 2) * x,
    "setitem": lambda t, x, z: _set_row(x * 1, z),
    "fill_": lambda t, x, z: (x * z).fill_(2.0) * x,
}


def _set_row(target, value):
    target[1] = value * 3
    return target


@pytest.mark.parametrize("name", list(GRADCHECK_INPLACE))
def test_inplace_gradcheck(name):
    from oracle import gradcheck

    # Fixed values clear of the kinks: clamp's bounds (0.7, 1.6) and relu's 1.25.
    x = np.array([[0.55, 0.8, 0.95, 1.15], [1.35, 1.45, 1.7, 1.9], [0.6, 1.0, 1.4, 1.8]])
    z = np.array([0.9, 1.3, 0.6, 1.7])
    gradcheck(GRADCHECK_INPLACE[name], x, z)
    # The same on non-contiguous inputs (views of transposed arrays).
    gradcheck(lambda t, a, b: GRADCHECK_INPLACE[name](t, a.t(), b[::2].repeat(2)), x.T.copy(), z)
