"""BLAS threads chosen per matrix product, by its size: small products on one thread.

NumPy hands every matmul to its BLAS (OpenBLAS in the wheels), which splits it over all cores.
For the book's products (a 256x784 batch times a 784x10 weight, a few million multiply-adds)
that split costs more than it saves: the worker threads must be woken for each call, they spin
against the DataLoader's prefetch thread and against whatever else runs on the machine, and an
epoch of softmax regression takes several times longer than on one thread. So :func:`matmul`
runs a product below :data:`SMALL_WORK` multiply-adds on one thread and a larger one on
:func:`get_num_threads` threads, fewer while other processes keep cores busy: a BLAS thread that
must share its core with a busy process makes its partners wait at every product's end (the
MLP's epoch then takes 3x as long on two threads, against 1.2x on one). The load is read from
``/proc/stat`` at most every tenth of a second, on Linux; elsewhere the count stays fixed.

Setting the thread count through ``threadpoolctl``'s ``threadpool_limits`` costs ~0.9 ms (it
looks for the libraries each time; a kept controller's ``limit`` still ~4 us, twice), more than
the product itself; here the library's own ``*_set_num_threads`` is found once
(through threadpoolctl when it is installed, else by ctypes in NumPy's bundled OpenBLAS) and
called only when the wanted count changes (about half a microsecond). Without a BLAS that can be
found, products run as NumPy would run them and only :func:`get_num_threads` is remembered.

Example:
    >>> import numpy as np
    >>> matmul(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)).shape
    (2, 4)
    >>> set_num_threads(1); get_num_threads()
    1
"""
from __future__ import annotations

import os
import time
from typing import Callable, Optional

import numpy as np

__all__ = ["matmul", "set_num_threads", "get_num_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "SMALL_WORK"]

# Multiply-adds (m * k * n) below which a product runs on one thread. Measured in the book's
# training loops on a 2-core machine shared with other work (load 1.4-2.4): an epoch of softmax
# regression (256x784x10 products, 2.0M) took 0.13-0.15 s on one thread against 0.38-2.6 s on
# two; the MLP's 256x784x256 layer (51M) gained from two threads when the cores were free
# (0.44 s against 0.53 s an epoch) and lost 10x when they were not, hence the load probe.
SMALL_WORK = 8_000_000

# The symbols that set/get the thread count, by library, most specific first.
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads", "MKL_Set_Num_Threads",
            "bli_thread_set_num_threads")
_GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_", "openblas_get_num_threads", "MKL_Get_Max_Threads",
            "bli_thread_get_num_threads")


class _LoadProbe:
    """How many of this process's cores other processes leave free, from ``/proc/stat``.

    The CPU time all processes spent on our cores, minus our own (every thread of this process:
    BLAS workers, the DataLoader's prefetch thread), over the wall time since the last look,
    is the number of cores the others keep busy.
    """

    # Seconds between two looks (reading /proc/stat costs ~30 us, 0.03% at this rate); short,
    # because until the probe sees a busy core a large product runs on threads that collapse
    # (measured: the MLP's 2 epochs under load took 1.54x their quiet time at 0.25 s, 1.38x
    # at 0.1 s). A look after a long pause (a notebook between cells) averages over the
    # pause, so it is followed by a fresh one after QUICK seconds.
    INTERVAL = 0.1
    QUICK = 0.05

    def __init__(self, cores: set[int]) -> None:
        self.cores = cores
        self.names = tuple(f"cpu{c} " for c in sorted(cores))
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.free = len(cores)
        self.next_look = 0.0
        self.last: Optional[tuple[float, float, float]] = None  # (wall, busy, own) seconds

    def _busy_seconds(self) -> Optional[float]:
        busy = 0
        try:
            with open("/proc/stat", encoding="ascii") as stat:
                for line in stat:  # the cpu lines come first
                    if not line.startswith("cpu"):
                        break
                    if line.startswith(self.names):
                        fields = line.split()
                        # user nice system idle iowait irq softirq steal: all but idle, iowait
                        busy += (sum(int(v) for v in fields[1:4])
                                 + sum(int(v) for v in fields[6:9]))
        except (OSError, ValueError):
            return None
        return busy / self.ticks

    def free_cores(self) -> int:
        now = time.monotonic()
        if now < self.next_look:
            return self.free
        self.next_look = now + self.INTERVAL
        busy = self._busy_seconds()
        if busy is None:
            self.next_look = float("inf")  # no /proc: never look again
            return self.free
        times = os.times()
        stale = self.last is None or now - self.last[0] > 4 * self.INTERVAL
        self.update(now, busy, times.user + times.system)
        if stale:
            self.next_look = now + self.QUICK
        return self.free

    def update(self, wall: float, busy: float, own: float) -> None:
        """Take a new look: wall-clock, all processes' busy and our own CPU seconds."""
        if self.last is not None and wall > self.last[0]:
            others = ((busy - self.last[1]) - (own - self.last[2])) / (wall - self.last[0])
            self.free = max(1, min(len(self.cores), round(len(self.cores) - others)))
        self.last = (wall, busy, own)


def _our_cores() -> set[int]:
    try:
        return set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return set(range(os.cpu_count() or 1))


