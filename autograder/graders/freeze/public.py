"""Public checks of `freeze`: the learner runs these from the notebook while working."""
from __future__ import annotations

import pytest

from autograder.checks import check, expect
from autograder.graders.freeze.common import (
    TINY_YOLO, batchnorm_names, describe_names, early_switch, expect_ran, fresh_model,
    observe_fit, optimizer_groups, under,
)


@pytest.fixture(scope="module")
def fit_trace(submission):
    return observe_fit(submission)


@check(exercise="freeze", points=1, tags=["freezing"], visibility="visible")
def test_freeze_turns_off_requires_grad(submission):
    """After freeze(model.backbone), no backbone parameter requires grad; the head still does."""
    model = fresh_model(submission)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    still = [n for n, p in info.parameters.items() if under(n, "backbone") and p.requires_grad]
    expect(not still,
           observed=f"{len(still)} backbone parameters still require grad ({describe_names(still)})",
           expected="requires_grad == False for every parameter of the module",
           fix="switch requires_grad off on each parameter the module holds (the in-place method "
               "requires_grad_ does it); setting module.requires_grad = False only adds an "
               "attribute and freezes nothing")
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "head")),
           observed="freezing the backbone also froze the head",
           expected="only the module passed in is frozen",
           fix="touch the parameters of the module you are given only, not the whole model")


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="visible")
def test_freeze_puts_batchnorm_in_eval(submission):
    """After freeze(model.backbone), every BatchNorm layer of the backbone is in eval mode."""
    model = fresh_model(submission)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    norms = batchnorm_names(info, "backbone")
    training = [n for n in norms if info.submodule(n).training]
    expect(not training,
           observed=f"{len(training)} of {len(norms)} BatchNorm layers are still in train mode, "
                    "so every forward pass keeps updating their running mean and variance",
           expected="every BatchNorm layer inside the module in eval mode",
           fix="visit every layer inside the module and put each BatchNorm layer (any "
               "nn.modules.batchnorm._BatchNorm) in eval mode")


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="visible")
def test_unfreeze_restores_training(submission):
    """With the backbone frozen and in eval mode, unfreeze(model.backbone): every parameter requires grad, every layer trains."""
    model = submission.build({**TINY_YOLO, "frozen": ["backbone"], "eval": ["backbone"]})
    submission.function("unfreeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    frozen = [n for n, p in info.parameters.items() if under(n, "backbone") and not p.requires_grad]
    expect(not frozen,
           observed=f"{len(frozen)} backbone parameters still do not require grad",
           expected="requires_grad == True for every parameter",
           fix="switch requires_grad back on for every parameter the module holds")
    resting = [n for n, m in info.modules if under(n, "backbone") and not m.training]
    expect(not resting,
           observed=f"layers still in eval mode: {describe_names(resting)}",
           expected="the module and all its layers in train mode",
           fix="the module's train() method puts it and every layer inside back in train "
               "mode: end unfreeze with it")


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_is_sgd_with_two_groups(submission):
    """build_optimizer(model, lr=0.01) returns a torch.optim.SGD with two parameter groups."""
    model = fresh_model(submission)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01),
                              model.describe(values=False))
    expect(groups.type_ok,
           observed=f"build_optimizer returned a {groups.type}",
           expected="a torch.optim.SGD",
           fix="build a torch.optim.SGD, passing it the two groups, lr and momentum")
    expect(len(groups.names) == 2,
           observed=f"the optimizer has {len(groups.names)} parameter group(s)",
           expected="2 groups: 0 = weights with more than one dimension, 1 = all the others",
           fix="give SGD a list of two dicts, each with its 'params' and its 'weight_decay'")


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_holds_every_parameter_once(submission):
    """The optimizer holds every parameter of the model exactly once, a weight shared by two layers included."""
    for model in (fresh_model(submission), submission.build(TIED)):
        info = model.describe(values=False)
        groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info)
        _expect_each_parameter_once(info, groups)


