"""Higher-order gradients (``create_graph=True``) for every differentiable op, against PyTorch.

One catalogue, ``CASES``, reaches every ``Function`` subclass through the public API. For each
case, in float64 and with the same random weights in both libraries:

- second derivatives: s = Σ w·y³ (the cube makes even linear ops' second derivatives non-zero),
  g = ds/dx with ``create_graph=True``, then d(Σ v·g)/dx, compared with torch;
- ``gradgradcheck`` (finite differences of the recorded backward);
- third derivatives for a representative subset (``THIRD_ORDER``).

``test_every_op_is_covered`` walks the graphs the catalogue builds and fails when a Function
subclass of gradkit is neither covered nor listed as not twice differentiable.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import gradkit
from gradkit.autograd import Function
from oracle import STATS, import_torch

rng = np.random.default_rng(11)


def rand(*shape: int, low: float = -1.5, high: float = 1.5) -> np.ndarray:
    return rng.uniform(low, high, shape)


def positive(*shape: int) -> np.ndarray:
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape: int) -> np.ndarray:
    """Values with |x| in [0.3, 1.5]: no kinks (relu, abs, clamp, max) under finite steps."""
    return rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def F(t: Any) -> Any:
    return t.nn.functional


TARGET = np.array([2, 0, 1])
PROBS = np.array([[0.2, 0.3, 0.1, 0.4], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]])


def _setitem(t: Any, a: Any, b: Any) -> Any:
    c = a * 1
    c[1] = b * b
    return c


def _write_through_view(t: Any, a: Any, b: Any) -> Any:
    c = a * 1
    c[0].mul_(b)
    return c


def _modify_view(t: Any, a: Any, b: Any) -> Any:
    v = (a * 1)[1]
    v.mul_(b)
    return v


def _fill(t: Any, a: Any) -> Any:
    c = a * a
    c[0].fill_(2.0)
    return c * a


def _module_hooks(t: Any, a: Any) -> Any:
    layer = t.nn.Tanh()
    layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 0.5,))
    layer.register_full_backward_hook(lambda m, grad_input, grad_output: (grad_input[0] * 3,))
    return layer(a * a)


def _dropout(t: Any, a: Any) -> Any:
    t.manual_seed(0)  # the same mask on every call (gradgradcheck calls it many times)
    return F(t).dropout(a * a, 0.5)


#: name -> (fn(lib, *inputs), input arrays). Each input is float64 and requires grad.
CASES: dict[str, tuple[Callable[..., Any], tuple]] = {
    # elementwise arithmetic, with broadcasting (the engine's recorded sum_to)
    "add_broadcast": (lambda t, a, b: a + b, (rand(3, 1), rand(4))),
    "add_alpha": (lambda t, a, b: t.add(a, b, alpha=2.0), (rand(3), rand(3))),
    "sub": (lambda t, a, b: a - b, (rand(2, 3), rand(3))),
    "sub_alpha": (lambda t, a, b: t.sub(a, b, alpha=0.5), (rand(3), rand(3))),
    "rsub": (lambda t, a: 2.0 - a, (rand(3),)),
    "mul": (lambda t, a, b: a * b, (rand(2, 3), rand(2, 1))),
    "mul_scalar": (lambda t, a: a * 3.0, (rand(3),)),
    "div": (lambda t, a, b: a / b, (rand(2, 3), positive(3))),
    "div_scalar": (lambda t, a: a / 4.0, (rand(3),)),
    "rdiv": (lambda t, a: 2.0 / a, (positive(3),)),
    "neg": (lambda t, a: -a, (rand(3),)),
    "pow_scalar": (lambda t, a: a ** 3, (rand(3),)),
    "pow_two": (lambda t, a: a ** 2, (rand(3),)),
    "pow_fraction": (lambda t, a: a ** 1.5, (positive(3),)),
    "pow_tensor": (lambda t, a, b: a ** b, (positive(2, 3), rand(3))),
    "rpow": (lambda t, a: 2.0 ** a, (rand(3),)),
    "remainder": (lambda t, a: a % 0.7 * a, (positive(4),)),
    "remainder_tensor": (lambda t, a, b: (a % b) * a, (positive(4), positive(4) + 2.5)),
    # math functions and activations
    "exp": (lambda t, a: a.exp(), (rand(3),)),
    "log": (lambda t, a: a.log(), (positive(3),)),
    "sqrt": (lambda t, a: a.sqrt(), (positive(3),)),
    "sin": (lambda t, a: a.sin(), (rand(3),)),
    "cos": (lambda t, a: a.cos(), (rand(3),)),
    "tanh": (lambda t, a: a.tanh(), (rand(3),)),
    "sinh": (lambda t, a: t.sinh(a), (rand(3),)),
    "cosh": (lambda t, a: t.cosh(a), (rand(3),)),
    "repeat_interleave": (lambda t, a: t.repeat_interleave(a, t.tensor([1, 3]), dim=1),
                          (rand(3, 2),)),
    "sigmoid": (lambda t, a: a.sigmoid(), (rand(3),)),
    "relu": (lambda t, a: a.relu() * a, (away_from_zero(5),)),
    "abs": (lambda t, a: a.abs() * a, (away_from_zero(5),)),
    "clamp": (lambda t, a: a.clamp(-0.8, 0.8) * a, (away_from_zero(6),)),
    "clamp_min": (lambda t, a: a.clamp(min=0.5) * a, (away_from_zero(6),)),
    "maximum": (lambda t, a, b: t.maximum(a, b) * a, (rand(4), rand(4))),
    "minimum": (lambda t, a, b: t.minimum(a, b) * b, (rand(4), rand(4))),
    "where": (lambda t, a, b: t.where(a > 0, a * a, b), (away_from_zero(5), rand(5))),
    "cast": (lambda t, a: a.float().double() * a, (rand(3),)),
    "clone": (lambda t, a: a.clone() * a, (rand(3),)),
    # reductions
    "sum": (lambda t, a: a.sum(), (rand(2, 3),)),
    "sum_dim": (lambda t, a: a.sum(1, keepdim=True) * a, (rand(2, 3),)),
    "mean": (lambda t, a: a.mean(), (rand(2, 3),)),
    "mean_dim": (lambda t, a: a.mean(0) * a, (rand(2, 3),)),
    "prod": (lambda t, a: a.prod(), (away_from_zero(4),)),
    "prod_dim": (lambda t, a: a.prod(1), (away_from_zero(2, 3),)),
    "max": (lambda t, a: a.max() * a, (rand(5),)),
    "amax_dim": (lambda t, a: a.amax(1) * a.sum(1), (rand(2, 4),)),
    "min": (lambda t, a: a.min() * a, (rand(5),)),
    "max_dim": (lambda t, a: a.max(1)[0] * a.sum(1), (rand(3, 4),)),
    "min_dim_keepdim": (lambda t, a: a.min(0, keepdim=True)[0] * a, (rand(3, 4),)),
    "cumsum": (lambda t, a: a.cumsum(1) * a, (rand(2, 4),)),
    "norm": (lambda t, a: a.norm() * a, (rand(2, 3),)),
    "norm_p1_dim": (lambda t, a: a.norm(p=1, dim=1) * a.sum(1), (away_from_zero(2, 3),)),
    "norm_inf": (lambda t, a: t.norm(a, p=float("inf")) * a, (rand(4),)),
    "norm_p3": (lambda t, a: a.norm(p=3), (away_from_zero(5),)),
    "var": (lambda t, a: a.var(), (rand(5),)),
    "var_dim": (lambda t, a: a.var(1, keepdim=True) * a, (rand(2, 4),)),
    "std": (lambda t, a: a.std(), (rand(5),)),
    "std_dim": (lambda t, a: a.std(0) * a, (rand(3, 2),)),
    "logsumexp": (lambda t, a: a.logsumexp(1), (rand(2, 4),)),
    # shape ops (linear: the cube in the test makes their second derivatives non-zero)
    "reshape": (lambda t, a: a.reshape(-1) * a.reshape(6), (rand(2, 3),)),
    "reshape_copy": (lambda t, a: a.t().reshape(6), (rand(2, 3),)),
    "view": (lambda t, a: a.view(3, 2), (rand(2, 3),)),
    "transpose": (lambda t, a: a.transpose(0, 2), (rand(2, 3, 4),)),
    "t": (lambda t, a: a.t() @ a, (rand(2, 3),)),
    "T": (lambda t, a: a.T, (rand(2, 3),)),
    "permute": (lambda t, a: a.permute(2, 0, 1), (rand(2, 3, 4),)),
    "squeeze": (lambda t, a: a.squeeze(), (rand(2, 1, 3),)),
    "squeeze_dim": (lambda t, a: a.squeeze(1), (rand(2, 1, 3),)),
    "unsqueeze": (lambda t, a: a.unsqueeze(1), (rand(2, 3),)),
    "expand": (lambda t, a: a.expand(3, 4), (rand(1, 4),)),
    "repeat": (lambda t, a: a.repeat(2, 3), (rand(2, 2),)),
    "cat": (lambda t, a, b: t.cat([a, b * b], 1), (rand(2, 3), rand(2, 2))),
    "stack": (lambda t, a, b: t.stack([a, b], 1), (rand(2, 3), rand(2, 3))),
    # indexing and writes
    "getitem_slice": (lambda t, a: a[1:, ::2], (rand(3, 4),)),
    "getitem_int": (lambda t, a: a[1], (rand(3, 4),)),
    "getitem_repeated_index": (lambda t, a: a[[0, 2, 0]], (rand(3, 2),)),
    "getitem_mask": (lambda t, a: a[a > 0], (away_from_zero(6),)),
    "getitem_pairs": (lambda t, a: a[range(3), TARGET], (rand(3, 4),)),
    "setitem": (_setitem, (rand(3, 2), rand(2))),
    "write_through_view": (_write_through_view, (rand(3, 2), rand(2))),
    "modify_view": (_modify_view, (rand(3, 2), rand(2))),
    "fill": (_fill, (rand(2, 3),)),
    # products
    "mm": (lambda t, a, b: a @ b, (rand(2, 3), rand(3, 4))),
    "mv": (lambda t, a, b: a @ b, (rand(2, 3), rand(3))),
    "vm": (lambda t, a, b: a @ b, (rand(3), rand(3, 2))),
    "dot": (lambda t, a, b: t.dot(a, b), (rand(3), rand(3))),
    "batched_matmul": (lambda t, a, b: a @ b, (rand(2, 2, 3), rand(3, 2))),
    "batched_matvec": (lambda t, a, b: a @ b, (rand(2, 2, 3), rand(3))),
    "bmm": (lambda t, a, b: t.bmm(a, b), (rand(2, 2, 3), rand(2, 3, 2))),
    # neural-network ops and losses
    "linear": (lambda t, x, w, b: F(t).linear(x, w, b), (rand(4, 3), rand(2, 3), rand(2))),
    "linear_3d": (lambda t, x, w: F(t).linear(x, w), (rand(2, 4, 3), rand(2, 3))),
    "softmax": (lambda t, a: a.softmax(1), (rand(2, 4),)),
    "log_softmax": (lambda t, a: F(t).log_softmax(a, 1), (rand(2, 4),)),
    "scratch_softmax": (lambda t, a: a.exp() / a.exp().sum(1, keepdim=True), (rand(2, 4),)),
    "cross_entropy": (lambda t, a: F(t).cross_entropy(a, t.tensor(TARGET)), (rand(3, 4),)),
    "cross_entropy_sum_smoothing": (
        lambda t, a: F(t).cross_entropy(a, t.tensor(TARGET), reduction="sum",
                                        label_smoothing=0.1), (rand(3, 4),)),
    "cross_entropy_weight_none": (
        lambda t, a: F(t).cross_entropy(a, t.tensor(TARGET), reduction="none",
                                        weight=t.tensor([1.0, 2.0, 0.5, 1.5], dtype=t.float64)),
        (rand(3, 4),)),
    "cross_entropy_4d": (lambda t, a: F(t).cross_entropy(a, t.tensor([[1, 0], [2, 1]])),
                         (rand(2, 3, 2),)),
    "cross_entropy_probs": (lambda t, a, p: F(t).cross_entropy(a, p), (rand(3, 4), PROBS)),
    "cross_entropy_probs_smoothing": (
        lambda t, a, p: F(t).cross_entropy(a, p, reduction="sum", label_smoothing=0.2),
        (rand(3, 4), PROBS)),
    "nll_loss": (lambda t, a: F(t).nll_loss(F(t).log_softmax(a, 1), t.tensor(TARGET)),
                 (rand(3, 4),)),
    "nll_loss_none": (lambda t, a: F(t).nll_loss(a * a, t.tensor(TARGET), reduction="none"),
                      (rand(3, 4),)),
    "bce_with_logits": (lambda t, a, y: F(t).binary_cross_entropy_with_logits(a, y),
                        (rand(4), rng.uniform(0, 1, 4))),
    "bce_with_logits_weights": (
        lambda t, a, y: F(t).binary_cross_entropy_with_logits(
            a, y, weight=t.tensor([1.0, 2.0, 0.5, 1.0], dtype=t.float64),
            pos_weight=t.tensor([2.0, 1.0, 1.0, 3.0], dtype=t.float64), reduction="sum"),
        (rand(4), rng.uniform(0, 1, 4))),
    "mse_loss": (lambda t, a, b: F(t).mse_loss(a, b), (rand(2, 3), rand(2, 3))),
    "mse_loss_none": (lambda t, a, b: F(t).mse_loss(a, b, reduction="none"),
                      (rand(2, 3), rand(2, 3))),
    "l1_loss": (lambda t, a, b: F(t).l1_loss(a, b) * a, (rand(3), rand(3) + 3)),
    "huber_loss": (lambda t, a, b: F(t).huber_loss(a, b, reduction="sum", delta=0.5),
                   (rand(6), rand(6))),
    "smooth_l1_loss": (lambda t, a, b: F(t).smooth_l1_loss(a, b, beta=0.5), (rand(6), rand(6))),
    # the convolution chapter (issue 12): im2col/col2im as an adjoint pair, pad/crop, pools
    "conv2d": (lambda t, x, w, b: F(t).conv2d(x, w, b), (rand(2, 2, 5, 4), rand(3, 2, 3, 2),
                                                         rand(3))),
    "conv2d_stride_pad_dilation_groups": (
        lambda t, x, w: F(t).conv2d(x, w, stride=(2, 1), padding=(1, 2), dilation=(1, 2),
                                    groups=2), (rand(1, 4, 6, 5), rand(2, 2, 2, 3))),
    "conv2d_same_even_kernel": (lambda t, x, w: F(t).conv2d(x, w, padding="same"),
                                (rand(1, 1, 4, 4), rand(1, 1, 2, 2))),
    "conv2d_unbatched": (lambda t, x, w: F(t).conv2d(x, w), (rand(2, 4, 4), rand(1, 2, 2, 2))),
    "conv1d": (lambda t, x, w, b: F(t).conv1d(x, w, b, stride=2, padding=1),
               (rand(2, 2, 7), rand(3, 2, 3), rand(3))),
    "conv1d_unbatched": (lambda t, x, w: F(t).conv1d(x, w), (rand(2, 5), rand(2, 2, 2))),
    "conv2d_after_op": (lambda t, x, w: F(t).conv2d((x * x).tanh(), w * w),
                        (rand(1, 2, 4, 4), rand(2, 2, 2, 2))),
    "conv_transpose2d": (
        lambda t, x, w, b: F(t).conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                                 groups=2),
        (rand(1, 4, 3, 3), rand(4, 1, 3, 2), rand(2))),
    "unfold": (lambda t, x: F(t).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
               (rand(2, 2, 4, 5),)),
    "fold": (lambda t, x: F(t).fold(x, (4, 5), (2, 3), padding=(1, 0), stride=(1, 2)),
             (rand(2, 12, 10),)),
    "tensor_unfold": (lambda t, x: x.unfold(1, 3, 2), (rand(2, 7),)),
    "pad": (lambda t, x: F(t).pad(x, (1, 2, 0, 1)), (rand(2, 3, 3),)),
    "pad_crop": (lambda t, x: F(t).pad(x, (-1, 2, 1, -2), value=0.5), (rand(2, 4, 5),)),
    "pad_reflect": (lambda t, x: F(t).pad(x, (2, 1, 1, 2), mode="reflect"), (rand(1, 2, 3, 4),)),
    "pad_replicate_3d": (lambda t, x: F(t).pad(x, (1, 0, 2, 1, 0, 1), mode="replicate"),
                         (rand(2, 2, 3, 2),)),
    "pad_circular_crop": (lambda t, x: F(t).pad(x, (-1, 2), mode="circular"), (rand(2, 2, 5),)),
    "conv2d_padding_mode": (
        lambda t, x, w: F(t).conv2d(F(t).pad(x, (1, 1, 1, 1), mode="reflect"), w),
        (rand(1, 2, 4, 4), rand(2, 2, 3, 3))),
    "max_pool2d": (lambda t, x: F(t).max_pool2d(x, 2), (rand(2, 2, 4, 6),)),
    "max_pool2d_overlap_pad_ceil": (
        lambda t, x: F(t).max_pool2d(x, 3, stride=2, padding=1, dilation=1, ceil_mode=True),
        (rand(1, 2, 6, 7),)),
    "max_pool2d_dilation_unbatched": (lambda t, x: F(t).max_pool2d(x, 2, 1, dilation=2),
                                      (rand(2, 5, 5),)),
    "avg_pool2d": (lambda t, x: F(t).avg_pool2d(x, 2), (rand(2, 2, 4, 6),)),
    "adaptive_max_pool2d": (lambda t, x: F(t).adaptive_max_pool2d(x, (3, 4)),
                            (rand(2, 2, 5, 6),)),
    "max_pool1d": (lambda t, x: F(t).max_pool1d(x, 3, 2, 1), (rand(2, 2, 7),)),
    "avg_pool1d": (lambda t, x: F(t).avg_pool1d(x, 3, 2, 1), (rand(2, 2, 7),)),
    "avg_pool2d_pad_ceil": (
        lambda t, x: F(t).avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False), (rand(1, 2, 6, 7),)),
    "avg_pool2d_divisor_unbatched": (
        lambda t, x: F(t).avg_pool2d(x, 2, 1, divisor_override=3), (rand(2, 4, 4),)),
    "adaptive_avg_pool2d": (lambda t, x: F(t).adaptive_avg_pool2d(x, (2, 3)),
                            (rand(2, 2, 5, 7),)),
    "batch_norm_train": (
        lambda t, x, w, b: F(t).batch_norm(x, None, None, w, b, training=True),
        (rand(4, 3, 2, 2), positive(3), rand(3))),
    "batch_norm_train_2d_no_affine": (lambda t, x: F(t).batch_norm(x, None, None, training=True),
                                      (rand(5, 3),)),
    "batch_norm_eval": (
        lambda t, x, w, b: F(t).batch_norm(x, t.tensor([0.1, -0.2, 0.3], dtype=t.float64),
                                           t.tensor([1.5, 0.5, 2.0], dtype=t.float64), w, b),
        # a bias that keeps y away from 0: there y's last bits (torch fuses x·s + shift) would
        # dominate the relative error of 6·w·y·s²
        (rand(4, 3, 2), positive(3), positive(3) + 3)),
    "dropout": (_dropout, (rand(6),)),
    "module_backward_hooks": (_module_hooks, (rand(4),)),
}

#: Cases PyTorch cannot reproduce exactly (its dropout mask comes from its own generator):
#: checked by gradgradcheck only.
NO_TORCH = {"dropout"}

#: Cases whose gradients are not derivatives of any function, so finite differences cannot
#: check them: hooks that scale gradients run again in the second pass (as in PyTorch, which
#: the second-derivative test compares them with).
NOT_DERIVATIVES = {"module_backward_hooks"}

#: Cases that pass through float32 (a cast): finite differences need a larger step there.
FLOAT32_STEPS = {"cast": dict(eps=1e-3, atol=1e-3, rtol=1e-2)}

#: Function subclasses of gradkit that are abstract (used through their subclasses).
ABSTRACT = {"BinaryFunction", "PointwiseLoss", "_Hyperbolic"}

#: Differentiable ops whose recorded backward does not exist yet: create_graph through them
#: raises a RuntimeError naming the op (tested below). Keep this empty where possible.
NOT_TWICE_DIFFERENTIABLE: set[str] = set()

#: Third derivatives for a representative subset: elementwise math, products, the softmax
#: family and cross-entropy, reductions, the convolution chapter's ops.
THIRD_ORDER = ["mul", "div", "pow_tensor", "exp", "log", "sin", "tanh", "sigmoid", "mm",
               "batched_matmul", "linear", "softmax", "log_softmax", "cross_entropy",
               "scratch_softmax", "sum_dim", "mean", "var", "std_dim", "logsumexp",
               "norm", "prod", "mse_loss", "bce_with_logits", "getitem_repeated_index",
               "conv2d", "conv2d_stride_pad_dilation_groups", "unfold", "fold", "tensor_unfold",
               "max_pool2d", "avg_pool2d_pad_ceil", "pad_reflect"]


def _inputs(lib: Any, arrays: tuple) -> list:
    return [lib.tensor(a.copy(), dtype=lib.float64, requires_grad=True) for a in arrays]


def _outputs(y: Any) -> list:
    return list(y) if isinstance(y, (tuple, list)) else [y]


def derivatives(lib: Any, name: str, order: int) -> list[list[np.ndarray]]:
    """Derivatives 1..order of s = Σ w·y³ w.r.t. each input, contracted with random vectors
    after the first: [d s/dx, d(Σ v1·g1)/dx, ...], zeros where an input is unused."""
    fn, arrays = CASES[name]
    xs = _inputs(lib, arrays)
    weights = np.random.default_rng(5)
    s = sum((y * y * y * lib.tensor(weights.standard_normal(tuple(y.shape)))).sum()
            for y in _outputs(fn(lib, *xs)))
    results = []
    grads = lib.autograd.grad(s, xs, create_graph=True, allow_unused=True)
    for k in range(order):
        results.append([np.zeros(a.shape) if g is None else g.detach().numpy().copy()
                        for g, a in zip(grads, arrays)])
        if k == order - 1:
            break
        terms = [(g * lib.tensor(weights.standard_normal(a.shape))).sum()
                 for g, a in zip(grads, arrays) if g is not None and g.requires_grad]
        if not terms:
            grads = [None] * len(xs)
            continue
        grads = lib.autograd.grad(sum(terms), xs, create_graph=True, allow_unused=True)
    return results


def _compare(name: str, order: int) -> None:
    torch = import_torch()
    STATS["oracle"] += 1
    ours, theirs = derivatives(gradkit, name, order), derivatives(torch, name, order)
    for k, (mine, reference) in enumerate(zip(ours, theirs)):
        for i, (a, b) in enumerate(zip(mine, reference)):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9,
                                       err_msg=f"{name}: order {k + 1}, input {i}")


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_TORCH))
def test_second_derivatives_match_torch(name: str) -> None:
    _compare(name, 2)


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_derivatives_match_torch(name: str) -> None:
    _compare(name, 3)


@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_DERIVATIVES))
def test_gradgradcheck(name: str) -> None:
    fn, arrays = CASES[name]
    STATS["gradcheck"] += 1
    xs = _inputs(gradkit, arrays)
    assert gradkit.autograd.gradgradcheck(lambda *a: fn(gradkit, *a), tuple(xs),
                                          **FLOAT32_STEPS.get(name, {}))


def _node_classes(tensors: list) -> set[type]:
    """The Function classes of every node reachable from ``tensors``."""
    seen, stack, classes = set(), [t.grad_fn for t in tensors if t is not None], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or not isinstance(node, Function):
            continue
        seen.add(id(node))
        classes.add(type(node))
        stack.extend(n for n, _ in node.next_functions)
    return classes


def _import_all_ops() -> None:
    """Import every module of ``gradkit._ops``: the census below sees only imported classes."""
    import importlib
    import pkgutil

    import gradkit._ops

    for module in pkgutil.iter_modules(gradkit._ops.__path__):
        importlib.import_module(f"gradkit._ops.{module.name}")


def _all_functions(cls: type = Function) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("gradkit."):
            found.add(sub)
        found |= _all_functions(sub)
    return found


def test_every_op_is_covered() -> None:
    _import_all_ops()
    covered: set[type] = set()
    for name, (fn, arrays) in CASES.items():
        xs = _inputs(gradkit, arrays)
        ys = _outputs(fn(gradkit, *xs))
        s = sum((y * y * y).sum() for y in ys)
        grads = gradkit.autograd.grad(s, xs, create_graph=True, allow_unused=True)
        covered |= _node_classes(ys) | _node_classes(list(grads))
    names = {cls.__name__ for cls in covered}
    missing = sorted(cls.__name__ for cls in _all_functions()
                     if cls.__name__ not in names | ABSTRACT | NOT_TWICE_DIFFERENTIABLE)
    assert not missing, f"Function subclasses without a second-order test case: {missing}"
    undocumented = sorted(cls.__name__ for cls in _all_functions()
                          if cls.backward_graph is None
                          and cls.__name__ not in NOT_TWICE_DIFFERENTIABLE | ABSTRACT)
    assert not undocumented, f"ops without backward_graph, not listed as such: {undocumented}"


def test_op_without_recorded_backward_names_itself() -> None:
    class Square(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return 2 * a * grad

    x = gradkit.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x).sum()
    with pytest.raises(RuntimeError, match="SquareBackward0.*cannot be differentiated again"):
        y.backward(create_graph=True)
    # The first-order path does not need a recorded backward.
    x.grad = None
    Square.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_mixed_dtypes_refuse_create_graph_instead_of_a_wrong_answer() -> None:
    a = gradkit.tensor([1.0, 2.0], requires_grad=True)
    b = gradkit.tensor([3.0, 4.0], dtype=gradkit.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="MulBackward0 with operands of different dtypes"):
        gradkit.autograd.grad((a * b).sum(), a, create_graph=True)


def test_batch_norm_third_derivative_by_finite_differences() -> None:
    # Not against torch: torch 2.13's third derivative through native_batch_norm (training)
    # disagrees with central differences of its own second derivative (-29.8 vs -83.3 at the
    # first element here); gradkit's agrees with both libraries' second derivatives.
    STATS["gradcheck"] += 1
    fn, arrays = CASES["batch_norm_train"]
    xs = _inputs(gradkit, arrays)
    v1, v2 = rng.standard_normal(arrays[0].shape), rng.standard_normal(arrays[0].shape)

    def second(x: Any) -> Any:
        y = fn(gradkit, x, *xs[1:])
        (g,) = gradkit.autograd.grad((y * y * y).sum(), x, create_graph=True)
        (h,) = gradkit.autograd.grad((g * gradkit.tensor(v1)).sum(), x, create_graph=True)
        return (h * gradkit.tensor(v2)).sum()

    (third,) = gradkit.autograd.grad(second(xs[0]), xs[0])
    step = 1e-6
    for index in [(0, 0, 0, 0), (1, 2, 1, 0), (3, 1, 0, 1)]:
        up, down = arrays[0].copy(), arrays[0].copy()
        up[index] += step
        down[index] -= step
        numeric = (second(gradkit.tensor(up, requires_grad=True)).item()
                   - second(gradkit.tensor(down, requires_grad=True)).item()) / (2 * step)
        assert third[index].item() == pytest.approx(numeric, rel=1e-5, abs=1e-6)
