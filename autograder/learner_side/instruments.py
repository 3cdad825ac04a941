"""What the learner process can watch while learner code runs, reported as plain data.

`OpWatch` lists the operators that reached PyTorch's dispatcher during a call (`aten::linear`
however it was reached: `F.linear`, `torch.ops.aten.linear`, with torch functions disabled).
`fit_trace` runs the learner's `fit` on a small slice of the helmet data and records, at every
optimizer step, raw values (parameters, buffers, gradients, the param groups' options): the
judge replays each step itself and decides everything.

These run on the learner's side of the boundary, so the judge treats what they report as
evidence to check, never as a verdict.
"""
from __future__ import annotations

import contextlib
import importlib
import itertools
import os

import torch
from torch import nn
from torch.optim.optimizer import (register_optimizer_step_post_hook,
                                   register_optimizer_step_pre_hook)

from autograder.config import MAX_OPS

BATCHNORM = nn.modules.batchnorm._BatchNorm


def nothing():
    return contextlib.nullcontext()


class OpWatch:
    """The names of the dispatcher operators run inside the `with` block, on every thread of the
    process (a worker thread or a thread pool started by learner code included: the profiler
    records all threads, those started before the block too), plus `kit::fork` when the block
    forked a process (what a child computes never reaches the watch), `kit::truncated` when more
    distinct operators ran than are listed, and `kit::unwatched` when the profiler was stopped
    from inside. Only names are gathered here; the judge decides what they mean."""

    def __init__(self):
        self.ops: list[str] = []
        self._profile = None
        self._forks = 0

    def __enter__(self):
        self._forks = next(_FORKS)
        self._profile = _profiler()
        self._profile.__enter__()
        return self

    def __exit__(self, *exc):
        marks = set()
        with torch._C.DisableTorchFunction():   # a sentinel: absent if the profiler was stopped
            _EMPTY(0)
        try:
            self._profile.__exit__(*exc)
        except Exception:  # noqa: BLE001 - learner code stopped or replaced the profiler
            marks.add("kit::unwatched")
        try:
            events = (self._profile.events() if hasattr(self._profile, "events")
                      else self._profile.function_events)
            names = sorted({str(event.name) for event in events or ()})
        except Exception:  # noqa: BLE001 - no events when the block raised early
            names = []
        if "aten::empty" not in names:
            marks.add("kit::unwatched")
        if next(_FORKS) - self._forks > 1:
            marks.add("kit::fork")
        if len(names) > MAX_OPS - 3:
            marks.add("kit::truncated")
        self.ops = sorted(marks) + names[:MAX_OPS - 3]
        return False


_EMPTY = torch._C._VariableFunctions.empty
# Forks of this process, counted by a hook that no Python code can remove (os.register_at_fork
# has no way back) and whose counter can only go up.
_FORKS = itertools.count()
os.register_at_fork(before=_FORKS.__next__)


def _profiler():
    """The CPU profiler over every thread of the process; the calling thread's only on a torch
    without that option."""
    try:
        from torch._C._profiler import _ExperimentalConfig
        from torch.profiler import ProfilerActivity, profile

        return profile(activities=[ProfilerActivity.CPU],
                       experimental_config=_ExperimentalConfig(profile_all_threads=True))
    except (ImportError, AttributeError, TypeError):
        from torch.autograd import profiler_legacy

        return profiler_legacy.profile()


# -- fit -----------------------------------------------------------------------------------------

