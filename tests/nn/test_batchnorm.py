"""Batch normalization against PyTorch: ``F.batch_norm`` (training and eval, values and
gradients), float64 finite differences, errors, and the ``BatchNorm1d``/``BatchNorm2d``/
``LazyBatchNorm2d`` layers: running statistics after several steps, momentum (None: a
cumulative average), train/eval, affine, track_running_stats, state_dict, printed forms."""
from __future__ import annotations

import numpy as np
import pytest

import gradkit
from gradkit import nn
from oracle import (check, check_module, check_repr, check_same_error, copy_torch_state,
                    gradcheck, import_torch)

rng = np.random.default_rng(3)


def rand(*shape, dtype=np.float32):
    return (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 5, 6), (2, 3, 1, 1)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_matches_torch(shape, affine):
    c = shape[1]
    weight, bias = (rand(c), rand(c)) if affine else (None, None)
    check(lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
          rand(*shape), weight, bias, atol=1e-4)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5, 6)])
def test_batch_norm_eval_uses_the_running_statistics(shape):
    mean, var = rand(3), np.abs(rand(3)) + 0.1
    check(lambda t, x, w, b: t.nn.functional.batch_norm(x, t.tensor(mean), t.tensor(var), w, b,
                                                        training=False, eps=1e-3),
          rand(*shape), rand(3), rand(3), atol=1e-4)


def test_batch_norm_updates_the_running_statistics_like_torch():
    torch = import_torch()
    x = rand(6, 3, 4, 4)
    stats = {}
    for lib in (gradkit, torch):
        mean, var = lib.zeros(3), lib.ones(3)
        for _ in range(3):
            lib.nn.functional.batch_norm(lib.tensor(x), mean, var, training=True, momentum=0.3)
        stats[lib.__name__] = (mean.numpy(), var.numpy())
    for ours, theirs in zip(stats["gradkit"], stats["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4), (3, 2, 3, 4)])
def test_batch_norm_gradcheck(training, shape):
    mean, var = gradkit.tensor(rand(shape[1]), dtype=gradkit.float64), \
        gradkit.tensor(np.abs(rand(shape[1])) + 0.5, dtype=gradkit.float64)
    gradcheck(lambda t, x, w, b: t.nn.functional.batch_norm(x, mean, var, w, b,
                                                            training=training),
              rand(*shape), rand(shape[1]), rand(shape[1]))


def test_batch_norm_gradcheck_without_affine():
    gradcheck(lambda t, x: t.nn.functional.batch_norm(x, None, None, training=True),
              rand(4, 3, 2, 2))


@pytest.mark.parametrize("call", [
    lambda t: t.nn.BatchNorm2d(3)(t.zeros(3, 4, 4)),
    lambda t: t.nn.BatchNorm1d(3)(t.zeros(2, 3, 4, 4)),
    lambda t: t.nn.BatchNorm1d(3)(t.zeros(1, 3)),
    lambda t: t.nn.BatchNorm2d(3)(t.zeros(2, 4, 4, 4)),
])
def test_batch_norm_errors_are_pytorchs(call):
    check_same_error(call)


@pytest.mark.parametrize("make,shape", [
    (lambda t: t.nn.BatchNorm1d(5), (8, 5)),
    (lambda t: t.nn.BatchNorm1d(5), (4, 5, 3)),
    (lambda t: t.nn.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda t: t.nn.BatchNorm2d(3, affine=False), (4, 3, 5, 5)),
    (lambda t: t.nn.BatchNorm2d(3, bias=False), (4, 3, 5, 5)),
    (lambda t: t.nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 5, 5)),
])
@pytest.mark.parametrize("train", [True, False])
def test_batch_norm_layers_match_torch(make, shape, train):
    check_module(make, rand(*shape), train=train, atol=1e-4)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("make,shape", [(lambda t, m: t.nn.BatchNorm2d(3, momentum=m),
                                         (4, 3, 5, 5)),
                                        (lambda t, m: t.nn.BatchNorm1d(6, momentum=m), (8, 6))])
def test_running_statistics_after_several_steps_equal_torchs(make, shape, momentum):
    torch = import_torch()
    batches = [rand(*shape) for _ in range(4)]
    theirs, ours = make(torch, momentum), make(gradkit, momentum)
    for layer, lib in ((ours, gradkit), (theirs, torch)):
        for x in batches:
            layer(lib.tensor(x))
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].numpy(), value.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    # ... and eval then normalizes with them
    ours.eval(), theirs.eval()
    x = rand(*shape)
    np.testing.assert_allclose(ours(gradkit.tensor(x)).detach().numpy(), theirs(torch.tensor(x))
                               .detach().numpy(), rtol=1e-4, atol=1e-5)


def test_batch_norm_state_dict_and_buffers_are_pytorchs():
    torch = import_torch()
    ours, theirs = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert ours.num_batches_tracked.dtype == gradkit.int64
    ours(gradkit.randn(2, 4, 3, 3))
    assert int(ours.num_batches_tracked) == 1
    ours.eval()(gradkit.randn(2, 4, 3, 3))
    assert int(ours.num_batches_tracked) == 1  # eval leaves the statistics alone
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    # a checkpoint saved by torch loads
    trained = torch.nn.BatchNorm2d(4)
    trained(torch.randn(3, 4, 2, 2) * 3 + 1)
    copy_torch_state(ours, trained)
    np.testing.assert_allclose(ours.running_var.numpy(), trained.running_var.numpy())


def test_batch_norm_eval_without_running_stats_uses_the_batch():
    check_module(lambda t: t.nn.BatchNorm2d(3, track_running_stats=False), rand(4, 3, 2, 2),
                 train=False)


def test_batch_norm_float64_layer():
    check_module(lambda t: t.nn.BatchNorm2d(3, dtype=t.float64), rand(4, 3, 2, 2,
                                                                     dtype=np.float64))


def test_batch_norm_printed_forms():
    for make in [lambda t: t.nn.BatchNorm2d(6), lambda t: t.nn.BatchNorm1d(120),
                 lambda t: t.nn.BatchNorm1d(6, momentum=None, affine=False,
                                            track_running_stats=False),
                 lambda t: t.nn.BatchNorm2d(6, eps=1e-3, bias=False),
                 lambda t: t.nn.LazyBatchNorm2d()]:
        check_repr(make)


def test_lazy_batch_norm2d_infers_num_features_and_becomes_batchnorm2d():
    torch = import_torch()
    bn = nn.LazyBatchNorm2d()
    assert repr(bn.running_mean) == "<UninitializedBuffer>"
    assert repr(bn.weight) == "<UninitializedParameter>"
    x = rand(4, 6, 3, 3)
    out = bn(gradkit.tensor(x))
    reference = torch.nn.BatchNorm2d(6)
    np.testing.assert_allclose(out.detach().numpy(),
                               reference(torch.tensor(x)).detach().numpy(), atol=1e-5)
    assert type(bn) is nn.BatchNorm2d and repr(bn) == repr(reference)
    np.testing.assert_allclose(bn.running_var.numpy(), reference.running_var.numpy(), rtol=1e-5)
    assert type(bn.running_mean) is gradkit.Tensor and not bn.running_mean.requires_grad
    # from a checkpoint instead of an input
    lazy = nn.Sequential(nn.LazyConv2d(6, 3), nn.LazyBatchNorm2d())
    lazy.load_state_dict(nn.Sequential(nn.Conv2d(2, 6, 3), nn.BatchNorm2d(6)).state_dict())
    assert lazy(gradkit.zeros(2, 2, 5, 5)).shape == (2, 6, 3, 3)
