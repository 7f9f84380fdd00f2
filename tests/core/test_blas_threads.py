"""BLAS threads per product: small products on one thread, large ones on get_num_threads()
(fewer under load), set_num_threads as PyTorch has it, and a working fallback without a BLAS
handle. Results agree to rounding on any thread count; use_deterministic_algorithms pins the count
so that they agree bit for bit."""
from __future__ import annotations

import types

import numpy as np
import pytest

import gradkit
from gradkit import _blas
from oracle import import_torch


@pytest.fixture
def blas(monkeypatch):
    """The module's state, restored afterwards (the library back on its own default)."""
    state = _blas._blas
    if not state.found:
        state.find()
    monkeypatch.setattr(state, "user", None)
    yield state
    state.current = -1
    state.use(state.default)
    state.current = -1


def _library_threads() -> int:
    found = _blas._find_with_threadpoolctl() or _blas._find_bundled()
    if found is None:
        pytest.fail("NumPy's BLAS thread functions were not found")
    return found[1]()


SHAPES = [((3, 4), (4, 5)), ((4,), (4,)), ((2, 3), (3,)), ((3,), (3, 2)),
          ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((256, 784), (784, 10)),
          ((256, 784), (784, 256)), ((0, 3), (3, 2))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_matmul_equals_numpy(shape_a, shape_b):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    out = _blas.matmul(a, b)
    expected = np.matmul(a, b)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_small_product_runs_on_one_thread(blas):
    gradkit.set_num_threads(2)
    _blas.matmul(np.ones((256, 784), np.float32), np.ones((784, 10), np.float32))
    assert blas.current == 1
    assert _library_threads() == 1


def test_large_product_uses_the_users_count(blas):
    gradkit.set_num_threads(2)
    big = np.ones((256, 256), np.float32)
    assert big.size * 256 >= _blas.SMALL_WORK
    _blas.matmul(big, big)
    assert blas.current == 2
    assert _library_threads() == 2
    gradkit.set_num_threads(1)
    _blas.matmul(big, big)
    assert _library_threads() == 1


def test_same_result_on_one_and_two_threads(blas):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 400)).astype(np.float32)
    b = rng.standard_normal((400, 300)).astype(np.float32)
    gradkit.set_num_threads(1)
    one = _blas.matmul(a, b)
    gradkit.set_num_threads(2)
    two = _blas.matmul(a, b)
    np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-4)


def test_linear_and_matmul_ops_go_through_it(blas, monkeypatch):
    calls = []
    original = _blas.matmul

    def spy(a, b):
        calls.append((a.shape, b.shape))
        return original(a, b)

    from gradkit._ops import linalg, nn_ops
    monkeypatch.setattr(linalg, "matmul", spy)
    monkeypatch.setattr(nn_ops, "matmul", spy)
    x = gradkit.ones(4, 3, requires_grad=True)
    layer = gradkit.nn.Linear(3, 2)
    (layer(x).sum() + (x @ gradkit.ones(3, 5)).sum()).backward()
    assert ((4, 3), (3, 2)) in calls          # Linear forward
    assert ((4, 3), (3, 5)) in calls          # Matmul forward
    assert len(calls) == 5  # + Linear's two backward products, + one for x (the ones need none)


def test_get_set_num_threads_like_torch(blas):
    torch = import_torch()
    assert gradkit.get_num_threads() == blas.default >= 1
    gradkit.set_num_threads(3)
    assert gradkit.get_num_threads() == 3
    previous = torch.get_num_threads()
    try:
        for bad in (0, -1, "a", 2.0, True):
            with pytest.raises(RuntimeError) as theirs:
                torch.set_num_threads(bad)
            with pytest.raises(RuntimeError) as ours:
                gradkit.set_num_threads(bad)
            assert str(ours.value) == str(theirs.value)
    finally:
        torch.set_num_threads(previous)
    assert gradkit.get_num_threads() == 3


def test_threadpoolctl_and_ctypes_find_the_same_library():
    pytest.importorskip("threadpoolctl")  # optional: the ctypes path below needs no extra
    assert _blas._find_with_threadpoolctl() is not None
    assert _blas._find_bundled() is not None


def test_without_threadpoolctl_ctypes_finds_numpys_openblas(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_threadpoolctl(name, *args, **kwargs):
        if name == "threadpoolctl":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_threadpoolctl)
    assert _blas._find_with_threadpoolctl() is None
    state = _blas._Blas()
    state.find()
    if "openblas" in np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]:
        assert state.setter is not None