# A weight shared by two layers (an embedding and an output head): one parameter.
TIED = {"class": "Module", "children": {"embedding": {"class": "Embedding", "args": [10, 4]},
                                        "body": {"class": "Linear", "args": [4, 4]},
                                        "head": {"class": "Linear", "args": [4, 10]}},
        "share": [["head.weight", "embedding.weight"]]}


def _expect_each_parameter_once(info, groups) -> None:
    held = [n for group in groups.names for n in group]
    missing = [n for n in info.parameters if n not in held]
    twice = sorted({n for n in held if held.count(n) > 1})
    expect(not missing,
           observed=f"{len(missing)} parameters are missing ({describe_names(missing)})",
           expected="all of model.parameters()",
           fix="put every parameter of model.parameters() into one of the two groups")
    expect(not twice,
           observed=f"parameters held twice: {describe_names(twice)}",
           expected="each parameter once (PyTorch refuses duplicates in recent versions)",
           fix="iterate model.parameters() once (it yields a shared parameter once, where a walk "
               "over model.modules() meets it under each layer that holds it) and put each "
               "parameter in exactly one group")


@check(exercise="fit", points=1, tags=["history"], visibility="visible")
def test_fit_returns_one_record_per_epoch(submission, fit_trace):
    """fit returns one dict per epoch: epoch, phase ('freeze' then 'unfreeze'), loss, trainable_params."""
    history, plan = fit_trace.history, fit_trace.plan
    total = plan.freeze_epochs + plan.unfreeze_epochs
    expect(isinstance(history, list) and len(history) == total,
           observed=f"fit returned {type(history).__name__}"
                    + (f" of length {len(history)}" if isinstance(history, list) else ""),
           expected=f"a list of {total} dicts ({plan.freeze_epochs} frozen + "
                    f"{plan.unfreeze_epochs} unfrozen epochs)",
           fix="append one dict per epoch to a list and return it")
    for index, record in enumerate(history):
        expect(isinstance(record, dict) and set(record) >= {"epoch", "phase", "loss", "trainable_params"},
               observed=f"record {index} is {record!r}"[:200],
               expected="a dict with keys epoch, phase, loss, trainable_params",
               fix="append one dict per epoch with those four keys")
    phases = [r["phase"] for r in history]
    wanted = ["freeze"] * plan.freeze_epochs + ["unfreeze"] * plan.unfreeze_epochs
    expect([r["epoch"] for r in history] == list(range(total)) and phases == wanted,
           observed=f"epochs {[r['epoch'] for r in history]}, phases {phases}",
           expected=f"epochs {list(range(total))}, phases {wanted}",
           fix="count epochs from 0 across both phases; phase is 'freeze' for the first "
               "freeze_epochs epochs, then 'unfreeze'")


@check(exercise="fit", points=2, tags=["freezing"], visibility="visible")
def test_fit_keeps_the_backbone_frozen_first(submission, fit_trace):
    """During the frozen epochs, no optimizer step changes any backbone weight."""
    expect_ran(fit_trace)
    switch = early_switch(fit_trace)
    expect(switch is None,
           observed=f"the backbone was already trainable in epoch {switch}, one of the "
                    f"{fit_trace.plan.freeze_epochs} frozen epochs: it was unfrozen too early",
           expected=f"the backbone frozen for epochs 0 to {fit_trace.plan.freeze_epochs - 1}, "
                    "unfrozen from the next",
           fix="unfreeze when the epoch number reaches freeze_epochs, not one epoch before "
               "(epochs count from 0)", cause="fit:early-switch")
    for index, step in enumerate(fit_trace.frozen_steps):
        expect(not step.backbone_params_changed,
               observed=f"after step {index + 1} of the frozen phase, backbone weights changed: "
                        f"{describe_names(step.backbone_params_changed)}",
               expected="the backbone's weights bitwise unchanged until it is unfrozen",
               fix="freeze the backbone before the first frozen epoch, so that its parameters "
                   "get no gradient (and keep no stale one either)")
