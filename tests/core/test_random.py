"""Random factories and distributions: shapes, dtypes and ranges against PyTorch (values differ:
gradkit's streams are NumPy's), reproducibility under seeds and generators, and moments."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from gradkit.distributions import multinomial
from oracle import check, check_error, dtype_name, import_torch


def same_kind(fn):
    """``fn(lib)`` makes a random tensor: shape, dtype, requires_grad and is_leaf as torch's."""
    torch = import_torch()
    out = []
    for lib in (gradkit, torch):
        t = fn(lib)
        out.append((tuple(t.shape), dtype_name(t.dtype), t.requires_grad, t.is_leaf))
    assert out[0] == out[1], f"gradkit {out[0]} != torch {out[1]}"
    return fn(gradkit)


# ---------------------------------------------------------------------------------------------
# shapes and dtypes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda t: t.rand(2, 3), lambda t: t.rand((2, 3)), lambda t: t.rand([4]),
    lambda t: t.randn(size=(), requires_grad=True), lambda t: t.rand(size=(2, 1)),
    lambda t: t.rand(t.Size([2, 2])), lambda t: t.rand(()), lambda t: t.rand(0, 3),
    lambda t: t.rand(2, dtype=t.float64), lambda t: t.rand(2, dtype=t.float16),
    lambda t: t.rand(2, 3, requires_grad=True), lambda t: t.randn(3, 4),
    lambda t: t.randn((2, 3), dtype=t.float64), lambda t: t.randn(2, requires_grad=True),
    lambda t: t.randint(5, (3,)), lambda t: t.randint(2, 5, (3, 2)),
    lambda t: t.randint(3, size=(2,)), lambda t: t.randint(low=1, high=3, size=(2,)),
    lambda t: t.randint(0, 10, (2,), dtype=t.int32),
    lambda t: t.randint(0, 2, (3,), dtype=t.float32),
    lambda t: t.randperm(5), lambda t: t.randperm(0), lambda t: t.randperm(4, dtype=t.float32),
    lambda t: t.normal(0, 1, (10, 2)), lambda t: t.normal(0, 0.01, t.ones(3, 1).shape),
    lambda t: t.normal(0, 0.01, size=(2, 1), requires_grad=True),
    lambda t: t.normal(2.0, 3.0, size=(4,)), lambda t: t.normal(t.zeros(3), 1.0),
    lambda t: t.normal(0.0, t.ones(3)), lambda t: t.normal(t.zeros(2, 1), t.ones(3)),
    lambda t: t.normal(t.zeros(3, dtype=t.float64), 1.0), lambda t: t.normal(t.arange(4.0), 0.5),
    lambda t: t.bernoulli(t.full((3, 2), 0.5)),
    lambda t: t.bernoulli(t.full((3,), 0.5, dtype=t.float64)),
    lambda t: t.bernoulli(t.ones(2), 0.3),
    lambda t: t.multinomial(t.tensor([0.2, 0.8]), 5, replacement=True),
    lambda t: t.multinomial(t.tensor([0.2, 0.3, 0.5]), 3),
    lambda t: t.multinomial(t.tensor([[0.2, 0.8], [0.5, 0.5]]), 2),
    lambda t: t.rand_like(t.ones(2, 3)), lambda t: t.randn_like(t.ones(2, dtype=t.float64)),
    lambda t: t.randint_like(t.ones(2, 3), 5), lambda t: t.randint_like(t.ones(2), 1, 5),
], ids=lambda f: "")
def test_shapes_and_dtypes_match_torch(make):
    same_kind(make)


def test_ranges():
    u = gradkit.rand(10_000)
    assert 0 <= u.min().item() and u.max().item() < 1
    r = gradkit.randint(2, 5, (10_000,))
    assert set(r.tolist()) == {2, 3, 4}
    assert set(gradkit.randint(3, (1000,)).tolist()) == {0, 1, 2}
    assert sorted(gradkit.randperm(50).tolist()) == list(range(50))
    b = gradkit.bernoulli(gradkit.tensor([0.0, 1.0] * 500))
    assert b.tolist() == [0.0, 1.0] * 500


def test_random_errors_match_torch():
    check_error(lambda t: t.normal(0, -1, (2,)))
    check_error(lambda t: t.normal(t.zeros(2), -t.ones(2)))
    check_error(lambda t: t.normal(0, 1))
    check_error(lambda t: t.randint(5, 5, (3,)))
    check_error(lambda t: t.randint(5))
    check_error(lambda t: t.randperm(-1))
    check_error(lambda t: t.rand(2, dtype=t.int64))
    check_error(lambda t: t.randn(2, dtype=t.int32))
    check_error(lambda t: t.rand(-1))
    check_error(lambda t: t.bernoulli(t.tensor([1.5])))
    check_error(lambda t: t.multinomial(t.tensor([0.2, 0.8]), 3))
    check_error(lambda t: t.multinomial(t.tensor([0.2, -0.8]), 1))
    check_error(lambda t: t.multinomial(t.tensor([0.0, 0.0]), 1))
    check_error(lambda t: t.multinomial(t.ones(2, 2, 2), 1))
    check_error(lambda t: t.multinomial(t.tensor([1, 2]), 1))
    check_error(lambda t: t.bernoulli(t.ones(2, dtype=t.int64)))
    check_error(lambda t: t.randint(3.5, (2,)))
    check_error(lambda t: t.randint(3, (-1,)))
    check_error(lambda t: t.normal(0, 1, (-1,)))
    check_error(lambda t: t.rand())
    check_error(lambda t: t.normal(t.zeros(2), t.ones(3)))


