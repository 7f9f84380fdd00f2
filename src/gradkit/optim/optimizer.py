"""``Optimizer``: parameter groups, state, ``zero_grad`` and ``state_dict``, as in PyTorch.

Subclasses implement ``step``; they update ``param._data`` in place with NumPy (no graph is
built, nothing is copied).

Example:
    >>> opt = gradkit.optim.SGD([{"params": net[0].weight, "weight_decay": 3},
    ...                          {"params": net[0].bias}], lr=0.003)
"""
from __future__ import annotations

import copy
import functools
import warnings
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from ..nn.parameter import reset_grads
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of optimizers.

    Args:
        params: an iterable of tensors, or of dicts with a ``"params"`` entry (a tensor or an
            iterable of tensors) and per-group options.
        defaults: option values for groups that do not set them.

    Example:
        >>> opt = gradkit.optim.SGD(net.parameters(), lr=0.1)
        >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every subclass's step() records that it ran, so an lr scheduler can warn when its
        # step() comes first (the order mistake that skips the schedule's first lr).
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_records_calls", False):
            @functools.wraps(step)
            def recorded_step(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
                self._opt_called = True
                return step(self, *args, **kwargs)

            recorded_step._records_calls = True  # type: ignore[attr-defined]
            cls.step = recorded_step  # type: ignore[method-assign]

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        self.defaults = defaults
        self._scratch: dict[tuple, np.ndarray] = {}  # see _add_scaled_
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {params.type()}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (missing ones from ``defaults``).

        Example:
            >>> opt.add_param_group({"params": extra_layer.parameters(), "lr": 0.01})
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            # PyTorch only warns (and then steps such a parameter twice); so does gradkit.
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          UserWarning, stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default), or to zeros in place."""
        reset_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their ``.grad``; subclasses implement it."""
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure: Callable[[], Any] | None) -> Any:
        """Run ``closure`` (which recomputes the loss) with recording on, as ``step`` does
        before updating; None without a closure."""
        if closure is None:
            return None
        from ..autograd.grad_mode import enable_grad

        with enable_grad():
            return closure()

    def _add_scaled_(self, data: np.ndarray, alpha: float, update: np.ndarray) -> None:
        """``data += alpha · update`` in place, through a scratch array reused across steps.

        ``data -= lr * grad`` would allocate a fresh temporary per parameter per step, and for
        a large parameter the page faults of that allocation cost more than the arithmetic
        (256x784 float32: ~240 µs of faults against ~40 µs of work), which PyTorch avoids with
        a fused ``add_(grad, alpha=-lr)``.
        """
        if data.size <= 4096:
            # Small: a temporary is cheaper than finding the scratch array (same arithmetic).
            data += update * alpha
            return
        scratch = self._scratch_like(data)
        np.multiply(update, alpha, out=scratch, casting="same_kind")
        data += scratch

    def _effective_grad(self, data: np.ndarray, grad: np.ndarray, maximize: bool,
                        weight_decay: float) -> np.ndarray:
        """``-grad`` when maximizing, plus ``weight_decay · data``, in a reused work array.

        The same values as ``(-grad if maximize else grad) + weight_decay * data`` without a
        fresh temporary per parameter per step; the parameter's ``.grad`` is left untouched.
        """
        if not maximize and not weight_decay:
            return grad
        out = self._scratch_like(data, "grad")
        if weight_decay:
            np.multiply(data, weight_decay, out=out, casting="same_kind")
            # wd·p − g and wd·p + g round exactly as (−g) + wd·p and g + wd·p do.
            (np.subtract if maximize else np.add)(out, grad, out=out, casting="same_kind")
        else:
            np.negative(grad, out=out)
        return out

    def _scratch_like(self, data: np.ndarray, slot: str = "update") -> np.ndarray:
        """A work array shaped like ``data``, allocated once per shape, dtype and ``slot``
        (distinct slots of one step must not share memory)."""
        key = (data.shape, data.dtype, slot)
        scratch = self._scratch.get(key)
        if scratch is None:
            scratch = self._scratch[key] = np.empty_like(data)
        return scratch

    def _params_with_grad(self, group: dict) -> Iterable[tuple[Tensor, np.ndarray, dict]]:
        """``(param, grad array, state)`` for the group's parameters that have a gradient."""
        for p in group["params"]:
            if p._grad is not None:
                yield p, p._grad._data, self.state[p]

    def state_dict(self) -> dict:
        """``{"state": {index: state}, "param_groups": [...]}`` with parameters as indices, as
        PyTorch's (so it can be saved without the tensors' identities)."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            indices = []
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
                indices.append(index_of[id(p)])
            packed["params"] = indices
            groups.append(packed)
        state = {index_of[id(p)]: {k: (v.clone() if isinstance(v, Tensor) else copy.copy(v))
                                   for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by ``state_dict`` (parameters matched by order)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, theirs in zip(self.param_groups, groups):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        by_index = {}
        for ours, theirs in zip(self.param_groups, groups):
            for p, index in zip(ours["params"], theirs["params"]):
                by_index[index] = p
            ours.update({k: v for k, v in theirs.items() if k != "params"})
        self.state = defaultdict(dict)
        for index, saved in state_dict["state"].items():
            p = by_index[int(index)]
            self.state[p] = {k: (Tensor._wrap(np.array(v._data, dtype=p._data.dtype))
                                 if isinstance(v, Tensor) and k != "step"
                                 else (v.clone() if isinstance(v, Tensor) else v))
                             for k, v in saved.items()}

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += ("\n" if i else "") + f"\nParameter Group {i}"  # groups: blank line apart
            for key in sorted(group):
                if key != "params":
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"