def test_without_a_blas_handle_products_still_work(monkeypatch):
    monkeypatch.setattr(_blas, "_find_with_threadpoolctl", lambda: None)
    monkeypatch.setattr(_blas, "_find_bundled", lambda: None)
    state = _blas._Blas()
    monkeypatch.setattr(_blas, "_blas", state)
    assert gradkit.get_num_threads() == (__import__("os").cpu_count() or 1)
    out = _blas.matmul(np.eye(3, dtype=np.float32), np.ones((3, 2), np.float32))
    np.testing.assert_array_equal(out, np.ones((3, 2), np.float32))
    gradkit.set_num_threads(1)
    assert gradkit.get_num_threads() == 1


class TestLoadProbe:
    def test_free_cores_from_other_processes_time(self):
        probe = _blas._LoadProbe({0, 1})
        probe.update(0.0, busy=100.0, own=10.0)
        assert probe.free == 2                   # one look: nothing known yet
        probe.update(1.0, busy=101.9, own=10.95)  # others: 1.9 - 0.95 = 0.95 of a core
        assert probe.free == 1
        probe.update(2.0, busy=103.0, own=11.9)  # we used 0.95, others 0.15
        assert probe.free == 2
        probe.update(3.0, busy=106.0, own=11.9)  # others use more than all our cores
        assert probe.free == 1

    def test_a_look_after_a_pause_is_followed_by_a_quick_one(self, monkeypatch):
        probe = _blas._LoadProbe({0, 1})
        clock = iter([100.0, 100.001, 100.06])
        # (_blas's own name for the time module, not the module itself: pytest reads its clock)
        monkeypatch.setattr(_blas, "time", types.SimpleNamespace(monotonic=lambda: next(clock)))
        monkeypatch.setattr(probe, "_busy_seconds", lambda: 50.0)
        probe.free_cores()                       # the first look: a window still to come
        assert probe.next_look == pytest.approx(100.0 + probe.QUICK)
        probe.free_cores()                       # too early: no look
        probe.free_cores()                       # a fresh window: the usual interval next
        assert probe.next_look == pytest.approx(100.06 + probe.INTERVAL)

    def test_reads_this_machines_stat(self):
        probe = _blas._LoadProbe(_blas._our_cores())
        busy = probe._busy_seconds()
        if busy is None:  # no /proc (not Linux): the count stays fixed
            assert probe.free_cores() == len(probe.cores)
            return
        assert busy > 0
        assert 1 <= probe.free_cores() <= len(probe.cores)

    def test_user_choice_wins_over_load(self, blas, monkeypatch):
        monkeypatch.setattr(blas.load, "free_cores", lambda: 1)
        assert blas.limit() == 1
        gradkit.set_num_threads(2)
        assert blas.limit() == 2


class TestDeterministic:
    """``use_deterministic_algorithms(True)``: the count of a large product follows its size
    only, never the load, since OpenBLAS's last bits change with the count."""

    @pytest.fixture(autouse=True)
    def restore(self):
        yield
        gradkit.use_deterministic_algorithms(False)

    def test_load_is_ignored(self, blas, monkeypatch):
        monkeypatch.setattr(blas.load, "free_cores", lambda: 1)
        assert blas.limit() == min(blas.default, 1)
        gradkit.use_deterministic_algorithms(True)
        assert gradkit.are_deterministic_algorithms_enabled()
        assert blas.limit() == blas.default

    def test_as_torch(self):
        torch = import_torch()
        assert gradkit.are_deterministic_algorithms_enabled() is \
            torch.are_deterministic_algorithms_enabled() is False
        for lib in (gradkit, torch):
            with pytest.raises(TypeError, match="must be bool, not int"):
                lib.use_deterministic_algorithms(1)

    def test_recipes_turn_it_on(self):
        from gradkit.recipes.runner import seed_everything

        seed_everything(0)
        assert gradkit.are_deterministic_algorithms_enabled()


def test_matmul_of_tensors_is_the_recorded_product():
    # create_graph=True runs an op's NumPy-style backward on Tensors: the product must record.
    a = gradkit.ones(2, 3, requires_grad=True)
    out = _blas.matmul(a, gradkit.ones(3, 4))
    assert out.grad_fn is not None and tuple(out.shape) == (2, 4)
