"""What both grader files of `freeze` share: models built on the learner's side, and `fit` traced.

The models are the grader's own (`modelspec`): built in the learner process for the learner's
functions to act on, described back as plain data. `fit` is run by the learner-side instrument
`fit_trace`, which reports raw values at every optimizer step; this module replays every step
with the judge's own copy of the kit's `yolo.py`, data and loss, and its own SGD, so that what a
fit check credits is a value the judge computed (see "observing fit" below).
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

import torch

from autograder.judge_side import references
from autograder.judge_side.checks import CheckFailed, expect
from autograder.judge_side.client import (Evidence, LearnerError, LearnerGone, ModuleInfo, Remote,
                              reference_model)
from autograder.i18n import _
from autograder.wire.protocol import ProtocolError

BATCHNORM = "torch.nn.modules.batchnorm._BatchNorm"
SGD = "torch.optim.sgd.SGD"
TINY_YOLO = {"class": "yolo.TinyYOLO", "kwargs": {"num_classes": 2}}
TINY_YOLO_FROZEN = {**TINY_YOLO, "frozen": ["backbone"]}   # its backbone frozen by hand


def yolo():
    """The kit's helper module (the judge's own copy, never the learner's)."""
    return importlib.import_module("yolo")


def fresh_model(submission, seed: int = 0) -> Remote:
    """A TinyYOLO built in the learner process, in train mode."""
    return submission.build(TINY_YOLO, seed=seed)


def batchnorm_names(info: ModuleInfo, prefix: str = "") -> list[str]:
    return [n for n, m in info.modules if m.inherits(BATCHNORM) and n.startswith(prefix)]


def under(name: str, prefix: str) -> bool:
    return not prefix or name == prefix or name.startswith(prefix + ".")


