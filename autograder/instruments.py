"""What the learner process can watch while learner code runs, reported as plain data.

`OpWatch` lists the operators that reached PyTorch's dispatcher during a call (`aten::linear`
however it was reached: `F.linear`, `torch.ops.aten.linear`, with torch functions disabled).
`fit_trace` runs the learner's `fit` on a small slice of the helmet data and records every
training forward pass and optimizer step with hooks owned by this module.

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

BATCHNORM = nn.modules.batchnorm._BatchNorm
MAX_OPS = 400


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
    """A data set that counts the items served: every epoch draws each item once, so the count
    tells which epoch a forward pass or an optimizer step belongs to, whatever batch sizes the
    learner's code uses."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.indices: list[int] = []   # in the order served

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        self.indices.append(int(index))
        return self.dataset[index]

    def epoch(self) -> int:
        return max(len(self.indices) - 1, 0) // len(self.dataset)


def _snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: t.detach().clone() for name, t in
            nn.Module.state_dict(model, keep_vars=True).items()}


def _changed(model: nn.Module, previous: dict[str, torch.Tensor]) -> list[str]:
    return [name for name, t in nn.Module.state_dict(model, keep_vars=True).items()
            if name in previous and not torch.equal(t.detach(), previous[name])]


def fit_trace(server, *, fit, model, images: int, kwargs: dict, seed: int = 1,
              stale_gradients: bool = False, eval_first: bool = False,
              record_gradients: bool = False) -> dict:
    """Run `fit(model, dataset, **kwargs)` on the first `images` training images and record it.

    `eval_first` hands fit a model in eval mode, as after an evaluation; `record_gradients`
    also records, for every training forward pass, the model's state and which layers were in
    eval mode, and at every optimizer step the gradient of every parameter (so that the judge
    can check each step used the gradient of its own batch).

    Returns {"history": what fit returned, "error": evidence or None, "forwards": [...],
    "steps": [...], "order": the item indices in the order served, "parameters": the model's
    parameter names, "backbone_batchnorms" and "head_batchnorms": their BatchNorm layers}.
    """
    from autograder.learner import evidence

    yolo = importlib.import_module("yolo")
    dataset = CountingDataset(yolo.HelmetDataset(None, "train", limit=images))
    norms = [(name, m) for name, m in model.backbone.named_modules() if isinstance(m, BATCHNORM)]
    head_norms = [(name, m) for name, m in model.head.named_modules() if isinstance(m, BATCHNORM)]
    if stale_gradients:
        model(torch.rand(2, 3, 96, 96)).square().mean().backward()
    if eval_first:
        model.eval()
    named = list(nn.Module.named_parameters(model))
    own = {id(p): name for name, p in named}
    previous = _snapshot(model)
    forwards, steps, pending = [], [], {}

    def before_forward(module, args):
        if record_gradients and torch.is_grad_enabled():
            pending["state"] = _snapshot(model)
            pending["eval"] = [n for n, m in nn.Module.named_modules(model) if not m.training]

    def on_forward(module, args, output):
        if not torch.is_grad_enabled() or not args or not isinstance(args[0], torch.Tensor):
            return
        batch = int(args[0].shape[0])
        record = {
            "epoch": dataset.epoch(), "batch": batch,
            "indices": dataset.indices[-batch:] if len(dataset.indices) >= batch else [],
            "output": output.detach().clone() if isinstance(output, torch.Tensor) else None,
            "backbone_bn_training": [bool(m.training) for _, m in norms],
            "head_bn_training": [bool(m.training) for _, m in head_norms],
            "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        }
        if record_gradients and "state" in pending:
            record["state"] = pending.pop("state")
            record["eval"] = pending.pop("eval")
            record["requires_grad"] = [n for n, p in named if p.requires_grad]
        forwards.append(record)

    def before_step(optimizer, args, kwargs_):
        if record_gradients:
            pending["grads"] = {name: (p.grad.detach().clone() if p.grad is not None else None)
                                for name, p in named}

    def on_step(optimizer, args, kwargs_):
        held = [id(p) for g in optimizer.param_groups for p in g["params"]]
        grads = pending.pop("grads", None)
        if not any(key in own for key in held):
            return
        step = {
            "epoch": dataset.epoch(), "after_forward": len(forwards) - 1,
            "groups": [{"lr": float(g["lr"]), "weight_decay": float(g.get("weight_decay", 0.0)),
                        "momentum": float(g.get("momentum", 0.0) or 0.0),
                        "size": len(g["params"]),
                        "names": [own.get(id(p), "?") for p in g["params"]]}
                       for g in optimizer.param_groups],
            "changed": _changed(model, previous),
        }
        if grads is not None:
            step["grads"] = grads
        steps.append(step)
        previous.update(_snapshot(model))

    handles = [model.register_forward_pre_hook(before_forward),
               model.register_forward_hook(on_forward),
               register_optimizer_step_pre_hook(before_step),
               register_optimizer_step_post_hook(on_step)]
    history, error = None, None
    try:
        torch.manual_seed(seed)
        history = fit(model, dataset, **kwargs)
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
        error = evidence(exc)
    finally:
        for handle in handles:
            handle.remove()
    return {"history": history, "error": error, "forwards": forwards, "steps": steps,
            "order": list(dataset.indices), "parameters": list(own.values()),
            "backbone_batchnorms": [name for name, _ in norms],
            "head_batchnorms": [name for name, _ in head_norms]}


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
    params, seen, stack, visited = [], set(), [module], set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        slots = object.__getattribute__(current, "__dict__")
        for p in dict(slots.get("_parameters") or {}).values():
            if isinstance(p, torch.Tensor) and id(p) not in seen:
                seen.add(id(p))
                params.append(p)
        stack.extend(m for m in dict(slots.get("_modules") or {}).values()
                     if isinstance(m, nn.Module))
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


INSTRUMENTS = {"fit_trace": fit_trace, "sgd_step": sgd_step}
INSTRUMENTS["registered_sgd_step"] = registered_sgd_step
INSTRUMENTS["gradient_step"] = gradient_step
