"""The book's chapter 2 code (2.1 data manipulation, 2.2 preprocessing, 2.3 linear algebra,
2.5 automatic differentiation, 2.6 probability) run with ``import gradkit as torch`` and with
PyTorch: every deterministic result must print and compare the same."""
from __future__ import annotations

import numpy as np

import gradkit
from oracle import STATS, import_torch, torch_repr


def _same(ours, theirs, where: str) -> None:
    torch = import_torch()
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, gradkit.Tensor), f"{where}: not a tensor: {ours!r}"
        assert repr(ours) == torch_repr(theirs), f"{where}:\n{ours!r}\n{torch_repr(theirs)}"
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), where
        for i, (o, t) in enumerate(zip(ours, theirs)):
            _same(o, t, f"{where}[{i}]")
    elif isinstance(theirs, torch.Size):
        assert repr(ours) == torch_repr(theirs), where
    elif isinstance(theirs, torch.dtype):
        assert repr(ours) == torch_repr(theirs), where
    else:
        assert ours == theirs, f"{where}: {ours!r} != {theirs!r}"


def run_both(section) -> None:
    """Run ``section(torch)`` with gradkit and with torch; compare what each line produced."""
    STATS["oracle"] += 1
    ours, theirs = section(gradkit), section(import_torch())
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        _same(o, t, f"{section.__name__} result {i}")


def data_manipulation(torch):  # 2.1
    out = []
    x = torch.arange(12)
    out += [x, x.shape, x.numel()]
    X = x.reshape(3, 4)
    out += [X, torch.zeros((2, 3, 4)), torch.ones((2, 3, 4)), torch.randn(3, 4).shape,
            torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])]
    x = torch.tensor([1.0, 2, 4, 8])
    y = torch.tensor([2, 2, 2, 2])
    out += [x + y, x - y, x * y, x / y, x ** y, torch.exp(x)]
    X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
    Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    out += [torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1), X == Y, X.sum()]
    a = torch.arange(3).reshape((3, 1))
    b = torch.arange(2).reshape((1, 2))
    out += [a, b, a + b]
    out += [X[-1], X[1:3]]
    X[1, 2] = 9
    out.append(X)
    X[0:2, :] = 12
    out.append(X)
    before = id(Y)
    Y = Y + X
    out.append(id(Y) == before)
    Z = torch.zeros_like(Y)
    before = id(Z)
    Z[:] = X + Y
    out += [id(Z) == before, Z]
    before = id(X)
    X += Y
    out += [id(X) == before, X]
    A = X.numpy()
    B = torch.tensor(A)
    out += [type(A).__name__, type(B).__name__, B]
    a = torch.tensor([3.5])
    out += [a, a.item(), float(a), int(a)]
    # Exercises: other comparisons and broadcasting of 3-d tensors.
    out += [X < Y, X > Y, torch.arange(6).reshape(3, 1, 2) + torch.arange(4).reshape(4, 1)]
    return out


def preprocessing(torch):  # 2.2, with the table already as NumPy arrays (no pandas needed)
    inputs = np.array([[3.0, 1, 0], [2.0, 0, 1], [4.0, 0, 1], [3.0, 0, 1]])
    outputs = np.array([127500, 106000, 178100, 140000])
    X, y = torch.tensor(inputs), torch.tensor(outputs)
    return [X, y, torch.tensor(inputs.astype(np.float32)), X.dtype, y.dtype]