# ---------------------------------------------------------------------------------------------
# reproducibility
# ---------------------------------------------------------------------------------------------
def _draw_everything(generator=None):
    kw = {} if generator is None else {"generator": generator}
    return [gradkit.rand(3, **kw).tolist(), gradkit.randn(2, 2, **kw).tolist(),
            gradkit.randint(0, 100, (4,), **kw).tolist(), gradkit.randperm(6, **kw).tolist(),
            gradkit.normal(0, 1, (3,), **kw).tolist(),
            gradkit.multinomial(gradkit.ones(5), 3, **kw).tolist(),
            gradkit.bernoulli(gradkit.full((5,), 0.5), **kw).tolist()]


def test_manual_seed_makes_runs_repeatable():
    gradkit.manual_seed(42)
    first = _draw_everything()
    first.append(multinomial.Multinomial(10, gradkit.ones(6) / 6).sample((3,)).tolist())
    first.append(gradkit.zeros(4).normal_(0, 1).tolist())
    gradkit.manual_seed(42)
    second = _draw_everything()
    second.append(multinomial.Multinomial(10, gradkit.ones(6) / 6).sample((3,)).tolist())
    second.append(gradkit.zeros(4).normal_(0, 1).tolist())
    assert first == second
    gradkit.manual_seed(43)
    assert _draw_everything() != first[:-2]
    assert gradkit.initial_seed() == 43


def test_generators_are_independent_of_the_default_one():
    g = gradkit.Generator().manual_seed(7)
    from_generator = _draw_everything(g)
    gradkit.manual_seed(0)
    gradkit.rand(100)  # moving the default stream does not move g's
    g2 = gradkit.Generator()
    assert g2.manual_seed(7) is g2
    assert _draw_everything(g2) == from_generator
    assert g.initial_seed() == 7
    x = gradkit.zeros(3)
    x.normal_(generator=gradkit.Generator().manual_seed(1))
    y = gradkit.zeros(3).normal_(generator=gradkit.Generator().manual_seed(1))
    assert x.tolist() == y.tolist()


def test_rng_state_round_trip():
    gradkit.manual_seed(3)
    state = gradkit.get_rng_state()
    assert state.dtype is gradkit.uint8
    first = gradkit.rand(4).tolist()
    gradkit.set_rng_state(state)
    assert gradkit.rand(4).tolist() == first
    g = gradkit.Generator().manual_seed(5)
    saved = g.get_state()
    a = gradkit.randn(3, generator=g).tolist()
    g.set_state(saved)
    assert gradkit.randn(3, generator=g).tolist() == a


def test_manual_seed_returns_a_generator():
    torch = import_torch()
    assert isinstance(gradkit.manual_seed(1), gradkit.Generator)
    assert isinstance(torch.manual_seed(1), torch.Generator)


# ---------------------------------------------------------------------------------------------
# moments on large samples
# ---------------------------------------------------------------------------------------------
def test_moments():
    n = 200_000
    x = gradkit.randn(n)
    assert abs(x.mean().item()) < 0.01 and abs(x.std().item() - 1) < 0.01
    y = gradkit.normal(3.0, 0.5, (n,))
    assert abs(y.mean().item() - 3.0) < 0.01 and abs(y.std().item() - 0.5) < 0.01
    z = gradkit.normal(gradkit.tensor([0.0, 10.0]).expand(n, 2), gradkit.tensor([1.0, 0.1]))
    assert np.allclose(z.mean(0).numpy(), [0.0, 10.0], atol=0.02)
    assert np.allclose(z.std(0).numpy(), [1.0, 0.1], atol=0.01)
    u = gradkit.rand(n, dtype=gradkit.float64)
    assert abs(u.mean().item() - 0.5) < 0.01 and abs(u.var().item() - 1 / 12) < 0.005
    b = gradkit.bernoulli(gradkit.full((n,), 0.3))
    assert abs(b.mean().item() - 0.3) < 0.01
    r = gradkit.randint(0, 4, (n,))
    counts = np.bincount(r.numpy(), minlength=4) / n
    assert np.allclose(counts, 0.25, atol=0.01)
    w = gradkit.zeros(n).uniform_(-1, 3)
    assert abs(w.mean().item() - 1.0) < 0.02


