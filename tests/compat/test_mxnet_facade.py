"""The Gluon facade's semantics, where Gluon differs from PyTorch.

Each test states the MXNet 1.x behaviour it checks; values are compared with gradkit's own
ops (the engine underneath), not with an MXNet installation.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradkit
from gradkit.compat.mxnet import autograd, gluon, init, nd
from gradkit.compat.mxnet.gluon import data as gdata
from gradkit.compat.mxnet.gluon import loss as gloss
from gradkit.compat.mxnet.gluon import nn


def test_arrays_are_float32_and_full_reductions_have_shape_1():
    assert nd.array([1, 2, 3]).dtype is np.float32  # nd.array of ints: float32
    assert nd.arange(4).dtype is np.float32
    x = nd.arange(12).reshape((3, 4))
    assert x.shape == (3, 4) and x.size == 12 and x.ndim == 2
    assert x.sum().shape == (1,) and x.sum().asscalar() == 66.0
    assert x.sum(axis=0).shape == (4,) and x.mean(axis=1, keepdims=True).shape == (3, 1)
    assert x[1].shape == (4,) and x[1][2].shape == (1,)  # no 0-d arrays in MXNet 1.x
    assert x.reshape((0, -1)).shape == (3, 4)  # 0 copies the input's dimension


def test_repr_is_mxnets():
    assert repr(nd.ones(shape=3) + 10) == "\n[11. 11. 11.]\n<NDArray 3 @cpu(0)>"
    assert repr(nd.zeros((2, 1))).endswith("<NDArray 2x1 @cpu(0)>")


def test_asnumpy_of_one_element_formats_with_percent_f():
    # NumPy 2 refuses '%f' % array([x]); the books' code does it on l.mean().asnumpy().
    text = "loss %f" % nd.array([0.5, 1.5]).mean().asnumpy()
    assert text == "loss 1.000000"
    with pytest.raises(TypeError):
        float(nd.ones(2).asnumpy())


def test_element_assignment_and_comparisons():
    a, b, c = nd.ones(shape=4), nd.ones(shape=4), nd.zeros(shape=4)
    for i in range(4):
        c[i] = a[i] + b[i]
    assert c.asnumpy().tolist() == [2, 2, 2, 2]
    eq = c == nd.array([2, 0, 2, 0])
    assert eq.dtype is np.float32 and eq.asnumpy().tolist() == [1, 0, 1, 0]  # 0./1. floats
    assert nd.array([[1, 5], [7, 2]]).argmax(axis=1).asnumpy().tolist() == [1.0, 0.0]


def test_take_with_float_indices():
    features = nd.arange(10).reshape((5, 2))
    j = nd.array([4, 0])  # float32, as nd.array makes it
    assert features.take(j).asnumpy().tolist() == [[8, 9], [0, 1]]
    assert nd.arange(5).take(nd.array([7])).asscalar() == 4  # mode='clip'


def test_graph_is_recorded_only_inside_record():
    x = nd.array([1.0, 2.0]); x.attach_grad()
    y = x * 2
    with pytest.raises(RuntimeError, match="autograd.record"):
        y.backward()
    x[:] = x - 1  # an update of a variable outside record() needs no no_grad()
    assert x.asnumpy().tolist() == [0, 1]
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()


def test_backward_sums_and_overwrites_the_gradient():
    x = nd.arange(4); x.attach_grad()
    assert x.grad.asnumpy().tolist() == [0, 0, 0, 0]  # attach_grad makes a zero buffer
    buffer = x.grad
    with autograd.record():
        y = x * x  # not a scalar: backward differentiates y.sum()
    y.backward()
    assert x.grad.asnumpy().tolist() == [0, 2, 4, 6]
    with autograd.record():
        y = 3 * x
    y.backward()
    assert x.grad.asnumpy().tolist() == [3, 3, 3, 3]  # written, not added (grad_req='write')
    assert buffer.asnumpy().tolist() == [3, 3, 3, 3]  # the same buffer, updated in place


def test_grad_req_add_accumulates_and_unused_variables_keep_their_gradient():
    x = nd.ones(2); x.attach_grad(grad_req="add")
    z = nd.ones(2); z.attach_grad()
    with autograd.record():
        (z * 5).backward()
    for _ in range(2):
        with autograd.record():
            y = x * 2
        y.backward()
    assert x.grad.asnumpy().tolist() == [4, 4]
    assert z.grad.asnumpy().tolist() == [5, 5]  # not in those graphs: untouched


def test_dense_defers_its_input_size_and_initializes_bias_to_zero():
    net = nn.Sequential()
    net.add(nn.Dense(3, activation="relu"), nn.Dense(1))
    net.initialize(init.Normal(sigma=0.01))
    assert repr(net) == ("Sequential(\n  (0): Dense(None -> 3, Activation(relu))\n"
                         "  (1): Dense(None -> 1, linear)\n)")
    with pytest.raises(gluon.DeferredInitializationError):
        net[0].weight.data()
    out = net(nd.ones((4, 2, 5)))  # Dense flattens its input to (4, 10)
    assert out.shape == (4, 1)
    assert net[0].weight.shape == (3, 10) and net[1].weight.shape == (1, 3)
    assert net[0].bias.data().asnumpy().tolist() == [0, 0, 0]
    assert 0 < float(net[0].weight.data().asnumpy().std()) < 0.02
    names = list(net.collect_params().keys())
    assert len(names) == 4 and names[0].endswith("_weight") and names[1].endswith("_bias")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.initialize()
    assert any("already initialized" in str(w.message) for w in caught)


def test_forward_before_initialize_raises():
    with pytest.raises(RuntimeError, match="has not been initialized"):
        nn.Dense(1)(nd.ones((2, 2)))


def test_l2_loss_is_half_the_squared_error_averaged_over_non_batch_axes():
    pred, label = nd.array([[1.0, 2.0], [3.0, 5.0]]), nd.array([[1.0, 0.0], [0.0, 1.0]])
    loss = gloss.L2Loss()(pred, label)
    assert loss.shape == (2,)
    np.testing.assert_allclose(loss.asnumpy(), [(0 + 4) / 2 / 2, (9 + 16) / 2 / 2])
    column = gloss.L2Loss()(nd.array([[1.0], [2.0]]), nd.array([3.0, 2.0]))  # label reshaped
    assert column.asnumpy().tolist() == [2.0, 0.0]


def test_softmax_cross_entropy_matches_gradkit():
    logits = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    labels = np.array([0, 2, 1, 2])
    ours = gloss.SoftmaxCrossEntropyLoss()(nd.array(logits), nd.array(labels)).asnumpy()
    expected = gradkit.nn.functional.cross_entropy(gradkit.tensor(logits), gradkit.tensor(labels),
                                                   reduction="none").numpy()
    np.testing.assert_allclose(ours, expected, rtol=1e-6)
    general = gloss.SoftmaxCrossEntropyLoss(axis=1)(nd.array(logits[:, :, None]),
                                                   nd.array(labels[:, None]))
    np.testing.assert_allclose(general.asnumpy(), expected, rtol=1e-5)


def test_trainer_step_divides_by_the_batch_size():
    net = nn.Sequential(); net.add(nn.Dense(1, in_units=2)); net.initialize(init.Zero())
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.5})
    X, y = nd.array([[1.0, 2.0], [3.0, 4.0]]), nd.array([1.0, 1.0])
    with autograd.record():
        l = gloss.L2Loss()(net(X), y)
    l.backward()
    grad = net[0].weight.grad().asnumpy().copy()
    np.testing.assert_allclose(grad, [[-4.0, -6.0]])  # Σ (0 − y)·x over the batch
    trainer.step(2)
    np.testing.assert_allclose(net[0].weight.data().asnumpy(), -0.5 * grad / 2)
    np.testing.assert_allclose(net[0].weight.grad().asnumpy(), grad)  # buffer left unscaled


def test_data_loader_batches_and_last_batch():
    features, labels = nd.arange(14).reshape((7, 2)), nd.arange(7)
    dataset = gdata.ArrayDataset(features, labels)
    X, y = dataset[3]
    assert isinstance(X, nd.NDArray) and X.shape == (2,) and float(y) == 3.0
    batches = list(gdata.DataLoader(dataset, 3))
    assert [b[0].shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    assert len(gdata.DataLoader(dataset, 3, last_batch="discard")) == 2
    gradkit.manual_seed(0)
    order = np.concatenate([y.asnumpy() for _, y in gdata.DataLoader(dataset, 3, shuffle=True)])
    assert sorted(order.tolist()) == list(range(7)) and order.tolist() != list(range(7))
    squares = gdata.SimpleDataset([(float(i), i * i) for i in range(4)])
    X, y = next(iter(gdata.DataLoader(squares, 4)))
    assert X.shape == (4,) and y.asnumpy().tolist() == [0, 1, 4, 9]


def test_dropout_is_active_only_while_training():
    x = nd.ones((100,))
    assert nn.Dropout(0.5)(x).asnumpy().tolist() == [1.0] * 100
    with autograd.record():
        dropped = nn.Dropout(0.5)(x).asnumpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0 < (dropped == 0).sum() < 100


def test_numpy_operands_and_asnumpy_display():
    assert repr(nd.ones(2).asnumpy()) == "array([1., 1.], dtype=float32)"
    mixed = np.ones(2) + nd.ones(2)  # NumPy defers to NDArray.__radd__
    assert isinstance(mixed, nd.NDArray) and mixed.asnumpy().tolist() == [2.0, 2.0]