def linear_algebra(torch):  # 2.3
    out = []
    x, y = torch.tensor(3.0), torch.tensor(2.0)
    out += [x + y, x * y, x / y, x ** y]
    x = torch.arange(4)
    out += [x, x[3], len(x), x.shape]
    A = torch.arange(20).reshape(5, 4)
    out += [A, A.T]
    B = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
    out += [B, B == B.T]
    out.append(torch.arange(24).reshape(2, 3, 4))
    A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
    B = A.clone()
    out += [A, A + B, A * B]
    a = 2
    X = torch.arange(24).reshape(2, 3, 4)
    out += [a + X, (a * X).shape]
    x = torch.arange(4, dtype=torch.float32)
    out += [x, x.sum(), A.shape, A.sum()]
    A_sum_axis0 = A.sum(axis=0)
    A_sum_axis1 = A.sum(axis=1)
    out += [A_sum_axis0, A_sum_axis0.shape, A_sum_axis1, A_sum_axis1.shape, A.sum(axis=[0, 1])]
    out += [A.mean(), A.sum() / A.numel(), A.mean(axis=0), A.sum(axis=0) / A.shape[0]]
    sum_A = A.sum(axis=1, keepdims=True)
    out += [sum_A, A / sum_A, A.cumsum(axis=0)]
    y = torch.ones(4, dtype=torch.float32)
    out += [x, y, torch.dot(x, y), torch.sum(x * y)]
    out += [A.shape, x.shape, torch.mv(A, x)]
    B = torch.ones(4, 3)
    out += [torch.mm(A, B)]
    u = torch.tensor([3.0, -4.0])
    out += [torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9)))]
    # Exercises: (A.T).T == A, A.T + B.T == (A + B).T, len of a 3-d tensor, A / A.sum(axis=1).
    out += [bool(((A.T).T == A).all()), bool((A.T + A.clone().T == (A + A.clone()).T).all()),
            len(torch.arange(24).reshape(2, 3, 4))]
    try:
        A / A.sum(axis=1)
    except RuntimeError:
        out.append("RuntimeError")
    return out


def calculus(torch):  # 2.4, the numerical limit with tensors
    def f(x):
        return 3 * x ** 2 - 4 * x

    x = torch.arange(0, 3, 0.1)
    h = torch.tensor(0.1, dtype=torch.float64)
    out = [f(x), x.dtype]
    for _ in range(5):
        out.append((f(1 + h) - f(torch.tensor(1.0, dtype=torch.float64))) / h)
        h = h * 0.1
    return out


def automatic_differentiation(torch):  # 2.5
    out = []
    x = torch.arange(4.0)
    out.append(x)
    x.requires_grad_(True)
    out.append(x.grad)
    y = 2 * torch.dot(x, x)
    out.append(y)
    y.backward()
    out += [x.grad, x.grad == 4 * x]
    x.grad.zero_()
    y = x.sum()
    y.backward()
    out.append(x.grad)
    x.grad.zero_()
    y = x * x
    y.backward(torch.ones(len(x)))
    out.append(x.grad)
    x.grad.zero_()
    y = x * x
    y.sum().backward()
    out.append(x.grad)
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    out += [u, x.grad == u]
    x.grad.zero_()
    y.sum().backward()
    out.append(x.grad == 2 * x)

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    # The book prints a.grad == d / a; with 100 * b the two can differ in the last bit.
    out += [bool(torch.isclose(a.grad, d / a)), a.shape, a.requires_grad]
    for value in (0.3, -1.7):  # the same with fixed inputs, so values can be compared
        a = torch.tensor(value, requires_grad=True)
        d = f(a)
        d.backward()
        out += [a.grad, d]
    return out


def probability(torch):  # 2.6
    import importlib

    multinomial = importlib.import_module(f"{torch.__name__}.distributions.multinomial")
    out = []
    fair_probs = torch.ones([6]) / 6
    out.append(fair_probs)
    one = multinomial.Multinomial(1, fair_probs).sample()
    out += [one.shape, one.dtype, one.sum()]
    ten = multinomial.Multinomial(10, fair_probs).sample()
    out += [ten.shape, ten.sum()]
    counts = multinomial.Multinomial(1000, fair_probs).sample()
    out += [(counts / 1000).shape, counts.sum(), bool(((counts / 1000 - 1 / 6).abs() < 0.06).all())]
    counts = multinomial.Multinomial(10, fair_probs).sample((500,))
    cum_counts = counts.cumsum(dim=0)
    estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
    out += [counts.shape, cum_counts.shape, estimates.shape, estimates.dtype,
            bool((estimates.sum(dim=1) - 1).abs().max() < 1e-5),
            estimates[:, 0].numpy().shape, bool(((estimates[-1] - 1 / 6).abs() < 0.03).all())]
    # The same arithmetic on fixed counts, compared value for value.
    fixed = torch.tensor([[1.0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]])
    cum = fixed.cumsum(dim=0)
    out += [cum, cum / cum.sum(dim=1, keepdims=True)]
    return out


def test_2_1_data_manipulation():
    run_both(data_manipulation)


def test_2_2_preprocessing():
    run_both(preprocessing)


def test_2_3_linear_algebra():
    run_both(linear_algebra)


def test_2_4_calculus():
    run_both(calculus)


def test_2_5_automatic_differentiation():
    run_both(automatic_differentiation)


def test_2_6_probability():
    run_both(probability)