class _Blas:
    """The BLAS library's thread setter, looked up on first use, and the counts in force."""

    def __init__(self) -> None:
        self.found = False                    # looked up yet?
        self.setter: Optional[Callable[[int], None]] = None
        self.default = 1                      # the library's own count when first seen
        self.user: Optional[int] = None       # gradkit.set_num_threads(n)
        self.deterministic = False            # gradkit.use_deterministic_algorithms(True)
        self.current = -1                     # the count last set (-1: never set by us)
        self.load = _LoadProbe(_our_cores())

    def find(self) -> None:
        self.found = True
        self.setter, getter = _find_with_threadpoolctl() or _find_bundled() or (None, None)
        self.default = max(1, getter()) if getter is not None else (os.cpu_count() or 1)

    def limit(self) -> int:
        """The most threads a large product may use: the user's choice, else the library's
        default less the cores that other processes keep busy."""
        if self.user is not None:
            return self.user
        if self.deterministic:
            # OpenBLAS splits a product differently on 1 and 2 threads, and the last bits of
            # the result change with it: a count that follows the load would make the same
            # seed give other numbers on a busy machine.
            return self.default
        return min(self.default, self.load.free_cores())

    def use(self, threads: int) -> None:
        if threads != self.current:
            if self.setter is not None:
                self.setter(threads)
            self.current = threads


_blas = _Blas()


def _library_functions(handle: "ctypes.CDLL") -> Optional[tuple[Callable, Callable]]:
    """(set, get) of the thread count in one loaded library, or None if it has neither."""
    import ctypes  # here, not at import time: `import gradkit` stays fast

    for set_name, get_name in zip(_SETTERS, _GETTERS):
        setter = getattr(handle, set_name, None)
        getter = getattr(handle, get_name, None)
        if setter is not None and getter is not None:
            setter.argtypes, setter.restype = [ctypes.c_int], None
            getter.argtypes, getter.restype = [], ctypes.c_int
            return setter, getter
    return None


def _find_with_threadpoolctl() -> Optional[tuple[Callable, Callable]]:
    """The library handle that threadpoolctl found for NumPy's BLAS (when it is installed)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    try:
        controllers = ThreadpoolController().select(user_api="blas").lib_controllers
    except Exception:  # noqa: BLE001 - an old or broken threadpoolctl: fall back to ctypes
        return None
    for controller in controllers:
        handle = getattr(controller, "dynlib", None)
        found = _library_functions(handle) if handle is not None else None
        if found is not None:
            return found
    return None


def _find_bundled() -> Optional[tuple[Callable, Callable]]:
    """The thread functions of the BLAS shipped inside NumPy's wheel (numpy.libs, .dylibs)."""
    import ctypes
    import glob

    numpy_dir = os.path.dirname(np.__file__)
    patterns = [os.path.join(numpy_dir, "..", "numpy.libs", "*openblas*"),
                os.path.join(numpy_dir, ".dylibs", "*openblas*")]
    try:  # a NumPy built against a separate scipy-openblas wheel
        import scipy_openblas64 as wheel  # type: ignore[import-not-found]

        patterns.append(os.path.join(wheel.get_lib_dir(), "*openblas*"))
    except Exception:  # noqa: BLE001 - not installed, or no get_lib_dir
        pass
    for pattern in patterns:
        for path in sorted(glob.glob(pattern)):
            try:
                found = _library_functions(ctypes.CDLL(path))
            except OSError:
                continue
            if found is not None:
                return found
    return None


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)`` on one BLAS thread when the product is small, else on all.

    Args:
        a: ``(*, m, k)`` or ``(k,)``.
        b: ``(*, k, n)`` or ``(k,)``.

    Returns:
        what ``np.matmul`` returns: ``(*, m, n)`` (vector operands drop their dim).

    Example:
        >>> matmul(np.eye(2), np.arange(2.0))
        array([0., 1.])
    """
    if type(a) is not np.ndarray or type(b) is not np.ndarray:
        return a @ b  # Tensors, when create_graph=True runs an op's backward on them
    blas = _blas
    if not blas.found:
        blas.find()
    # m * k * n for 2-D operands; the larger of the two counts covers batched ones.
    if a.ndim == 2 and b.ndim == 2:
        work = a.size * b.shape[1]
    else:
        work = max(a.size * (b.shape[-1] if b.ndim > 1 else 1),
                   b.size * (a.shape[-2] if a.ndim > 1 else 1))
    blas.use(1 if work < SMALL_WORK else blas.limit())
    return np.matmul(a, b)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Make results bit-for-bit repeatable, as ``torch.use_deterministic_algorithms``.

    gradkit's only run-to-run variation is the BLAS thread count of large products, which by
    default drops while other processes keep the cores busy (so a busy machine does not make
    training collapse); with ``mode=True`` it depends on the product's size alone. ``gradkit
    run`` turns this on, so the same seed gives the same numbers.

    Example:
        >>> gradkit.use_deterministic_algorithms(True)
        >>> gradkit.are_deterministic_algorithms_enabled()
        True
    """
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    del warn_only  # every gradkit op is deterministic: there is nothing to warn about
    _blas.deterministic = mode


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` is on.

    Example:
        >>> gradkit.are_deterministic_algorithms_enabled()
        False
    """
    return _blas.deterministic


def set_num_threads(n: int) -> None:
    """The most threads gradkit's matrix products may use (small ones still use one).

    Like ``torch.set_num_threads``: the user's choice wins over the library's default.

    Example:
        >>> set_num_threads(2); get_num_threads()
        2
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    if not _blas.found:
        _blas.find()
    _blas.user = int(n)
    _blas.current = -1  # set it again on the next large product


def get_num_threads() -> int:
    """The most threads a large matrix product uses: ``set_num_threads``'s, else the BLAS
    library's own (its environment variables, or the number of cores). Without a choice of the
    user's, products use fewer while other processes keep cores busy.

    Example:
        >>> get_num_threads() >= 1
        True
    """
    if not _blas.found:
        _blas.find()
    return _blas.user if _blas.user is not None else _blas.default
