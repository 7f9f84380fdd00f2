"""Bad input raises the exception type PyTorch raises, with gradkit's own message: no NumPy
error escapes from inside an op (DESIGN.md §5)."""
from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradkit
from oracle import check_error, check_outcome, import_torch
from strategies import float_arrays, shapes

rng = np.random.default_rng(8)


def rand(*shape, dtype=np.float32):
    return rng.uniform(0.5, 2, shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# shapes that do not broadcast
# ---------------------------------------------------------------------------------------------
def _library(tensor):
    """The module (gradkit or torch) that ``tensor`` belongs to."""
    return gradkit if isinstance(tensor, gradkit.Tensor) else import_torch()


BINARY = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "==": operator.eq,
    "<": operator.lt, ">=": operator.ge, "&": lambda a, b: (a > 1) & (b > 1),
    "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
    "where": lambda a, b: _library(a).where(a > 1, a, b),
    "add alpha": lambda a, b: a.add(b, alpha=2), "pow method": lambda a, b: a.pow(b),
    "remainder": lambda a, b: a.remainder(b), "ne": lambda a, b: a.ne(b),
}


NOT_DIFFERENTIABLE = {"//", "==", "<", ">=", "&", "ne"}


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (3, 2)), ((2, 1, 3), (4, 2)),
                                    ((5, 4), (4, 5, 1, 3))], ids=str)
def test_binary_ops_on_shapes_that_do_not_broadcast(name, shapes):
    op = BINARY[name]
    error = check_error(lambda t, a, b: op(a, b), rand(*shapes[0]), rand(*shapes[1]))
    assert isinstance(error, RuntimeError)
    assert "size of tensor a" in str(error) or "shape" in str(error)


def test_broadcast_message_names_the_sizes():
    error = check_error(lambda t, a, b: a + b, rand(3), rand(4))
    assert str(error) == ("The size of tensor a (3) must match the size of tensor b (4) at "
                          "non-singleton dimension 0")


@settings(max_examples=40, deadline=None)
@given(a=float_arrays(shapes(max_dims=3)), b=float_arrays(shapes(max_dims=3)),
       name=st.sampled_from(sorted(BINARY)))
def test_any_pair_of_shapes_gives_torch_result_or_torch_error(a, b, name):
    op = BINARY[name]
    positive = np.asarray(np.abs(b) + 0.5, dtype=np.float32)
    # ``//`` and comparisons are not differentiable (PyTorch marks ``//`` NotImplemented).
    check_outcome(lambda t, x, y: op(x, y), a, positive,
                  requires_grad=name not in NOT_DIFFERENTIABLE)


IN_PLACE = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul,
            "/=": operator.itruediv, "add_": lambda a, b: a.add_(b),
            "copy_": lambda a, b: a.copy_(b), "setitem": lambda a, b: a.__setitem__(Ellipsis, b)}


@pytest.mark.parametrize("name", list(IN_PLACE))
@settings(max_examples=15, deadline=None)
@given(a=float_arrays(shapes(max_dims=3)), b=float_arrays(shapes(max_dims=3)),
       in_graph=st.booleans())
def test_in_place_ops_with_any_pair_of_shapes(name, a, b, in_graph):
    op = IN_PLACE[name]

    def fn(t, x, y):
        target = x * 1 if in_graph else x.detach().clone()
        op(target, y)
        return target
    check_outcome(fn, a, b)


# ---------------------------------------------------------------------------------------------
# shape ops
# ---------------------------------------------------------------------------------------------
SHAPE_ERRORS = {
    "cat sizes": lambda t, a: t.cat([a, t.ones(3, 4)]),
    "cat dims": lambda t, a: t.cat([a, t.ones(3)]),
    "stack sizes": lambda t, a: t.stack([a, a.t()]),
    "reshape size": lambda t, a: a.reshape(4, 4),
    "reshape two -1": lambda t, a: a.reshape(-1, -1),
    "view size": lambda t, a: a.view(7),
    "view of a non-contiguous tensor": lambda t, a: a.t().view(6),
    "expand": lambda t, a: a.expand(4, 3),
    "expand fewer dims": lambda t, a: a.expand(3),
    "repeat fewer dims": lambda t, a: a.repeat(2),
    "permute length": lambda t, a: a.permute(0),
    "permute repeat": lambda t, a: a.permute(1, 1),
    "flatten order": lambda t, a: a.flatten(1, 0),
    "split sizes": lambda t, a: a.split([1, 2]),
    "t of 3-d": lambda t, a: a[None].t(),
    "item of many": lambda t, a: a.item(),
    "bool of many": lambda t, a: bool(a),
    "matmul": lambda t, a: a @ a,
    "mm": lambda t, a: t.mm(a, a),
    "mv": lambda t, a: t.mv(a, t.ones(2)),
    "dot": lambda t, a: t.dot(a[0], t.ones(2)),
    "bmm": lambda t, a: t.bmm(a[None], a[None]),
}