def describe_names(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    if len(names) > limit:
        return _("{names} and {count} more").format(names=shown, count=len(names) - limit)
    return shown


def leave_stale_gradients(model: Remote) -> None:
    """One backward pass through the whole model, leaving a .grad on every parameter."""
    images = torch.rand(2, 3, 96, 96, generator=torch.Generator().manual_seed(7))
    output = model.call(images, keep=True, action=_("running the model forward")).value
    shape = output.describe(values=False).shape
    output.call(torch.ones(shape), method="backward", action=_("running backward"))


# -- optimizers ------------------------------------------------------------------------------------

@dataclass
class Groups:
    """An optimizer's parameter groups, with parameters named as the model names them."""

    type_ok: bool
    type: str
    options: list[dict]
    names: list[list[str]]        # per group, the model's names of the parameters it holds
    foreign: int                  # parameters held that are not the model's


def optimizer_groups(optimizer, model_info: ModuleInfo, model: Remote | None = None,
                     spec: dict | None = None) -> Groups:
    """The groups of the optimizer build_optimizer returned. With `model` (built from `spec`
    with seed 0), the judge steps that optimizer twice with gradients it chose and replays the
    two steps itself: the groups it credits are those whose options and parameters explain
    every value, on the model the judge knows (names and shapes its own)."""
    if not isinstance(optimizer, Remote) or optimizer.kind != "optimizer":
        kind = optimizer.type if isinstance(optimizer, Remote) else type(optimizer).__name__
        raise CheckFailed(_("build_optimizer returned an object of type {type}").format(type=kind),
                          _("a torch.optim.SGD"),
                          _("return the SGD optimizer you built over the model's parameters"))
    info = optimizer.describe()
    if model is None:
        names_of = {}
        for name, p in model_info.parameter_list:
            names_of.setdefault(p.id, name)
        names = [[names_of.get(i, "?") for i in g.params] for g in info.groups]
        foreign = sum(n == "?" for group in names for n in group)
        return Groups(info.inherits(SGD), info.type, [g.options for g in info.groups], names,
                      foreign)
    groups, kind = _replayed_groups(optimizer, model, spec, model_info)
    names = [g["params"] for g in groups]
    options = [{k: v for k, v in g.items() if k != "params"} for g in groups]
    return Groups(kind == SGD_CLASS, kind.rpartition(".")[2] or kind, options, names,
                  sum(n == "?" for group in names for n in group))


OPTIMIZER_SEED = 11


def _replayed_groups(optimizer: Remote, model: Remote, spec: dict,
                     model_info: ModuleInfo) -> tuple[list[dict], str]:
    own = reference_model(spec, seed=0)
    # The description the checks read names, shapes and layer types: the judge's own model's.
    described = ({n: t.shape for n, t in model_info.parameters.items()},
                 {n: m.type for n, m in model_info.modules})
    if described != ({n: tuple(p.shape) for n, p in own.named_parameters()},
                     {n: type(m).__name__ for n, m in own.named_modules()}):
        raise CheckFailed(_("the description of the model the grader built does not match the "
                            "grader's own copy (parameter names, shapes or layer types)"),
                          _("the model as the grader built it"),
                          _("leave the model's structure alone in build_optimizer"),
                          cause="optimizer:unverified")
    state = {k: v.detach().clone() for k, v in own.state_dict().items()}
    generator = torch.Generator().manual_seed(OPTIMIZER_SEED)
    grads = {n: torch.randn(p.shape, generator=generator) * 0.1
             for n, p in own.named_parameters()}
    raw = model._learner.instrument("optimizer_step", _("stepping the optimizer "
                                                        "build_optimizer returned"),
                                    optimizer=optimizer, model=model, grads=grads, steps=2)
    if type(raw) is not dict:
        raise LearnerGone("a malformed report of an optimizer step")
    if raw.get("error") is not None:
        raise LearnerError(Evidence.parse(raw["error"]), _("stepping your optimizer"))
    kind = str(raw.get("kind"))[:200]
    groups = _groups(raw)
    before = _tensors(raw, "before")
    states = raw.get("states")
    problem = None
    if set(before) != set(state) or not all(_same(before[k], v) for k, v in state.items()):
        problem = _("the model's values changed when build_optimizer was called")
    elif type(states) is not list or len(states) != 2 or not all(
            type(t) is dict and set(t) == set(state) and all(isinstance(v, torch.Tensor)
                                                             for v in t.values())
            for t in states):
        problem = _("the report of the optimizer's steps is incomplete")
    elif kind != SGD_CLASS:
        raise CheckFailed(_("build_optimizer returned an object of type {type}").format(
                              type=kind.rpartition(".")[2] or kind),
                          _("a torch.optim.SGD"),
                          _("build a torch.optim.SGD, passing it the two groups, lr and "
                            "momentum"), cause="optimizer:not-sgd")
    else:
        values = {n: before[n].clone() for n in grads}
        momentum: dict = {}
        for number, after in enumerate(states, start=1):
            if not _apply_sgd(values, groups, grads, momentum, 0):
                problem = _("a param group's options are not numbers")
                break
            wrong = [n for n in values if after[n].shape != values[n].shape
                     or not torch.allclose(after[n], values[n], rtol=1e-5, atol=1e-6)]
            if wrong:
                problem = _("after step {step} with the grader's gradients, {names} is not what "
                            "SGD with the optimizer's param groups gives").format(
                    step=number, names=describe_names(wrong))
                break
    if problem is not None:
        raise CheckFailed(
            _("the grader stepped the optimizer build_optimizer returned, with gradients it "
              "chose, and could not reproduce the steps: {problem}").format(problem=problem),
            _("a torch.optim.SGD whose param groups say what it does"),
            _("return torch.optim.SGD built over the model's parameters, and leave the model's "
              "values alone"), cause="optimizer:unverified")
    return groups, kind


# -- observing fit -----------------------------------------------------------------------------------
#
# The learner process runs fit under `instruments.fit_trace`, which records raw values at every
# optimizer step: the parameters and buffers after it, the gradients and param groups it found,
# the modules in train mode and the parameters that required grad, and the items the data set
# served. Nothing the learner side reports is believed: the judge replays every step itself,
# from the state before it, with its own TinyYOLO, data and loss, and its own SGD:
#
# * the forward pass on the step's batch, in the reported modes, must give the reported
#   BatchNorm statistics (so the modes and the batch are those the step really used);
# * the reported gradients must be the judge's gradients of the kit's loss at that state, as
#   they are, clipped (scaled down, or clamped value by value), scaled up, or added to the
#   previous step's (the last three are mistakes a check names: fit_steps_with_each_batch_
#   gradient compares the judge's own gradients with those the optimizer found, so clipping
#   shows); gradients all None or zero apply nothing and verify nothing;
# * SGD with the reported options and gradients, and the momentum the judge itself carried over
#   from that optimizer's earlier steps, must give the reported parameters.
#
# A step passing all three is *verified*: what it shows (a weight unchanged, a statistic
# unchanged, an lr, a batch) is a value the judge computed. The first state is the model the
# judge built, compared byte for byte with its own copy. Checks credit only verified steps.

GRADIENT_TOLERANCE = 1e-3      # relative, over all gradients (float32 through a small CNN)
TENSOR_TOLERANCE = 1e-2        # relative, per gradient tensor
SGD_CLASS = "torch.optim.sgd.SGD"
ACCEPTED = ("ok", "clipped", "accumulated", "scaled")   # gradients the judge can explain


@dataclass(frozen=True)
class FitPlan:
    """The arguments the grader passes to the learner's fit, and what follows from them.

    Neither batch size divides the number of images, so every epoch ends with a partial batch
    (6, 6, 2 while frozen; 4, 4, 4, 2 after): a loader that drops it (drop_last=True) shows."""

    images: int = 14
    freeze_epochs: int = 2
    unfreeze_epochs: int = 1
    freeze_batch_size: int = 6
    unfreeze_batch_size: int = 4
    lr: float = 0.02
    unfreeze_lr: float = 0.005

    def kwargs(self) -> dict:
        return {"freeze_epochs": self.freeze_epochs, "unfreeze_epochs": self.unfreeze_epochs,
                "freeze_batch_size": self.freeze_batch_size,
                "unfreeze_batch_size": self.unfreeze_batch_size,
                "lr": self.lr, "unfreeze_lr": self.unfreeze_lr}

    @property
    def epochs(self) -> int:
        return self.freeze_epochs + self.unfreeze_epochs

    def batch_size(self, frozen: bool) -> int:
        return self.freeze_batch_size if frozen else self.unfreeze_batch_size

    def steps_per_epoch(self, frozen: bool) -> int:
        return math.ceil(self.images / self.batch_size(frozen))

    def partial_batch(self, frozen: bool) -> int:
        """The size of each epoch's last, partial batch in that phase (0: none)."""
        return self.images % self.batch_size(frozen)

    def dropped_sizes(self) -> list[int]:
        """The items each epoch serves when its partial last batch is dropped (drop_last)."""
        return [self.images - self.partial_batch(e < self.freeze_epochs)
                for e in range(self.epochs)]


@dataclass
class Step:
    number: int                          # 1-based, over all steps
    epoch: int
    indices: list[int]                   # the items served for this step's batch
    optimizer: int
    kind: str
    groups: list[dict]                   # options as values, "params": names
    grads: dict                          # name -> tensor or None, as the step found them
    training: frozenset                  # modules in train mode
    requires_grad: frozenset
    state: dict                          # parameters and buffers after the step
    before: dict = field(default_factory=dict)
    verdict: str = "other"               # the gradients: "ok", "clipped", "accumulated", ...
    detail: str = ""
    problem: str | None = None           # why the step is not verified; None when it is
    loss: float | None = None            # the kit's loss on the batch, computed by the judge
    changed: frozenset = frozenset()     # parameters and buffers whose values changed
    untracked: frozenset = frozenset()   # BatchNorm layers in train mode tracking no statistics

    @property
    def verified(self) -> bool:
        return self.problem is None

    @property
    def lrs(self) -> tuple:
        return tuple(g.get("lr") for g in self.groups)

    @property
    def weight_decays(self) -> tuple:
        return tuple(g.get("weight_decay") or 0.0 for g in self.groups)

    @property
    def group_sizes(self) -> tuple:
        return tuple(len(g["params"]) for g in self.groups)

    @property
    def batch(self) -> int:
        return len(self.indices)


@dataclass
class FitTrace:
    plan: FitPlan
    history: object = None
    steps: list[Step] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    buffers: list[str] = field(default_factory=list)
    problem: str | None = None           # the start itself could not be verified
    epoch_sizes: list[int] = field(default_factory=list)   # items served per epoch
    dropped_last: bool = False           # every epoch served all but its partial last batch

    @property
    def frozen_steps(self) -> list[Step]:
        return [s for s in self.steps if s.epoch < self.plan.freeze_epochs]

    @property
    def unfrozen_steps(self) -> list[Step]:
        return [s for s in self.steps if s.epoch >= self.plan.freeze_epochs]

    def epoch_orders(self) -> list[list[int]]:
        """The item indices each epoch drew, in the order drawn."""
        orders, start = [], 0
        for size in self.epoch_sizes:
            orders.append(self.order[start:start + size])
            start += size
        n = self.plan.images
        return orders + [self.order[i:i + n] for i in range(start, len(self.order), n)]

    def epoch_of(self, served: int) -> int:
        """The epoch of a step taken when `served` items had been served."""
        position, start = max(served - 1, 0), 0
        for epoch, size in enumerate(self.epoch_sizes):
            if position < start + size:
                return epoch
            start += size
        return len(self.epoch_sizes) + (position - start) // self.plan.images


def _epoch_sizes(plan: FitPlan, order: list[int], served: list[int]) -> tuple[list[int], bool]:
    """How many items each epoch served: all of them, or, when every epoch served exactly its
    full batches (distinct items, each step at the end of a full batch), all but the partial
    last batch, as a DataLoader with drop_last=True does."""
    full = [plan.images] * plan.epochs
    dropped = plan.dropped_sizes()
    if sum(dropped) == sum(full) or len(order) != sum(dropped):
        return full, False
    start, bounds = 0, []
    for epoch, size in enumerate(dropped):
        if len(set(order[start:start + size])) != size:
            return full, False
        bounds.append((start, start + size, plan.batch_size(epoch < plan.freeze_epochs)))
        start += size
    for now in served:
        if not any(low < now <= high and (now - low) % batch == 0 for low, high, batch in bounds):
            return full, False
    return dropped, True


def _typed(raw, key, kind):
    value = raw.get(key) if type(raw) is dict else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(f"a fit trace with a malformed {key!r}")
    return value


def _tensors(raw, key) -> dict:
    value = raw.get(key) if type(raw) is dict else None
    if type(value) is not dict or not all(
            type(k) is str and (v is None or isinstance(v, torch.Tensor))
            for k, v in value.items()):
        raise ProtocolError(f"a fit trace with malformed {key!r}")
    return value


def _names(raw, key) -> frozenset:
    value = _typed(raw, key, list)
    return frozenset(n for n in value if type(n) is str)


def _groups(raw) -> list[dict]:
    groups = []
    for g in _typed(raw, "groups", list):
        if type(g) is not dict:
            raise ProtocolError("a fit trace with a malformed param group")
        options = {}
        for key in ("lr", "momentum", "dampening", "weight_decay"):
            value = g.get(key)
            options[key] = float(value) if isinstance(value, (int, float)) \
                and not isinstance(value, bool) and math.isfinite(value) else None
        for key in ("nesterov", "maximize"):
            options[key] = g.get(key) is True
        options["params"] = [n for n in _typed(g, "params", list) if type(n) is str]
        groups.append(options)
    return groups


class _Batches:
    """The judge's own data slice: what each batch of fit should have seen."""

    def __init__(self, images: int):
        self.helper = yolo()
        self.images = images
        # The kit's data, read once per class (references.per_class): items are the kit's own.
        self.dataset = references.per_class(
            ("freeze:dataset", images),
            lambda: self.helper.HelmetDataset(None, "train", limit=images))

    def valid(self, indices: list[int]) -> bool:
        return bool(indices) and all(0 <= i < len(self.dataset) for i in indices)

    def item(self, i: int):
        return references.per_class(("freeze:item", self.images, i), lambda: self.dataset[i])

    def batch(self, indices: list[int]):
        return self.helper.collate([self.item(i) for i in indices])


def _start_state(stale: bool) -> tuple[dict, dict]:
    """The judge's own copy of the model fit is handed, and the gradients it carries (once per
    class; read-only)."""
    return references.per_class(("freeze:start", stale), lambda: _build_start_state(stale))


def _build_start_state(stale: bool) -> tuple[dict, dict]:
    from autograder.learner_side.instruments import STALE_SEED

    model = reference_model(TINY_YOLO, seed=0)
    if stale:
        model.eval()
        generator = torch.Generator().manual_seed(STALE_SEED)
        model(torch.rand(2, 3, 96, 96, generator=generator)).square().mean().backward()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    grads = {n: (p.grad.detach().clone() if p.grad is not None else None)
             for n, p in model.named_parameters()}
    return state, grads


def observe_fit(submission, plan: FitPlan = FitPlan(), *, stale_gradients: bool = False,
                eval_first: bool = True) -> FitTrace:
    """Run the learner's fit on a fresh model and a small slice, then replay every step.

    The model arrives in eval mode, as it would after an evaluation."""
    fit = submission.function("fit")
    model = fresh_model(submission)
    raw = submission.instrument("fit_trace", _("running your fit on a slice of the helmet data"),
                                fit=fit, model=model, images=plan.images, kwargs=plan.kwargs(),
                                seed=1, stale_gradients=stale_gradients, eval_first=eval_first)
    if type(raw) is not dict:
        raise CheckFailed(_("the learner process did not report on fit"), _("a trace"),
                          _("run fit"))
    if raw.get("error") is not None:
        raise LearnerError(Evidence.parse(raw["error"]), _("running your fit"))
    order = [i for i in _typed(raw, "order", list) if type(i) is int]
    entries = _typed(raw, "steps", list)[:4 * len(order) + 4]
    counts = [_typed(entry, "served", int) for entry in entries]
    sizes, dropped = _epoch_sizes(plan, order, counts)
    trace = FitTrace(plan, raw.get("history"), order=order,
                     parameters=[n for n in _typed(raw, "parameters", list) if type(n) is str],
                     epoch_sizes=sizes, dropped_last=dropped)
    served = 0
    for number, (entry, now) in enumerate(zip(entries, counts), start=1):
        indices = order[served:now] if served <= now <= len(order) else []
        served = max(served, now) if now <= len(order) else served
        trace.steps.append(Step(
            number=number, epoch=trace.epoch_of(now), indices=indices,
            optimizer=_typed(entry, "optimizer", int), kind=str(entry.get("kind"))[:200],
            groups=_groups(entry), grads=_tensors(entry, "grads"),
            training=_names(entry, "training"), requires_grad=_names(entry, "requires_grad"),
            state=_tensors(entry, "state")))
    _replay(trace, _tensors(raw, "start"), _tensors(raw, "start_grads"), stale_gradients)
    return trace


def _gradients_match(got: dict, own: dict, missing_ok: bool = False) -> bool:
    """Reported gradients that are the judge's own, up to rounding (relative to their size);
    with `missing_ok`, a gradient may also be None (cleared)."""
    total = _norm(g for g in own.values() if g is not None)
    for name, want in own.items():
        have = got.get(name)
        if have is None:
            if want is not None and not missing_ok:
                return False
            continue
        if want is None or have.shape != want.shape or not _close([have.double()],
                                                                  [want.double()], total):
            return False
    return True


def _close_values(a, b) -> bool:
    """Equal up to float rounding (values two processes computed the same way)."""
    return (isinstance(a, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype
            and (torch.allclose(a, b, rtol=1e-4, atol=1e-5) if b.is_floating_point()
                 else torch.equal(a, b)))


def _same(a, b) -> bool:
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape
            and a.dtype == b.dtype and torch.equal(a, b))


def _replay(trace: FitTrace, start: dict, start_grads: dict, stale: bool) -> None:
    """Verify the reported start, then replay every step from the state before it."""
    own_state, own_grads = _start_state(stale)
    trace.buffers = [n for n in own_state if n not in set(trace.parameters)]
    if set(start) != set(own_state) or not all(_same(start[k], v) for k, v in own_state.items()):
        trace.problem = _("the model fit was handed is not the one the grader built (its "
                          "parameters or buffers differ)")
    elif set(start_grads) != set(own_grads) or not _gradients_match(start_grads, own_grads):
        trace.problem = _("the gradients the model carried when fit began are not those the "
                          "grader left on it")
    if trace.problem is not None:
        for step in trace.steps:
            step.problem = trace.problem
        return
    helper = yolo()
    batches = _Batches(trace.plan.images)
    model = helper.TinyYOLO(num_classes=2)
    names = set(own_state)
    params = [n for n, _p in model.named_parameters()]
    momentum: dict = {}
    before, previous_grads = start, start_grads
    for step in trace.steps:
        step.before = before
        step.problem = _verify_step(step, model, params, names, batches, momentum,
                                    previous_grads)
        if set(step.state) == names:
            step.changed = frozenset(n for n in names if not _same(step.state[n], before[n]))
            before = step.state
        previous_grads = step.grads


def _verify_step(step: Step, model, params: list[str], names: set, batches: _Batches,
                 momentum: dict, previous_grads: dict) -> str | None:
    where = _("step {step} (epoch {epoch})").format(step=step.number, epoch=step.epoch)
    if set(step.state) != names or set(step.grads) != set(params):
        return _("{where}: the report of the model's state is incomplete").format(where=where)
    if not batches.valid(step.indices):
        return _("{where}: the step's batch could not be told from the items the data set "
                 "served").format(where=where)
    # The forward pass and the loss, in the modes and with the batch the step reports.
    untracked = set()
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            # A BatchNorm layer in train mode whose step counter did not move does not track
            # running statistics (track_running_stats=False): it normalises with the batch's
            # statistics and updates nothing, which the judge's own layer then does too.
            counter = f"{name}.num_batches_tracked"
            if (name in step.training and counter in step.state and counter in step.before
                    and _same(step.state[counter], step.before[counter])):
                untracked.add(name)
    step.untracked |= untracked
    # What the judge's own model computes from these inputs (a digest of every one of them):
    # the same for every learner whose fit reached the same state, so computed once per class.
    key = ("freeze:step", references.digest(
        step.before, sorted(step.training & {n for n, _m in model.named_modules()}),
        sorted(set(step.requires_grad) & set(params)), sorted(untracked), list(step.indices),
        batches.images))
    try:
        loss_value, expected, buffers = references.replayed(
            key, lambda: _forward_backward(step, model, batches, untracked))
    except _Unloadable:
        return _("{where}: the model's state cannot be loaded").format(where=where)
    step.loss = loss_value
    for name, buffer in buffers.items():
        got = step.state[name]
        if not _close_values(got, buffer):
            return _("{where}: the BatchNorm statistics after the step ({name}) are not what a "
                     "forward pass on the step's batch, in the modes reported, "
                     "gives").format(where=where, name=name)
    # The gradients the optimizer found.
    step.verdict, step.detail = _compare(expected, step.grads, previous_grads)
    if step.verdict not in ACCEPTED:
        return step.detail
    # The optimizer step.
    if step.kind != SGD_CLASS:
        return _("{where}: fit stepped a {kind}, not the SGD of build_optimizer").format(
            where=where, kind=step.kind)
    values = {n: step.before[n].clone() for n in params}
    if not _apply_sgd(values, step.groups, step.grads, momentum, step.optimizer):
        return _("{where}: a param group's options are not numbers").format(where=where)
    for name in params:
        got = step.state[name]
        if got.shape != values[name].shape or not torch.allclose(got, values[name], rtol=1e-5,
                                                                 atol=1e-6):
            return _("{where}: {name} after the step is not what an SGD step with the reported "
                     "gradients, options and momentum gives").format(where=where, name=name)
    return None


class _Unloadable(Exception):
    """A reported state that the judge's model cannot load."""


def _forward_backward(step: Step, model, batches: _Batches, untracked: set) -> tuple:
    """The judge's model loaded with the state before `step`, in its modes and trainable
    parameters, on its batch: (loss, gradients, buffers after the forward pass)."""
    try:
        model.load_state_dict(step.before, strict=True)
    except (RuntimeError, KeyError):
        raise _Unloadable from None
    for name, module in model.named_modules():
        module.training = name in step.training
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.track_running_stats = name not in untracked
    for name, p in model.named_parameters():
        p.requires_grad_(name in step.requires_grad)
        p.grad = None
    images, targets = batches.batch(step.indices)
    output = model(images)
    loss = yolo().yolo_loss(output, targets)
    if loss.requires_grad:
        loss.backward()
    return (float(loss), {n: p.grad for n, p in model.named_parameters()},
            {n: b.detach().clone() for n, b in model.named_buffers()})


def _apply_sgd(values: dict, groups: list[dict], grads: dict, momentum: dict, key) -> bool:
    """One step of torch.optim.SGD (its single-tensor algorithm, duplicates included) on
    `values`, in place, with `groups`' options and parameters and the momentum buffers kept
    in `momentum` under (key, name). False when an option is not a number."""
    for group in groups:
        if any(group[k] is None for k in ("lr", "momentum", "dampening", "weight_decay")):
            return False
        held = [n for n in group["params"] if n in values and grads.get(n) is not None]
        buffers = [momentum.get((key, n)) for n in held]
        for i, name in enumerate(held):
            p, grad = values[name], grads[name].clone()
            if group["maximize"]:
                grad = -grad
            if group["weight_decay"]:
                grad = grad.add(p, alpha=group["weight_decay"])
            if group["momentum"]:
                buf = buffers[i]
                if buf is None:
                    buf = grad.clone()
                    buffers[i] = buf
                else:
                    buf.mul_(group["momentum"]).add_(grad, alpha=1 - group["dampening"])
                grad = grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
            p.add_(grad, alpha=-group["lr"])
        if group["momentum"]:
            for name, buf in zip(held, buffers):
                momentum[(key, name)] = buf
    return True


def _norm(tensors) -> float:
    return math.sqrt(sum(float((t.double() ** 2).sum()) for t in tensors))


def _dense(grads: dict, names, like: dict) -> list:
    return [(grads.get(n) if grads.get(n) is not None else torch.zeros_like(like[n])).double()
            for n in names]


def _close(got: list, want: list, total: float) -> bool:
    if _norm(a - b for a, b in zip(got, want)) > GRADIENT_TOLERANCE * total:
        return False
    return all(_norm([a - b]) <= TENSOR_TOLERANCE * _norm([b]) + 1e-6 * total
               for a, b in zip(got, want))


def _compare(expected: dict, got: dict, previous: dict) -> tuple[str, str]:
    """What the gradients the optimizer found are, next to the judge's own of the batch's loss."""
    like = {n: (e if e is not None else got.get(n)) for n, e in expected.items()}
    names = [n for n in expected if like[n] is not None and
             (got.get(n) is None or got[n].shape == like[n].shape)]
    if len(names) != len([n for n in expected if like[n] is not None]):
        return "other", _("gradients of the wrong shape")
    e, g = _dense(expected, names, like), _dense(got, names, like)
    size = _norm(e)
    if _norm(g) == 0.0:
        if size == 0.0:
            return "other", _("no parameter required grad, so no step could train anything")
        return "cleared", _("every gradient was None or zero when the optimizer stepped")
    if size == 0.0:
        return "other", _("gradients where the batch's loss gives none")
    if _close(g, e, size):
        return "ok", ""
    scale = sum(float((a * b).sum()) for a, b in zip(g, e)) / (size ** 2)
    if scale > 0 and _close(g, [scale * b for b in e], size):
        if scale <= 1 + GRADIENT_TOLERANCE:
            return "clipped", _("their norm scaled by {scale:.3g}").format(scale=scale)
        return "scaled", _("{scale:.3g} times the gradient of the batch's mean "
                           "loss").format(scale=scale)
    # Clipped value by value (clip_grad_value_): the judge's gradients clamped to the largest
    # magnitude found.
    bound = max(float(t.abs().max()) for t in g)
    clamped = [b.clamp(-bound, bound) for b in e]
    if _norm(a - b for a, b in zip(clamped, e)) > GRADIENT_TOLERANCE * size \
            and _close(g, clamped, size):
        return "clipped", _("every value clamped to at most {bound:.3g} in "
                            "magnitude").format(bound=bound)
    # Gradients never cleared, for every parameter or only for some (an optimizer whose
    # zero_grad reaches only the parameters it holds): each tensor is its batch's gradient,
    # or that plus the gradient it held at the previous step.
    p = _dense(previous, names, like)
    fresh = [_close([a], [b], size) for a, b in zip(g, e)]
    summed = [_close([a - c], [b], size) for a, b, c in zip(g, e, p)]
    if all(f or s for f, s in zip(fresh, summed)) and _norm(p) > 0 \
            and _close([a if f else a - c for a, c, f in zip(g, p, fresh)], e, size):
        return "accumulated", _("the previous steps' gradients added to this batch's")
    difference = _norm(a - b for a, b in zip(g, e)) / size
    return "other", _("relative difference {difference:.3g} from the gradient of its batch's "
                      "loss").format(difference=difference)


def expect_verified(steps: list[Step], what: str) -> None:
    """Fail, naming the first step the judge could not replay, unless every step is verified."""
    bad = next((s for s in steps if not s.verified), None)
    if bad is None:
        return
    if bad.verdict == "cleared":
        raise CheckFailed(
            _("at step {step} (epoch {epoch}) every gradient was None or zero when the optimizer "
              "stepped: no step of fit applied a gradient, so nothing in {what} "
              "trained").format(step=bad.number, epoch=bad.epoch, what=what),
            _("each step applying the gradient of its own batch's loss"),
            _("clear the gradients before backward (or after step), never between backward "
              "and step: the order is zero_grad, backward, step"), cause="fit:zero-grad-order")
    raise CheckFailed(
        _("the grader replayed fit's steps with its own model, data and loss and could not "
          "reproduce what your fit did: {problem}").format(problem=bad.problem),
        _("every optimizer step of fit to be one step of the kit's training: the loss "
          "yolo_loss(model(images), targets) on a batch of the data set, backward, and a step "
          "of the SGD from build_optimizer, with nothing else changing the model"),
        _("train exactly as the exercise describes: for each batch, zero_grad, the kit's loss, "
          "backward, step; change the model only through the optimizer"), cause="fit:unverified")


def backbone(names) -> list[str]:
    return [n for n in names if under(n, "backbone")]


def model_sizes() -> tuple[int, int]:
    """Scalars in TinyYOLO's head and in the whole model (the judge's own copy)."""
    return references.per_class("freeze:sizes", _model_sizes)


def _model_sizes() -> tuple[int, int]:
    model = yolo().TinyYOLO(num_classes=2)
    return (sum(p.numel() for p in model.head.parameters()),
            sum(p.numel() for p in model.parameters()))


def trainable_count(step: Step) -> int:
    """Scalars of the parameters that required grad at a step (verified steps: autograd's own
    flags, since the judge computed that step's gradients with them)."""
    return sum(step.before[n].numel() for n in step.requires_grad if n in step.before)


def early_switch(trace: FitTrace) -> int | None:
    """The epoch of the frozen phase in which a backbone that had been frozen became trainable
    again, if any. (A backbone trainable from the start was never frozen: another mistake.)"""
    head, _total = model_sizes()
    was_frozen = False
    for step in trace.frozen_steps:
        if trainable_count(step) <= head:
            was_frozen = True
        elif was_frozen:
            return step.epoch
    return None


def trainable_while_frozen(trace: FitTrace) -> int | None:
    """The first epoch of the frozen phase in which the backbone was trainable at all."""
    head, _total = model_sizes()
    return next((s.epoch for s in trace.frozen_steps if trainable_count(s) > head), None)


def expect_ran(trace: FitTrace) -> None:
    """Fail clearly when fit took no optimizer step in one of the two phases."""
    plan = trace.plan
    expect(trace.frozen_steps and trace.unfrozen_steps,
           observed=_("fit took {frozen} optimizer steps in the first {freeze_epochs} epochs and "
                      "{unfrozen} after them").format(
               frozen=len(trace.frozen_steps), freeze_epochs=plan.freeze_epochs,
               unfrozen=len(trace.unfrozen_steps)),
           expected=_("optimizer steps in both phases: {freeze_epochs} frozen epochs, then "
                      "{unfreeze_epochs} unfrozen, each a pass over the {images} images").format(
               freeze_epochs=plan.freeze_epochs, unfreeze_epochs=plan.unfreeze_epochs,
               images=plan.images),
           fix=_("for each epoch, loop over a DataLoader of the data set; for each batch compute "
                 "the kit's loss on the model's predictions, clear the gradients, backpropagate "
                 "and step the optimizer"), cause="fit:no-steps")


UNTRACKED = "freeze:track-running-stats"


def untracked_fix() -> str:
    return _("put each BatchNorm layer in eval mode with its eval() method, and leave "
             "track_running_stats alone: a layer in train mode with track_running_stats=False "
             "normalises with each batch's own statistics, and unfreeze's train() does not "
             "switch tracking back on")


def expect_every_batch(trace: FitTrace) -> None:
    """Fail, naming drop_last, when every epoch left out its partial last batch."""
    plan = trace.plan
    expect(not trace.dropped_last,
           observed=_("every epoch trained on full batches only and never on its last, partial "
                      "batch ({frozen} of the {images} images while frozen, {unfrozen} after "
                      "unfreezing): the DataLoader drops it, as drop_last=True does").format(
               frozen=plan.partial_batch(True), unfrozen=plan.partial_batch(False),
               images=plan.images),
           expected=_("every image in every epoch, the smaller last batch included: {frozen} "
                      "steps per frozen epoch and {unfrozen} per unfrozen epoch").format(
               frozen=plan.steps_per_epoch(True), unfrozen=plan.steps_per_epoch(False)),
           fix=_("leave the DataLoader's drop_last at its default, False: the exercise trains "
                 "on every image of every epoch"), cause="fit:drop-last")


# -- one training step, replayed ---------------------------------------------------------------------

PROBE_INDICES = [0, 1]
PROBE_LR = 0.1


@dataclass
class Probe:
    """One training step of a model as the learner's function left it, replayed by the judge:
    what trained (parameters whose values the verified step changed) and which BatchNorm
    statistics moved."""

    step: Step
    problem: str | None
    parameters: list[str]
    buffers: list[str]

    def moved(self, prefix: str = "") -> list[str]:
        return [n for n in self.parameters if under(n, prefix) and n in self.step.changed]

    def still(self, prefix: str = "") -> list[str]:
        return [n for n in self.parameters if under(n, prefix) and n not in self.step.changed]

    def statistics_moved(self, prefix: str = "") -> list[str]:
        return [n for n in self.buffers if under(n, prefix) and n in self.step.changed
                and not n.endswith("num_batches_tracked")]

    def statistics_still(self, prefix: str = "") -> list[str]:
        return [n for n in self.buffers if under(n, prefix) and n not in self.step.changed
                and not n.endswith("num_batches_tracked")]


def _stale_state() -> tuple[dict, dict]:
    """The judge's copy of a model after `leave_stale_gradients`: its state and gradients (once
    per class; read-only)."""
    return references.per_class("freeze:stale", _build_stale_state)


def _build_stale_state() -> tuple[dict, dict]:
    model = reference_model(TINY_YOLO, seed=0)
    images = torch.rand(2, 3, 96, 96, generator=torch.Generator().manual_seed(7))
    output = model(images)
    output.backward(torch.ones_like(output))
    return ({k: v.detach().clone() for k, v in model.state_dict().items()},
            {n: p.grad.detach().clone() for n, p in model.named_parameters()})


def probe(model: Remote, *, stale: bool = False) -> Probe:
    """Ask the learner process for one training step of `model` (a TinyYOLO the judge built
    with seed 0, then handed to the learner's functions), and replay it: the values before it
    must be the judge's own, the gradients those of the kit's loss, the update plain SGD."""
    raw = model._learner.instrument("train_step", _("running one training step of the model"),
                                    model=model, indices=PROBE_INDICES, lr=PROBE_LR)
    if type(raw) is not dict:
        raise LearnerGone("a malformed report of a training step")
    if raw.get("error") is not None:
        raise LearnerError(Evidence.parse(raw["error"]), _("running one training step"))
    own_state, own_grads = _stale_state() if stale else _start_state(False)
    step = Step(number=1, epoch=0, indices=list(PROBE_INDICES), optimizer=0, kind=SGD_CLASS,
                groups=[], grads=_tensors(raw, "grads"), training=_names(raw, "training"),
                requires_grad=_names(raw, "requires_grad"), state=_tensors(raw, "state"),
                before=_tensors(raw, "before"))
    params = list(own_grads)
    buffers = [n for n in own_state if n not in set(params)]
    step.groups = [{"lr": PROBE_LR, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0,
                    "nesterov": False, "maximize": False, "params": params}]
    previous = _tensors(raw, "previous")
    problem = None
    # Parameters are the judge's own values, byte for byte; after the stale pass, BatchNorm
    # statistics were computed by a forward pass in the learner process, equal up to rounding.
    if set(step.before) != set(own_state) or not all(
            _same(step.before[k], v)
            or (stale and k in buffers and _close_values(step.before[k], v))
            for k, v in own_state.items()):
        problem = _("the values of the model changed before it trained (freezing and unfreezing "
                    "change flags and modes, never values)")
    elif set(previous) != set(params) or not _gradients_match(previous, own_grads,
                                                                  missing_ok=True):
        problem = _("the gradients the model held before the step are not those the grader "
                    "left on it")
    if problem is None:
        helper = yolo()
        problem = _verify_step(step, helper.TinyYOLO(num_classes=2), params, set(own_state),
                               _Batches(max(PROBE_INDICES) + 1), {}, previous)
    if problem is None and step.verdict == "cleared":
        problem = step.detail
    if set(step.state) == set(own_state):
        step.changed = frozenset(n for n in own_state if not _same(step.state[n], step.before[n]))
    return Probe(step, problem, params, buffers)


def expect_probe(result: Probe) -> None:
    """Fail unless the judge could replay the training step."""
    expect(result.problem is None,
           observed=_("the grader trained the model for one step after your function and could "
                      "not reproduce the step with its own copy: {problem}").format(
               problem=result.problem),
           expected=_("a model that trains as a TinyYOLO does: the kit's loss, backward and an "
                      "SGD step, with the parameters that require grad and the modes it has"),
           fix=_("change only requires_grad, .grad and train/eval modes; leave the model's "
                 "values, classes and methods alone"), cause="probe:unverified")


# -- one step of a small module, replayed ------------------------------------------------------------
#
# The checks that freeze or unfreeze a bare layer or a small container ask the learner process
# for one plain SGD step over what nn.Module registered (`instruments.registered_sgd_step`) on
# an input and an upstream gradient the judge drew, after loading values the judge drew; then
# read the values back. What they credit is a comparison with the judge's own copy of the
# module, stepped the same way in the modes and with the trainable parameters it asks for.

STEP_LR = 0.1


def drawn_values(reference: torch.nn.Module, generator: torch.Generator) -> dict:
    """Values for every parameter and floating-point buffer of `reference` (running variances
    positive), so that a step shows what it does with values no initialisation gives."""
    values = {}
    for name, tensor in reference.state_dict().items():
        if not tensor.is_floating_point():
            values[name] = tensor.clone()
        elif name.endswith("running_var"):
            values[name] = torch.rand(tensor.shape, generator=generator) + 0.5
        else:
            values[name] = torch.randn(tensor.shape, generator=generator)
    return values


def judge_step(reference: torch.nn.Module, values: dict, x: torch.Tensor,
               upstream: torch.Tensor, *, training: bool, trainable: bool) -> tuple:
    """The judge's own step: `reference` loaded with `values`, in train mode or not, its
    parameters trainable or not; the loss (reference(x) * upstream).sum(), one SGD step.
    Returns (output, values after the step)."""
    reference.load_state_dict(values)
    reference.train(training)
    reference.requires_grad_(trainable)
    reference.zero_grad(set_to_none=True)
    output = reference(x)
    if output.requires_grad:
        (output * upstream).sum().backward()
    with torch.no_grad():
        for p in reference.parameters():
            if p.grad is not None:
                p.add_(p.grad, alpha=-STEP_LR)
    return output.detach(), {k: v.detach().clone() for k, v in reference.state_dict().items()}


def learner_step(submission, module: Remote, x: torch.Tensor, upstream: torch.Tensor,
                 action: str) -> torch.Tensor | None:
    """One SGD step of `module` in the learner process (the values loaded beforehand); returns
    the forward's output as a tensor, or None."""
    answer = submission.instrument("registered_sgd_step", action, module=module, inputs=[x],
                                   upstream=upstream, lr=STEP_LR)
    output = answer.get("output") if type(answer) is dict else None
    return output if isinstance(output, torch.Tensor) else None


def load_drawn(module: Remote, values: dict, what: str) -> None:
    """Load the judge's values into a module the grader built (and the learner's code had)."""
    try:
        module.load_state_dict(values)
    except LearnerError as exc:
        raise CheckFailed(
            _("the grader could not load values into {what} after your function: "
              "{error}").format(what=what, error=exc.evidence.error),
            _("the module the grader built, with its parameters and buffers"),
            _("change only requires_grad, .grad and train/eval modes; leave the module's "
              "parameters and buffers where they are")) from None


def read_state(module: Remote, keys) -> dict:
    """The module's parameters and buffers as the learner process holds them; a key missing
    there, or a value that is not a tensor, reads as None."""
    state = module.state_dict()
    return {k: (state.get(k) if isinstance(state.get(k), torch.Tensor) else None) for k in keys}


def close(a, b) -> bool:
    return a is not None and _close_values(a, b)


def same(a, b) -> bool:
    return _same(a, b)


def expect_returns_module(submission, name: str, model: Remote, spec: dict, guard,
                          seed: int = 0) -> None:
    """`name(model.backbone)` returns model.backbone itself, shown by behaviour: values the
    judge loads through the handle returned are the values it reads back through the model.
    `guard()` runs between the call and that load (a probe showing the function did its work,
    on the values the model was built with)."""
    module = model.get("backbone", keep=True)
    returned = submission.function(name)(module)
    fix = _("end {name} with a return of the module it received").format(name=name)
    expected = _("the module it was given, so that `{name}(model.backbone)` can be "
                 "chained").format(name=name)
    # What the learner process says about the object explains a failure, never passes one.
    expect(isinstance(returned, Remote) and returned.kind == "module" and returned.same(module),
           observed=_("{name}({what}) returned {returned}").format(
               name=name, what="model.backbone", returned=repr(returned)),
           expected=expected, fix=fix)
    guard()
    own = reference_model(spec, seed=seed).backbone
    chosen = drawn_values(own, torch.Generator().manual_seed(29))
    failed = _("values the grader loaded through the module {name} returned did not reach "
               "model.backbone: {name} returned another module").format(name=name)
    try:
        returned.load_state_dict(chosen)
    except LearnerError:
        raise CheckFailed(failed, expected, fix) from None
    after = read_state(model, [f"backbone.{k}" for k in chosen])
    expect(all(same(after[f"backbone.{k}"], v) for k, v in chosen.items()),
           observed=failed, expected=expected, fix=fix)


@references.warms("freeze")
def warm_references() -> None:
    """What every submission's checks compute from the judge's own inputs alone, computed by
    the grading process once before the first judge forks (`references.warm`)."""
    for spec in (TINY_YOLO, TINY_YOLO_FROZEN):
        reference_model(spec, seed=0)
    for stale in (False, True):
        _start_state(stale)
    _stale_state()
    model_sizes()
    batches = _Batches(FitPlan().images)
    for i in range(FitPlan().images):
        batches.item(i)
    probe_batches = _Batches(max(PROBE_INDICES) + 1)
    for i in PROBE_INDICES:
        probe_batches.item(i)