class CountingDataset(torch.utils.data.Dataset):
    """A data set that records the items served, in order: with one pass over every item per
    epoch, where each optimizer step falls in this list tells the judge its batch and its epoch,
    whatever batch sizes and loaders the learner's code uses."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.indices: list[int] = []   # in the order served

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        self.indices.append(int(index))
        return self.dataset[index]


try:   # the flag autograd uses, not what a Python-level property of a subclass says
    _REQUIRES_GRAD = torch._C.TensorBase.requires_grad.__get__
except AttributeError:  # pragma: no cover - an older torch
    _REQUIRES_GRAD = torch._C._TensorBase.requires_grad.__get__


def requires_grad(t: torch.Tensor) -> bool:
    return bool(_REQUIRES_GRAD(t))


def _plain(t: torch.Tensor) -> torch.Tensor:
    """A detached copy of a tensor's values, as a plain tensor."""
    with torch._C.DisableTorchFunctionSubclass():
        return torch.Tensor._make_subclass(torch.Tensor, t.detach()).clone()


def _snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: _plain(t) for name, t in nn.Module.state_dict(model, keep_vars=True).items()
            if isinstance(t, torch.Tensor)}


STALE_SEED = 7


def _group_values(optimizer, own: dict) -> list[dict]:
    """Each param group's options as values, and its parameters by the model's names."""
    groups = []
    for g in optimizer.param_groups:
        options = {}
        for key in ("lr", "momentum", "dampening", "weight_decay"):
            value = g.get(key, 0.0)
            options[key] = float(value) if isinstance(value, (int, float)) else None
        for key in ("nesterov", "maximize"):
            options[key] = bool(g.get(key, False))
        options["params"] = [own.get(id(p), "?") for p in g["params"]]
        groups.append(options)
    return groups


def fit_trace(server, *, fit, model, images: int, kwargs: dict, seed: int = 1,
              stale_gradients: bool = False, eval_first: bool = False) -> dict:
    """Run `fit(model, dataset, **kwargs)` on the first `images` training images, and record
    raw values only: nothing here decides anything (no comparison of tensors, no verdict).

    `stale_gradients` leaves a gradient on every parameter first (one backward pass on seeded
    inputs, in eval mode so that no value changes); `eval_first` hands fit a model in eval
    mode, as after an evaluation.

    Returns {"history": what fit returned, "error": evidence or None, "start": the model's
    parameters and buffers when fit was called, "start_grads": their .grad, "parameters": the
    parameters' names, "order": the item indices in the order served, "steps": one entry per
    optimizer step that held a parameter of the model: "served" (items served before it),
    "grads" (every parameter's .grad as the step found it), "groups" (each param group's
    options as values and its parameters by name), "optimizer" (which optimizer, numbered in
    the order first seen), "training" (the modules in train mode), "requires_grad" (the
    parameters that required grad) and "state" (parameters and buffers after the step)}.
    The judge replays every step with its own model, data and loss, and compares.
    """
    from autograder.learner_side.evidence import evidence

    yolo = importlib.import_module("yolo")
    dataset = CountingDataset(yolo.HelmetDataset(None, "train", limit=images))
    named = list(nn.Module.named_parameters(model))
    own = {id(p): name for name, p in named}
    if stale_gradients:
        modes = [(m, m.training) for m in nn.Module.modules(model)]
        model.eval()
        generator = torch.Generator().manual_seed(STALE_SEED)
        model(torch.rand(2, 3, 96, 96, generator=generator)).square().mean().backward()
        for m, training in modes:
            m.training = training
    if eval_first:
        model.eval()
    start = _snapshot(model)
    start_grads = {name: (_plain(p.grad) if p.grad is not None else None) for name, p in named}
    steps, pending, optimizers = [], {}, []

    def serial(optimizer) -> int:
        for number, seen in enumerate(optimizers):
            if seen is optimizer:
                return number
        optimizers.append(optimizer)   # held, so that no later optimizer reuses its id
        return len(optimizers) - 1

    def before_step(optimizer, args, kwargs_):
        held = [id(p) for g in optimizer.param_groups for p in g["params"]]
        if not any(key in own for key in held):
            pending.pop("step", None)
            return
        groups = _group_values(optimizer, own)
        pending["step"] = {
            "served": len(dataset.indices), "optimizer": serial(optimizer),
            "kind": f"{type(optimizer).__module__}.{type(optimizer).__qualname__}"[:200],
            "groups": groups,
            "grads": {name: (_plain(p.grad) if p.grad is not None else None)
                      for name, p in named},
            "training": [n for n, m in nn.Module.named_modules(model) if m.training],
            "requires_grad": [n for n, p in named if requires_grad(p)],
        }

    def after_step(optimizer, args, kwargs_):
        step = pending.pop("step", None)
        if step is not None:
            step["state"] = _snapshot(model)
            steps.append(step)

    handles = [register_optimizer_step_pre_hook(before_step),
               register_optimizer_step_post_hook(after_step)]
    history, error = None, None
    try:
        torch.manual_seed(seed)
        history = fit(model, dataset, **kwargs)
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
        error = evidence(exc)
    finally:
        for handle in handles:
            handle.remove()
    return {"history": history, "error": error, "start": start, "start_grads": start_grads,
            "parameters": [name for name, _ in named], "order": list(dataset.indices),
            "steps": steps}