@pytest.mark.parametrize("name", list(SHAPE_ERRORS))
def test_shape_errors(name):
    check_error(SHAPE_ERRORS[name], rand(2, 3))


# ---------------------------------------------------------------------------------------------
# out-of-range dims and indices
# ---------------------------------------------------------------------------------------------
DIM_OPS = {
    "sum": lambda t, a, d: a.sum(d), "sum tuple": lambda t, a, d: a.sum((0, d)),
    "mean": lambda t, a, d: a.mean(d), "prod": lambda t, a, d: a.prod(d),
    "max": lambda t, a, d: a.max(d), "min": lambda t, a, d: a.min(dim=d),
    "amax": lambda t, a, d: a.amax(d), "argmax": lambda t, a, d: a.argmax(d),
    "argmin": lambda t, a, d: a.argmin(d), "cumsum": lambda t, a, d: a.cumsum(d),
    "norm": lambda t, a, d: a.norm(dim=d), "var": lambda t, a, d: a.var(d),
    "std": lambda t, a, d: a.std(d), "logsumexp": lambda t, a, d: a.logsumexp(d),
    # unsqueeze and stack take one more dim: shift the bad dim out of their range too.
    "squeeze": lambda t, a, d: a.squeeze(d),
    "unsqueeze": lambda t, a, d: a.unsqueeze(d + 1 if d >= 0 else d - 1),
    "transpose": lambda t, a, d: a.transpose(0, d), "permute": lambda t, a, d: a.permute(0, d),
    "flatten": lambda t, a, d: a.flatten(d), "cat": lambda t, a, d: t.cat([a, a], d),
    "stack": lambda t, a, d: t.stack([a, a], d + 1 if d >= 0 else d - 1),
    "split": lambda t, a, d: a.split(1, d),
    "chunk": lambda t, a, d: a.chunk(2, d), "unbind": lambda t, a, d: a.unbind(d),
    "size": lambda t, a, d: a.size(d), "all": lambda t, a, d: a.all(d),
    "any": lambda t, a, d: a.any(d),
}


@pytest.mark.parametrize("name", list(DIM_OPS))
@pytest.mark.parametrize("dim", [2, -3, 5])
def test_out_of_range_dims_raise_index_error(name, dim):
    error = check_error(DIM_OPS[name], rand(2, 3), dim)
    assert isinstance(error, IndexError) and "Dimension out of range" in str(error)


@pytest.mark.parametrize("index", [2, -3, (0, 3), (1, -4), [0, 2], (slice(None), [3]),
                                   (0, 0, 0)], ids=str)
def test_out_of_range_indices_raise_index_error(index):
    error = check_error(lambda t, a: a[index], rand(2, 3))
    assert isinstance(error, IndexError)
    check_error(lambda t, a: a.clone().__setitem__(index, 1.0), rand(2, 3))


# ---------------------------------------------------------------------------------------------
# dtype misuse
# ---------------------------------------------------------------------------------------------
DTYPE_ERRORS = {
    "mean of int": lambda t, a: a.mean(),
    "var of int": lambda t, a: a.var(),
    "norm of int": lambda t, a: a.norm(),
    "requires_grad on int": lambda t, a: a.requires_grad_(),
    "tensor(int, requires_grad)": lambda t, a: t.tensor([1, 2], requires_grad=True),
    "backward on int": lambda t, a: a.sum().backward(),
    "float index": lambda t, a: a[a.float()],
    "matmul int with float": lambda t, a: a @ a.float().t(),
    "int to negative power": lambda t, a: a ** -1,
    "int // 0": lambda t, a: a // 0,
    "bitwise on float": lambda t, a: a.float() & a.float(),
    "bool minus bool": lambda t, a: (a > 0) - (a > 1),
    "negate bool": lambda t, a: -(a > 0),
    "in-place float into int": lambda t, a: a.add_(1.5),
    "where with int condition": lambda t, a: t.where(a, a, a),
    "multinomial of ints": lambda t, a: t.multinomial(a[0], 1),
}


@pytest.mark.parametrize("name", list(DTYPE_ERRORS))
def test_dtype_misuse(name):
    check_error(DTYPE_ERRORS[name], np.array([[1, 2, 3], [4, 5, 6]], np.int64))


