"""What both grader files of `freeze` share: models built on the learner's side, and `fit` traced.

The models are the grader's own (`modelspec`): built in the learner process for the learner's
functions to act on, described back as plain data. `fit` is run by the learner-side instrument
`fit_trace` (hooks on every training forward pass and optimizer step); this module parses what
it reports and recomputes each batch's loss with the judge's own copy of the kit's `yolo.py`
and data, so no loss the learner side reports is taken on trust.
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

import torch

from autograder.checks import CheckFailed, expect
from autograder.client import Evidence, LearnerError, ModuleInfo, Remote
from autograder.i18n import _
from autograder.protocol import ProtocolError

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


def call_returning(submission, name: str, module: Remote, what: str) -> None:
    """`name(module)`, which must return `module` itself."""
    returned = submission.function(name)(module)
    expect(isinstance(returned, Remote) and returned.same(module),
           observed=_("{name}({what}) returned {returned}").format(name=name, what=what,
                                                                   returned=repr(returned)),
           expected=_("the module it was given, so that `{name}(model.backbone)` can be "
                      "chained").format(name=name),
           fix=_("end {name} with a return of the module it received").format(name=name))


# -- optimizers ------------------------------------------------------------------------------------

@dataclass
class Groups:
    """An optimizer's parameter groups, with parameters named as the model names them."""

    type_ok: bool
    type: str
    options: list[dict]
    names: list[list[str]]        # per group, the model's names of the parameters it holds
    foreign: int                  # parameters held that are not the model's


def optimizer_groups(optimizer, model_info: ModuleInfo) -> Groups:
    if not isinstance(optimizer, Remote) or optimizer.kind != "optimizer":
        kind = optimizer.type if isinstance(optimizer, Remote) else type(optimizer).__name__
        raise CheckFailed(_("build_optimizer returned a {type}").format(type=kind),
                          _("a torch.optim.SGD"),
                          _("return the SGD optimizer you built over the model's parameters"))
    info = optimizer.describe()
    names_of = {}
    for name, p in model_info.parameter_list:
        names_of.setdefault(p.id, name)
    names = [[names_of.get(i, "?") for i in g.params] for g in info.groups]
    foreign = sum(n == "?" for group in names for n in group)
    return Groups(info.inherits(SGD), info.type, [g.options for g in info.groups], names, foreign)


# -- observing fit -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FitPlan:
    """The arguments the grader passes to the learner's fit, and what follows from them."""

    images: int = 12
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

    def steps_per_epoch(self, frozen: bool) -> int:
        size = self.freeze_batch_size if frozen else self.unfreeze_batch_size
        return math.ceil(self.images / size)


@dataclass
class Forward:
    epoch: int
    batch: int
    indices: list[int]
    loss: float | None       # the kit's loss on this batch, recomputed by the judge
    backbone_bn_training: tuple[bool, ...]
    head_bn_training: tuple[bool, ...]
    trainable: int
    state: dict | None = None          # with record_gradients: parameters and buffers before it
    eval_layers: tuple[str, ...] = ()  # ... the layers in eval mode
    requires_grad: tuple[str, ...] = ()


@dataclass
class Step:
    epoch: int
    lrs: tuple[float, ...]
    weight_decays: tuple[float, ...]
    group_sizes: tuple[int, ...]
    changed: set[str]                    # parameters and buffers changed since the last step
    backbone_params_changed: list[str]   # since fit began
    backbone_buffers_changed: list[str]  # since fit began
    head_changed: bool                   # since fit began
    after_forward: int = -1              # index of the forward pass just before it
    grads: dict | None = None            # with record_gradients: every parameter's .grad


@dataclass
class FitTrace:
    plan: FitPlan
    history: object = None
    forwards: list[Forward] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)

    @property
    def frozen_steps(self) -> list[Step]:
        return [s for s in self.steps if s.epoch < self.plan.freeze_epochs]

    @property
    def unfrozen_steps(self) -> list[Step]:
        return [s for s in self.steps if s.epoch >= self.plan.freeze_epochs]

    @property
    def frozen_forwards(self) -> list[Forward]:
        return [f for f in self.forwards if f.epoch < self.plan.freeze_epochs]

    @property
    def unfrozen_forwards(self) -> list[Forward]:
        return [f for f in self.forwards if f.epoch >= self.plan.freeze_epochs]

    def epoch_orders(self) -> list[list[int]]:
        """The item indices each epoch drew, in the order drawn."""
        n = self.plan.images
        return [self.order[i:i + n] for i in range(0, len(self.order), n)]


def _typed(raw, key, kind):
    value = raw.get(key) if type(raw) is dict else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(f"a fit trace with a malformed {key!r}")
    return value


