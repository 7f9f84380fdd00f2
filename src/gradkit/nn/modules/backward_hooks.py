"""Module backward hooks (``register_full_backward_hook`` / ``_pre_hook``), as graph nodes.

When a module has backward hooks, its call wraps the output in ``ModuleOutputHook`` and each
input that requires grad in ``ModuleInputHook``: identity ops whose backward sees the
gradients. The output node runs the pre-hooks on ``grad_output`` (they may replace it); the
input node runs the full hooks with ``(grad_input, grad_output)`` (they may replace
grad_input). A module with several inputs that require grad has one input node each; their
full hooks run once all of the pass's gradients are in (at the end of the pass), and may then
only observe. Like PyTorch, hooks fire only for a Tensor output that requires grad, and a module
whose inputs need no grad fires its full hook with ``grad_input = (None, ...)``.

Example:
    >>> layer.register_full_backward_hook(lambda m, gi, go: print(go[0].shape))
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...autograd import engine
from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ["wrap_with_backward_hooks"]


class _HookState:
    """One call's hook bookkeeping: the gradients seen so far."""

    __slots__ = ("module", "positions", "grad_output", "grad_input", "waiting", "queued")

    def __init__(self, module: Any, positions: list[int], n_args: int) -> None:
        self.module = module
        self.positions = positions  # positional args that went through an input node
        self.grad_output: tuple | None = None
        self.grad_input: list = [None] * n_args
        self.waiting = len(positions)
        self.queued = False


def _as_tensor(g: Any) -> Tensor:
    return Tensor._wrap(g) if type(g) is np.ndarray else g


def _like_input(new: Any, old: Any) -> Any:
    """A hook's replacement, in the form the engine passed (array or Tensor)."""
    if new is None:
        return None
    return new._data if type(old) is np.ndarray else new


def _one_tuple(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


class ModuleOutputHook(Function):
    """Identity on the module's output; backward runs the backward pre-hooks."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, a, state=None):
        ctx.state = state
        return a.view()

    @staticmethod
    def backward(ctx, grad):
        state = ctx.state
        grad_output = (_as_tensor(grad),)
        for hook in list(state.module._backward_pre_hooks.values()):
            result = hook(state.module, grad_output)
            if result is not None:
                grad_output = _one_tuple(result)
        state.grad_output = grad_output
        if not state.positions:  # no input requires grad: the full hooks fire here
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients.", UserWarning, stacklevel=2)
            _run_full_hooks(state, allow_replace=False)
        return _like_input(grad_output[0], grad)

    backward_graph = backward  # hooks receive Tensors on both paths


class ModuleInputHook(Function):
    """Identity on one input of the module; backward runs the full backward hooks."""

    node_name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, a, state=None, position=0):
        ctx.state, ctx.position = state, position
        return a.view()

    @staticmethod
    def backward(ctx, grad):
        state = ctx.state
        state.grad_input[ctx.position] = _as_tensor(grad)
        if len(state.positions) == 1:
            replaced = _run_full_hooks(state, allow_replace=True)
            if replaced is not None:
                return _like_input(replaced[ctx.position], grad)
        elif not state.queued:
            state.queued = True
            engine.queue_callback(lambda: _run_full_hooks(state, allow_replace=False))
        return grad

    backward_graph = backward


def _run_full_hooks(state: _HookState, allow_replace: bool) -> tuple | None:
    grad_input = tuple(state.grad_input)
    replaced = None
    for hook in list(state.module._backward_hooks.values()):
        result = hook(state.module, grad_input, state.grad_output)
        if result is None:
            continue
        if not allow_replace:
            raise RuntimeError(
                "a full backward hook of a module with several inputs that require grad (or "
                "none) can only observe the gradients in gradkit: return None")
        result = _one_tuple(result)
        if len(result) != len(grad_input):
            raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                               f"{len(result)}, but expected {len(grad_input)}")
        grad_input = replaced = result
    return replaced


def wrap_with_backward_hooks(module: Any, args: tuple, call: Any) -> Any:
    """Run ``call(*args)`` with the module's backward hooks attached to its graph."""
    from ...autograd.grad_mode import is_grad_enabled

    tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    positions = [i for i in tensor_positions if args[i].requires_grad]
    if not is_grad_enabled():
        return call(*args)
    state = _HookState(module, positions, len(tensor_positions))
    slot = {p: k for k, p in enumerate(tensor_positions)}
    args = tuple(ModuleInputHook.apply(a, state=state, position=slot[i]) if i in positions
                 else a for i, a in enumerate(args))
    state.positions = [slot[i] for i in positions]
    result = call(*args)
    if not isinstance(result, Tensor):
        raise RuntimeError("module backward hooks in gradkit need the module to return a single "
                           f"Tensor, not {type(result).__name__}")
    if not result.requires_grad:
        return result
    return ModuleOutputHook.apply(result, state=state)
