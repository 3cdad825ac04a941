"""What both grader files of `freeze` share: models, a small data slice, and the fit observer.

The observer watches the learner's `fit` from the outside with hooks the grader owns: a forward
pre-hook on the model (batch size, BatchNorm modes, trainable parameters at each training
forward) and a global optimizer step hook (learning rates, weight decays, and the state of the
backbone and head after every step). Nothing the learner's code reports about itself is trusted.
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

from autograder.checks import expect

BATCHNORM = nn.modules.batchnorm._BatchNorm


def yolo():
    """The assignment's helper module, as the learner's notebook imports it."""
    return importlib.import_module("yolo")


def fresh_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = yolo().TinyYOLO(num_classes=2)
    model.train()
    return model


def small_dataset(n: int = 12):
    return yolo().HelmetDataset(None, "train", limit=n)


def batchnorms(module: nn.Module) -> list[nn.Module]:
    return [m for m in module.modules() if isinstance(m, BATCHNORM)]


def numel(params) -> int:
    return sum(p.numel() for p in params)


def state_copy(module: nn.Module) -> dict[str, torch.Tensor]:
    """Grader-owned copies of a module's parameters and buffers."""
    return {name: t.detach().clone() for name, t in module.state_dict(keep_vars=True).items()}


def changed_entries(module: nn.Module, reference: dict[str, torch.Tensor],
                    buffers_only: bool = False, params_only: bool = False) -> list[str]:
    """Names whose tensor differs (bitwise) from `reference`."""
    buffer_names = {name for name, _ in module.named_buffers()}
    changed = []
    for name, tensor in module.state_dict(keep_vars=True).items():
        if buffers_only and name not in buffer_names:
            continue
        if params_only and name in buffer_names:
            continue
        if not torch.equal(tensor.detach(), reference[name]):
            changed.append(name)
    return changed


def leave_stale_gradients(model: nn.Module) -> None:
    """One backward pass through the whole model, leaving a .grad on every parameter."""
    images = torch.rand(2, 3, 96, 96)
    model(images).square().mean().backward()


# -- observing fit ---------------------------------------------------------------------------

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


class CountingDataset(torch.utils.data.Dataset):
    """The grader's data slice, counting the items served: every epoch draws each item once,
    so the count tells which epoch a forward pass or an optimizer step belongs to, whatever
    batch sizes the learner's code uses."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.served = 0
        self.indices: list[int] = []   # in the order served

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        self.served += 1
        self.indices.append(int(index))
        return self.dataset[index]

    def epoch(self) -> int:
        return max(self.served - 1, 0) // len(self.dataset)


@dataclass
class Forward:
    epoch: int
    batch: int
    loss: float | None       # the kit's loss on this batch, recomputed by the grader
    backbone_bn_training: tuple[bool, ...]
    trainable: int


@dataclass
class Step:
    epoch: int
    lrs: tuple[float, ...]
    weight_decays: tuple[float, ...]
    group_sizes: tuple[int, ...]
    backbone_params_changed: list[str]
    backbone_buffers_changed: list[str]
    head_changed: bool
    backbone_params: dict[str, torch.Tensor]


@dataclass
class FitTrace:
    plan: FitPlan
    history: object = None
    forwards: list[Forward] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    initial_backbone: dict[str, torch.Tensor] = field(default_factory=dict)

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


def observe_fit(submission, plan: FitPlan = FitPlan(), *, stale_gradients: bool = False) -> FitTrace:
    """Run the learner's fit on a fresh model and a small slice, watching every forward and step."""
    model = fresh_model()
    dataset = CountingDataset(small_dataset(plan.images))
    if stale_gradients:
        leave_stale_gradients(model)
    trace = FitTrace(plan)
    backbone, head = model.backbone, model.head
    bns = batchnorms(backbone)
    initial_backbone = state_copy(backbone)
    initial_head = state_copy(head)
    trace.initial_backbone = initial_backbone
    own = {id(p) for p in model.parameters()}
    helper = yolo()

    def on_forward(module, args, output):
        if not torch.is_grad_enabled() or not args or not isinstance(args[0], torch.Tensor):
            return
        batch = int(args[0].shape[0])
        trace.forwards.append(Forward(
            epoch=dataset.epoch(),
            batch=batch,
            loss=batch_loss(helper, dataset, batch, output),
            backbone_bn_training=tuple(bn.training for bn in bns),
            trainable=numel(p for p in model.parameters() if p.requires_grad),
        ))

    def on_step(optimizer, args, kwargs):
        if not any(id(p) in own for g in optimizer.param_groups for p in g["params"]):
            return
        trace.steps.append(Step(
            epoch=dataset.epoch(),
            lrs=tuple(float(g["lr"]) for g in optimizer.param_groups),
            weight_decays=tuple(float(g.get("weight_decay", 0.0)) for g in optimizer.param_groups),
            group_sizes=tuple(len(g["params"]) for g in optimizer.param_groups),
            backbone_params_changed=changed_entries(backbone, initial_backbone, params_only=True),
            backbone_buffers_changed=changed_entries(backbone, initial_backbone, buffers_only=True),
            head_changed=bool(changed_entries(head, initial_head, params_only=True)),
            backbone_params={n: p.detach().clone() for n, p in backbone.named_parameters()},
        ))

    forward_handle = model.register_forward_hook(on_forward)
    step_handle = register_optimizer_step_post_hook(on_step)
    try:
        torch.manual_seed(1)
        trace.history = submission.fit(model, dataset, **plan.kwargs())
    finally:
        forward_handle.remove()
        step_handle.remove()
    return trace


def batch_loss(helper, dataset: CountingDataset, batch: int, output) -> float | None:
    """The kit's loss on the batch just served (its last `batch` items), or None if unknown."""
    if not isinstance(output, torch.Tensor) or len(dataset.indices) < batch:
        return None
    items = [dataset.dataset[i] for i in dataset.indices[-batch:]]
    with torch.no_grad():
        _, targets = helper.collate(items)
        return float(helper.yolo_loss(output.detach(), targets))


def expect_ran(trace: FitTrace) -> None:
    """Fail clearly when fit took no optimizer step in one of the two phases."""
    plan = trace.plan
    expect(trace.frozen_steps and trace.unfrozen_steps,
           observed=f"fit took {len(trace.frozen_steps)} optimizer steps in the first "
                    f"{plan.freeze_epochs} epochs and {len(trace.unfrozen_steps)} after them "
                    f"(training forwards seen: {len(trace.forwards)})",
           expected=f"optimizer steps in both phases: {plan.freeze_epochs} frozen epochs, then "
                    f"{plan.unfreeze_epochs} unfrozen, each a pass over the {plan.images} images",
           fix="for each epoch, loop over DataLoader(dataset, batch_size=..., shuffle=True, "
               "collate_fn=collate): loss = yolo_loss(model(images), targets), "
               "optimizer.zero_grad(), loss.backward(), optimizer.step()")


def describe_names(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