def test_multinomial_frequencies_with_and_without_replacement():
    probs = gradkit.tensor([0.1, 0.2, 0.7, 0.0])
    draws = gradkit.multinomial(probs, 50_000, replacement=True)
    assert draws.dtype is gradkit.int64 and draws.shape == (50_000,)
    frequencies = np.bincount(draws.numpy(), minlength=4) / 50_000
    assert np.allclose(frequencies, [0.1, 0.2, 0.7, 0.0], atol=0.01)
    # Unnormalized weights work too.
    weights = gradkit.tensor([[1.0, 3.0], [5.0, 0.0]])
    rows = gradkit.multinomial(weights, 10_000, replacement=True)
    assert abs(rows[0].float().mean().item() - 0.75) < 0.02 and rows[1].sum().item() == 0
    # Without replacement: distinct indices, never a zero-probability one while others remain.
    for _ in range(200):
        picked = gradkit.multinomial(probs, 3).tolist()
        assert sorted(picked) == [0, 1, 2]
    first = [gradkit.multinomial(probs, 1).item() for _ in range(2000)]
    assert abs(np.mean(np.array(first) == 2) - 0.7) < 0.04


def test_randperm_is_uniform_over_positions():
    counts = np.zeros((4, 4))
    for _ in range(4000):
        perm = gradkit.randperm(4).numpy()
        counts[np.arange(4), perm] += 1
    assert np.allclose(counts / 4000, 0.25, atol=0.03)


# ---------------------------------------------------------------------------------------------
# distributions.multinomial.Multinomial (the book's 2.6)
# ---------------------------------------------------------------------------------------------
def test_multinomial_distribution_shapes_and_dtypes():
    torch = import_torch()
    from torch.distributions import multinomial as torch_multinomial

    for total, probs, shape in [(1, [1 / 6] * 6, ()), (10, [1 / 6] * 6, (1000,)),
                                (1, [0.5, 0.5], (3, 2)), (5, [[0.2, 0.8], [0.5, 0.5]], (4,))]:
        ours = multinomial.Multinomial(total, gradkit.tensor(probs)).sample(shape)
        theirs = torch_multinomial.Multinomial(total, torch.tensor(probs)).sample(shape)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
        assert bool((ours.sum(dim=-1) == total).all())
        assert bool((ours >= 0).all())


def test_multinomial_distribution_moments():
    fair_probs = gradkit.ones([6]) / 6
    one = multinomial.Multinomial(1, fair_probs).sample()
    assert one.shape == (6,) and one.sum().item() == 1.0 and one.dtype is gradkit.float32
    rolls = multinomial.Multinomial(1, fair_probs).sample((1000,))
    assert rolls.shape == (1000, 6) and bool((rolls.sum(dim=1) == 1).all())
    assert np.allclose(rolls.mean(dim=0).numpy(), 1 / 6, atol=0.05)
    counts = multinomial.Multinomial(1000, fair_probs).sample()
    assert counts.sum().item() == 1000 and np.allclose((counts / 1000).numpy(), 1 / 6, atol=0.05)
    many = multinomial.Multinomial(10, fair_probs).sample((500,))
    assert many.shape == (500, 6)
    estimates = many.cumsum(dim=0) / many.cumsum(dim=0).sum(dim=1, keepdims=True)
    assert np.allclose(estimates[-1].numpy(), 1 / 6, atol=0.02)
    biased = multinomial.Multinomial(100, gradkit.tensor([0.0, 0.25, 0.75])).sample((200,))
    assert bool((biased[:, 0] == 0).all())
    assert abs(biased[:, 2].mean().item() - 75) < 1.5


def test_multinomial_distribution_properties_match_torch():
    torch = import_torch()
    from torch.distributions import multinomial as torch_multinomial

    probs = [0.2, 0.3, 0.5]
    ours = multinomial.Multinomial(4, gradkit.tensor(probs))
    theirs = torch_multinomial.Multinomial(4, torch.tensor(probs))
    for name in ("probs", "mean", "variance", "logits"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name).numpy(),
                                   rtol=1e-5, atol=1e-6)
    value = [1.0, 1.0, 2.0]
    np.testing.assert_allclose(ours.log_prob(gradkit.tensor(value)).item(),
                               theirs.log_prob(torch.tensor(value)).item(), rtol=1e-5)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    with pytest.raises(ValueError):
        multinomial.Multinomial(1)
    with pytest.raises(ValueError):
        torch_multinomial.Multinomial(1)
    unnormalized = multinomial.Multinomial(1, gradkit.tensor([1.0, 3.0]))
    assert np.allclose(unnormalized.probs.numpy(), [0.25, 0.75])
    from_logits = multinomial.Multinomial(1, logits=gradkit.tensor([0.0, np.log(3.0)]))
    assert np.allclose(from_logits.probs.numpy(), [0.25, 0.75])


def test_normal_with_tensor_arguments_is_elementwise():
    mean = gradkit.tensor([0.0, 100.0, -100.0])
    sample = gradkit.normal(mean, 1e-6)
    assert np.allclose(sample.numpy(), mean.numpy(), atol=1e-3)
    std = gradkit.tensor([0.0, 1.0])
    assert gradkit.normal(5.0, std)[0].item() == 5.0
    check(lambda t: t.normal(t.zeros(3), t.zeros(3)))  # zero std: exactly the mean