def _tensors(raw, key) -> dict | None:
    value = raw.get(key) if type(raw) is dict else None
    if value is None:
        return None
    if type(value) is not dict or not all(v is None or isinstance(v, torch.Tensor)
                                          for v in value.values()):
        raise ProtocolError(f"a fit trace with a malformed {key!r}")
    return value


def _names(raw, key) -> tuple[str, ...]:
    value = raw.get(key, []) if type(raw) is dict else []
    return tuple(n for n in value if type(n) is str) if type(value) is list else ()


class _Batches:
    """The judge's own data slice and loss: what each batch of fit should have seen."""

    def __init__(self, images: int):
        self.helper = yolo()
        self.dataset = self.helper.HelmetDataset(None, "train", limit=images)

    def valid(self, indices: list[int]) -> bool:
        return bool(indices) and all(0 <= i < len(self.dataset) for i in indices)

    def batch(self, indices: list[int]):
        return self.helper.collate([self.dataset[i] for i in indices])

    def loss(self, indices: list[int], output) -> float | None:
        if not isinstance(output, torch.Tensor) or not self.valid(indices):
            return None
        _images, targets = self.batch(indices)
        try:
            with torch.no_grad():
                return float(self.helper.yolo_loss(output.float(), targets))
        except (RuntimeError, ValueError, IndexError):
            return None


def observe_fit(submission, plan: FitPlan = FitPlan(), *, stale_gradients: bool = False,
                eval_first: bool = True, record_gradients: bool = False) -> FitTrace:
    """Run the learner's fit on a fresh model and a small slice, watching every forward and step.

    The model arrives in eval mode, as it would after an evaluation."""
    fit = submission.function("fit")
    model = fresh_model(submission)
    raw = submission.instrument("fit_trace", _("running your fit on a slice of the helmet data"),
                                fit=fit, model=model, images=plan.images, kwargs=plan.kwargs(),
                                seed=1, stale_gradients=stale_gradients, eval_first=eval_first,
                                record_gradients=record_gradients)
    if type(raw) is not dict:
        raise CheckFailed(_("the learner process did not report on fit"), _("a trace"),
                          _("run fit"))
    if raw.get("error") is not None:
        raise LearnerError(Evidence.parse(raw["error"]), _("running your fit"))
    parameters = [n for n in _typed(raw, "parameters", list) if type(n) is str]
    batches = _Batches(plan.images)
    trace = FitTrace(plan, raw.get("history"), order=[i for i in _typed(raw, "order", list)
                                                       if type(i) is int],
                     parameters=parameters)
    for entry in _typed(raw, "forwards", list):
        indices = [i for i in _typed(entry, "indices", list) if type(i) is int]
        trace.forwards.append(Forward(
            epoch=_typed(entry, "epoch", int), batch=_typed(entry, "batch", int), indices=indices,
            loss=batches.loss(indices, entry.get("output")),
            backbone_bn_training=tuple(bool(b) for b in _typed(entry, "backbone_bn_training", list)),
            head_bn_training=tuple(bool(b) for b in _typed(entry, "head_bn_training", list)),
            trainable=_typed(entry, "trainable", int), state=_tensors(entry, "state"),
            eval_layers=_names(entry, "eval"), requires_grad=_names(entry, "requires_grad")))
    since_start: set[str] = set()
    own = set(parameters)
    for entry in _typed(raw, "steps", list):
        groups = _typed(entry, "groups", list)
        changed = {n for n in _typed(entry, "changed", list) if type(n) is str}
        since_start |= changed
        after = entry.get("after_forward", -1)
        trace.steps.append(Step(
            epoch=_typed(entry, "epoch", int),
            lrs=tuple(float(_typed(g, "lr", (int, float))) for g in groups),
            weight_decays=tuple(float(_typed(g, "weight_decay", (int, float))) for g in groups),
            group_sizes=tuple(_typed(g, "size", int) for g in groups),
            changed=changed,
            backbone_params_changed=sorted(n for n in since_start
                                           if under(n, "backbone") and n in own),
            backbone_buffers_changed=sorted(n for n in since_start
                                            if under(n, "backbone") and n not in own),
            head_changed=any(under(n, "head") and n in own for n in since_start),
            after_forward=after if type(after) is int else -1, grads=_tensors(entry, "grads")))
    return trace


def model_sizes() -> tuple[int, int]:
    """Scalars in TinyYOLO's head and in the whole model (the judge's own copy)."""
    model = yolo().TinyYOLO(num_classes=2)
    return (sum(p.numel() for p in model.head.parameters()),
            sum(p.numel() for p in model.parameters()))


def early_switch(trace: FitTrace) -> int | None:
    """The epoch of the frozen phase in which a backbone that had been frozen became trainable
    again, if any. (A backbone trainable from the start was never frozen: another mistake.)"""
    head, _total = model_sizes()
    was_frozen = False
    for forward in trace.frozen_forwards:
        if forward.trainable <= head:
            was_frozen = True
        elif was_frozen:
            return forward.epoch
    return None