def train_step(server, *, model, indices: list, lr: float = 0.1) -> dict:
    """One training step of the model as it stands: the kit's loss on the helmet images at
    `indices`, backward (onto whatever gradients the parameters already hold), and a plain SGD
    step over every parameter. Reports raw values only: the parameters and buffers before and
    after, the gradients before backward and at the step, the modules in train mode and the
    parameters that required grad. The judge replays the step itself and decides."""
    from autograder.learner_side.evidence import evidence

    yolo = importlib.import_module("yolo")
    named = list(nn.Module.named_parameters(model))
    report = {"before": _snapshot(model),
              "previous": {n: (_plain(p.grad) if p.grad is not None else None) for n, p in named},
              "training": [n for n, m in nn.Module.named_modules(model) if m.training],
              "requires_grad": [n for n, p in named if requires_grad(p)], "error": None}
    try:
        dataset = yolo.HelmetDataset(None, "train", limit=max(indices) + 1)
        images, targets = yolo.collate([dataset[i] for i in indices])
        loss = yolo.yolo_loss(model(images), targets)
        if loss.requires_grad:
            loss.backward()
        report["grads"] = {n: (_plain(p.grad) if p.grad is not None else None) for n, p in named}
        torch.optim.SGD([p for _, p in named], lr=lr).step()
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
        report["error"] = evidence(exc)
    report["state"] = _snapshot(model)
    return report


def optimizer_step(server, *, optimizer, model, grads: dict, steps: int = 2) -> dict:
    """`steps` steps of `optimizer` with the gradients the judge chose (by parameter name), set
    on the model's parameters before each step. Reports raw values only: the parameters before
    and after each step, and the optimizer's param groups (options as values, parameters by
    the model's names); the judge replays the steps with those groups and decides."""
    from autograder.learner_side.evidence import evidence

    named = list(nn.Module.named_parameters(model))
    own = {id(p): name for name, p in named}
    report = {"before": _snapshot(model), "states": [], "error": None,
              "kind": f"{type(optimizer).__module__}.{type(optimizer).__qualname__}"[:200]}
    try:
        report["groups"] = _group_values(optimizer, own)
        for _ in range(steps):
            for name, p in named:
                g = grads.get(name)
                p.grad = None if g is None else g.clone()
            optimizer.step()
            report["states"].append(_snapshot(model))
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
        report["error"] = evidence(exc)
    return report


def sgd_step(server, *, module, inputs: list, upstream: torch.Tensor, lr: float = 0.1) -> dict:
    """One plain SGD step over what `module.parameters()` yields (what an optimizer built from
    model.parameters() holds), on the loss (module(*inputs) * upstream).sum()."""
    params = list(nn.Module.parameters(module))
    optimizer = torch.optim.SGD(params, lr=lr)
    optimizer.zero_grad()
    output = module(*inputs)
    (output * upstream).sum().backward()
    optimizer.step()
    return {"held": [id(p) for p in params], "output": output.detach()}