def test_backward_errors():
    check_error(lambda t, a: a.sum().backward(), rand(3), requires_grad=False)
    check_error(lambda t, a: (a * 2).backward(), rand(3))
    check_error(lambda t, a: (a * 2).backward(t.ones(2)), rand(3))


# ---------------------------------------------------------------------------------------------
# wrong argument types
# ---------------------------------------------------------------------------------------------
TYPE_ERRORS = {
    "add a string": lambda t, a: a + "x",
    "multiply by None": lambda t, a: a * None,
    "matmul with a number": lambda t, a: a @ 2.0,
    "reshape with a float": lambda t, a: a.reshape(2.0, 3),
    "zeros with a float": lambda t, a: t.zeros(2.5),
    "cat of a tensor": lambda t, a: t.cat(a),
    "len of 0-d": lambda t, a: len(a.sum()),
    "iterate 0-d": lambda t, a: iter(a.sum()),
    "exp of a list": lambda t, a: t.exp([1.0, 2.0]),
    "maximum with a number": lambda t, a: t.maximum(a, 1.0),
}


@pytest.mark.parametrize("name", list(TYPE_ERRORS))
def test_wrong_argument_types(name):
    error = check_error(TYPE_ERRORS[name], rand(2, 3))
    assert isinstance(error, TypeError)


# ---------------------------------------------------------------------------------------------
# special values: PyTorch computes inf/nan silently, and so must gradkit (no NumPy warnings)
# ---------------------------------------------------------------------------------------------
SILENT = {
    "1 / 0": (lambda t, a: 1.0 / a, [0.0, 2.0]),
    "0 / 0": (lambda t, a: a / a, [0.0, 2.0]),
    "x / 0": (lambda t, a: a / (a * 0), [1.0, 2.0]),
    "log 0": (lambda t, a: a.log(), [0.0, 2.0]),
    "log -1": (lambda t, a: a.log(), [-1.0, 2.0]),
    "sqrt -1": (lambda t, a: a.sqrt(), [-1.0, 4.0]),
    "sqrt 0": (lambda t, a: a.sqrt(), [0.0, 4.0]),
    "exp 1000": (lambda t, a: a.exp(), [1000.0, 1.0]),
    "x ** -1 at 0": (lambda t, a: a ** -1, [0.0, 2.0]),
    "x ** 0.5 at -1": (lambda t, a: a ** 0.5, [-1.0, 2.0]),
    "x ** y at 0": (lambda t, a: a ** (a + 1), [0.0, 2.0]),
    "mean of nothing": (lambda t, a: a[:0].mean(), [1.0, 2.0]),
    "var of one": (lambda t, a: a[:1].var(), [1.0, 2.0]),
    "std of one": (lambda t, a: a[:1].std(), [1.0, 2.0]),
    "std of equal values": (lambda t, a: (a * 0).std(), [1.0, 2.0]),
    "logsumexp of -inf": (lambda t, a: a.log().logsumexp(0), [0.0, 0.0]),
    "norm of zeros": (lambda t, a: (a * 0).norm(), [1.0, 2.0]),
    "amax with nan": (lambda t, a: (a.log()).amax(0), [-1.0, 2.0]),
    "max with nan": (lambda t, a: (a.log()).max(), [-1.0, 2.0]),
    "sigmoid of -1000": (lambda t, a: (a * -1000).sigmoid(), [1.0, -1.0]),
    "tanh of 1000": (lambda t, a: (a * 1000).tanh(), [1.0, -1.0]),
    "float // 0": (lambda t, a: a // 0.0, [1.0, -1.0]),
    "float % 0": (lambda t, a: a % 0.0, [1.0, -1.0]),
}


@pytest.mark.parametrize("name", list(SILENT))
def test_special_values_are_computed_silently(name):
    fn, values = SILENT[name]
    # The filters stay as a user has them by default: gradkit silences NumPy inside its ops with
    # np.errstate where special values are made (division, exp, pow, sums...) and with a
    # warnings filter scoped to gradkit._ops for values merely passing through (inf * 0 in a
    # Mul backward), which costs nothing per op. A user who turns every RuntimeWarning into an
    # error puts that filter first, and would then see the pass-through ones.
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("ignore", message=".*degrees of freedom.*")  # torch's own
        check_outcome(fn, np.array(values, np.float32),
                      requires_grad="//" not in name and "%" not in name)
    numpy_warnings = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert not numpy_warnings, [str(w.message) for w in numpy_warnings]