def trainable_while_frozen(trace: FitTrace) -> int | None:
    """The first epoch of the frozen phase in which the backbone was trainable at all."""
    head, _total = model_sizes()
    return next((f.epoch for f in trace.frozen_forwards if f.trainable > head), None)


@dataclass
class GradientCheck:
    step: int                  # 1-based, over all steps
    epoch: int
    verdict: str               # "ok", "cleared", "accumulated", "scaled", "other"
    detail: str = ""


def check_gradients(trace: FitTrace) -> list[GradientCheck]:
    """For each step, is the gradient it applied the gradient of its own batch's loss?

    The judge loads the state the model had before that batch's forward pass into its own
    TinyYOLO, puts the same layers in eval mode, runs the batch and the kit's loss, and compares
    the gradients with those the learner's optimizer found when it stepped. A gradient scaled
    down (clipping) is accepted; one scaled up (a summed loss) is not."""
    helper = yolo()
    batches = _Batches(trace.plan.images)
    verdicts = []
    previous: dict | None = None
    for number, step in enumerate(trace.steps, start=1):
        if step.grads is None or not 0 <= step.after_forward < len(trace.forwards):
            continue
        forward = trace.forwards[step.after_forward]
        if forward.state is None or not batches.valid(forward.indices):
            continue
        model = helper.TinyYOLO(num_classes=2)
        try:
            model.load_state_dict(forward.state, strict=True)
        except RuntimeError:
            continue
        for name, module in model.named_modules():
            module.train(name not in forward.eval_layers)
        wanted = set(forward.requires_grad)
        for name, p in model.named_parameters():
            p.requires_grad_(name in wanted)
        images, targets = batches.batch(forward.indices)
        helper.yolo_loss(model(images), targets).backward()
        expected = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
        got = step.grads
        verdicts.append(GradientCheck(number, step.epoch,
                                      *_compare(expected, got, previous)))
        previous = got
    return verdicts


def _norm(tensors) -> float:
    return math.sqrt(sum(float((t.double() ** 2).sum()) for t in tensors))


def _compare(expected: dict, got: dict, previous: dict | None) -> tuple[str, str]:
    names = [n for n in expected if n in got]
    if not names:
        return "other", _("no parameter of the model had a gradient when the optimizer stepped")
    present = [n for n in names if got[n] is not None]
    if not present or _norm(got[n] for n in present) == 0.0:
        return "cleared", _("every gradient was None or zero when the optimizer stepped")
    e = [expected[n].double() for n in present]
    g = [got[n].double() for n in present]
    size = _norm(e) or 1.0
    difference = _norm(a - b for a, b in zip(g, e)) / size
    if difference < 1e-3 and len(present) == len(names):
        return "ok", ""
    scale = sum(float((a * b).sum()) for a, b in zip(g, e)) / (size ** 2)
    if 0 < scale <= 1 + 1e-3 and _norm(a - scale * b for a, b in zip(g, e)) / size < 1e-3:
        return "ok", _("scaled by {scale:.3g} (clipping)").format(scale=scale)
    if scale > 1 + 1e-3 and _norm(a - scale * b for a, b in zip(g, e)) / size < 1e-3:
        return "scaled", _("{scale:.3g} times the gradient of the batch's mean "
                           "loss").format(scale=scale)
    if previous is not None and all(previous.get(n) is not None for n in present):
        summed = [a - previous[n].double() for a, n in zip(g, present)]
        if _norm(a - b for a, b in zip(summed, e)) / size < 1e-3:
            return "accumulated", _("the previous steps' gradients added to this batch's")
    return "other", _("relative difference {difference:.3g} from the gradient of its batch's "
                      "loss").format(difference=difference)


def expect_ran(trace: FitTrace) -> None:
    """Fail clearly when fit took no optimizer step in one of the two phases."""
    plan = trace.plan
    expect(trace.frozen_steps and trace.unfrozen_steps,
           observed=_("fit took {frozen} optimizer steps in the first {freeze_epochs} epochs and "
                      "{unfrozen} after them (training forwards seen: {forwards})").format(
               frozen=len(trace.frozen_steps), freeze_epochs=plan.freeze_epochs,
               unfrozen=len(trace.unfrozen_steps), forwards=len(trace.forwards)),
           expected=_("optimizer steps in both phases: {freeze_epochs} frozen epochs, then "
                      "{unfreeze_epochs} unfrozen, each a pass over the {images} images").format(
               freeze_epochs=plan.freeze_epochs, unfreeze_epochs=plan.unfreeze_epochs,
               images=plan.images),
           fix=_("for each epoch, loop over a DataLoader of the data set; for each batch compute "
                 "the kit's loss on the model's predictions, clear the gradients, backpropagate "
                 "and step the optimizer"), cause="fit:no-steps")