def _registry(module: nn.Module) -> list:
    """The tensors nn.Module's own storage holds as parameters (`_parameters` of the module and
    of every submodule in `_modules`), each once, read from the instances' dictionaries: an
    override of parameters() or named_parameters(), on the class or on nn.Module, changes
    nothing here."""
    seen_modules, seen, params, stack = set(), set(), [], [module]
    while stack:
        current = stack.pop()
        if id(current) in seen_modules:
            continue
        seen_modules.add(id(current))
        slots = object.__getattribute__(current, "__dict__")
        for p in dict(slots.get("_parameters") or {}).values():
            if isinstance(p, torch.Tensor) and id(p) not in seen:
                seen.add(id(p))
                params.append(p)
        stack.extend(m for m in dict(slots.get("_modules") or {}).values()
                     if isinstance(m, nn.Module))
    return params


def registered_sgd_step(server, *, module, inputs: list, upstream: torch.Tensor,
                        lr: float = 0.1, unfreeze: bool = False) -> dict:
    """One plain SGD step over the parameters nn.Module registered (see `_registry`), on the
    loss (module(*inputs) * upstream).sum(); with `unfreeze`, every registered parameter is
    made trainable first (as `model.requires_grad_()` does). Returns the forward's output only:
    the judge reads the parameters' values afterwards and decides what moved."""
    params = _registry(module)
    if unfreeze:
        for p in params:
            p.requires_grad_(True)
    optimizer = torch.optim.SGD(params, lr=lr) if params else None
    if optimizer is not None:
        optimizer.zero_grad()
    output = module(*inputs)
    if isinstance(output, torch.Tensor) and output.requires_grad:
        (output * upstream).sum().backward()
    if optimizer is not None:
        optimizer.step()
    return {"output": output.detach() if isinstance(output, torch.Tensor) else None}


def gradient_step(server, *, module, grads: dict, lr: float, reset: bool = False,
                  seed: int | None = None) -> dict:
    """One plain SGD step, at `lr`, of an optimizer built over the parameters nn.Module's own
    storage holds for `module` (each module's `_parameters`, read past any override of
    parameters() or named_parameters()), on the loss sum over `grads` of
    (getattr(module, name) * grads[name]).sum(): the judge's own gradient for each attribute,
    the module's forward unused. With `reset`, `module.reset_parameters()` runs (after
    torch.manual_seed(seed)) between building the optimizer and the step, and the values it left
    are returned: an optimizer built before a reset must still update the layer. The judge reads
    the attributes' values afterwards and compares them with the update it computed itself."""
    params = _registry(module)
    optimizer = torch.optim.SGD(params, lr=float(lr)) if params else None
    if optimizer is not None:
        optimizer.zero_grad(set_to_none=True)
    drawn = {}
    if reset:
        if seed is not None:
            torch.manual_seed(int(seed))
        module.reset_parameters()
        drawn = {str(name): getattr(module, str(name)).detach().clone() for name in dict(grads)}
    loss = sum((getattr(module, str(name)) * g).sum() for name, g in dict(grads).items())
    if isinstance(loss, torch.Tensor) and loss.requires_grad:
        loss.backward()
    if optimizer is not None:
        optimizer.step()
    return {"reset": drawn}


def deepcopy_module(server, *, module) -> dict:
    """copy.deepcopy(module), kept in the learner process: the judge gets a handle on the copy
    and checks what it computes itself (a layer that caches a tensor computed from its weight
    cannot be deep-copied, or computes from the original's weight)."""
    import copy
    return {"copy": server.ref(copy.deepcopy(module))}


INSTRUMENTS = {"fit_trace": fit_trace, "train_step": train_step,
               "optimizer_step": optimizer_step, "sgd_step": sgd_step}
INSTRUMENTS["registered_sgd_step"] = registered_sgd_step
INSTRUMENTS["gradient_step"] = gradient_step
INSTRUMENTS["deepcopy_module"] = deepcopy_module
