"""Public checks of `freeze`: the learner runs these from the notebook while working."""
from __future__ import annotations

import pytest

from autograder.checks import check, expect
from autograder.graders.freeze.common import (
    TINY_YOLO_FROZEN, TINY_YOLO, batchnorm_names, check_gradients, describe_names, early_switch,
    expect_ran, fresh_model, leave_stale_gradients, observe_fit, optimizer_groups, under,
)


@pytest.fixture(scope="module")
def fit_trace(submission):
    return observe_fit(submission, record_gradients=True)


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


@check(exercise="freeze", points=1, tags=["grad-flow", "freezing"], visibility="visible")
def test_freeze_clears_gradients(submission):
    """freeze leaves every parameter's .grad as None after an earlier backward pass, those already frozen included."""
    model = fresh_model(submission)
    leave_stale_gradients(model)
    # One layer was frozen by hand already, its gradient left behind: freeze must clear it too.
    model.get("backbone.0.0.weight", keep=True).method("requires_grad_", False)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    stale = [n for n, p in info.parameters.items() if under(n, "backbone") and p.has_grad]
    expect(not stale,
           observed=f"{len(stale)} frozen parameters keep a gradient from an earlier backward "
                    f"({describe_names(stale)}); SGD updates every parameter whose .grad is not "
                    "None, requires_grad or not, so momentum and weight decay keep moving them",
           expected="p.grad is None for every frozen parameter",
           fix="in freeze, also set each parameter's .grad to None")


@check(exercise="unfreeze", points=1, tags=["batchnorm", "freezing"], visibility="visible")
def test_unfreeze_after_model_eval(submission):
    """After model.eval(), unfreeze(model.backbone) puts every backbone layer back in train mode."""
    model = fresh_model(submission)
    backbone = model.get("backbone", keep=True)
    submission.function("freeze")(backbone)
    model.method("eval")
    submission.function("unfreeze")(backbone)
    info = model.describe(values=False)
    resting = [n for n, m in info.modules if under(n, "backbone") and not m.training]
    expect(not resting,
           observed=f"still in eval mode: {describe_names(resting)}",
           expected="every layer of the backbone in train mode",
           fix="the module's train() method sets train mode on it and on every layer inside; "
               "call it in unfreeze")


@check(exercise="build_optimizer", points=2, tags=["optimizer", "freezing"], visibility="visible")
def test_optimizer_includes_frozen_parameters(submission):
    """With the backbone frozen, the optimizer still holds every backbone parameter."""
    model = submission.build(TINY_YOLO_FROZEN)
    info = model.describe(values=False)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info)
    held = {n for group in groups.names for n in group}
    missing = [n for n in info.parameters if under(n, "backbone") and n not in held]
    expect(not missing,
           observed=f"built while the backbone was frozen, the optimizer lacks "
                    f"{len(missing)} backbone parameters ({describe_names(missing)}); after "
                    "unfreezing, nothing would ever update them",
           expected="every parameter of the model, frozen or not",
           fix="do not filter on requires_grad: frozen parameters get no gradient, so SGD "
               "skips them until they are unfrozen")
    expect(len(groups.names) == 2,
           observed=f"built while the backbone was frozen, the optimizer has {len(groups.names)} "
                    "groups",
           expected="the same two groups as for an unfrozen model: frozen parameters go where "
                    "their dimension puts them",
           fix="split on the number of dimensions only, whether a parameter is frozen or not")


@check(exercise="build_optimizer", points=1, tags=["weight-decay", "batchnorm"], visibility="visible")
def test_norms_and_biases_are_not_decayed(submission):
    """BatchNorm weights and biases and every bias sit in a group with weight_decay 0."""
    model = fresh_model(submission)
    info = model.describe(values=False)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01,
                                              weight_decay=1e-3), info)
    decay_of = {n: g.get("weight_decay", 0.0) for g, names in zip(groups.options, groups.names)
                for n in names}
    norms = set(batchnorm_names(info))
    norm_params = [n for n in info.parameters if n.rpartition(".")[0] in norms]
    biases = [n for n in info.parameters if n.endswith("bias")]
    decayed = sorted({n for n in norm_params + biases if decay_of.get(n, 0.0) != 0.0})
    expect(not decayed,
           observed=f"{len(decayed)} normalisation or bias parameters get weight decay "
                    f"({describe_names(decayed)}), which pulls BatchNorm scales toward 0",
           expected="weight_decay 0 for biases and BatchNorm weights and biases",
           fix="put every parameter with at most one dimension in a group whose weight decay "
               "is 0")
    kernels = [n for n, p in info.parameters.items() if p.ndim > 1 and decay_of.get(n) != 1e-3]
    expect(not kernels,
           observed=f"weights with more than one dimension without the requested weight decay "
                    f"1e-3: {describe_names(kernels)}",
           expected="group 0's weight_decay equal to the weight_decay argument",
           fix="set group 0's weight decay from the weight_decay argument, not a constant")


@check(exercise="fit", points=2, tags=["batchnorm", "freezing"], visibility="visible")
def test_fit_frozen_batchnorm_statistics_unchanged(submission, fit_trace):
    """During the frozen epochs, the backbone's BatchNorm running statistics never change."""
    expect_ran(fit_trace)
    for index, step in enumerate(fit_trace.frozen_steps):
        expect(not step.backbone_buffers_changed,
               observed=f"by step {index + 1} of the frozen phase, BatchNorm statistics of the "
                        f"backbone changed ({describe_names(step.backbone_buffers_changed)})",
               expected="running_mean, running_var and num_batches_tracked unchanged while frozen",
               fix="putting the whole model in train mode at the start of an epoch switches every "
                   "BatchNorm layer back to train mode too; freeze the backbone again after it "
                   "in each frozen epoch")


@check(exercise="fit", points=1, tags=["grad-flow"], visibility="visible")
def test_fit_head_learns_while_frozen(submission, fit_trace):
    """The head's weights change during the frozen epochs."""
    expect_ran(fit_trace)
    last = fit_trace.frozen_steps[-1]
    cleared = [] if last.head_changed else [v for v in check_gradients(fit_trace)
                                            if v.verdict == "cleared"]
    expect(last.head_changed or not cleared,
           observed="after the frozen epochs, the head's weights are unchanged: every gradient "
                    "was None or zero when the optimizer stepped",
           expected="the head trained while the backbone is frozen",
           fix="clear the gradients before backward (or after step), never between backward "
               "and step: the order is zero_grad, backward, step", cause="fit:zero-grad-order")
    expect(last.head_changed,
           observed="after the frozen epochs, the head's weights are unchanged",
           expected="the head trained while the backbone is frozen",
           fix="build the optimizer over all of the model's parameters and step it every batch")


@check(exercise="fit", points=2, tags=["optimizer", "schedule"], visibility="visible")
def test_fit_backbone_learns_after_unfreezing(submission, fit_trace):
    """Once unfrozen, the backbone's weights change at every step."""
    expect_ran(fit_trace)
    backbone = [n for n in fit_trace.parameters if under(n, "backbone")]
    moved = {n for step in fit_trace.unfrozen_steps for n in step.changed}
    still = [n for n in backbone if n not in moved]
    expect(not still,
           observed=f"after unfreezing, only {len(backbone) - len(still)} of {len(backbone)} "
                    "backbone parameters changed",
           expected="every backbone parameter updated in the unfrozen epochs",
           fix="the optimizer must hold the backbone's parameters (build it over every "
               "parameter, frozen ones too, or rebuild it when unfreezing), and unfreeze must "
               "turn requires_grad back on")


@check(exercise="fit", points=1, tags=["weight-decay", "optimizer"], visibility="visible")
def test_fit_uses_the_two_group_optimizer(submission, fit_trace):
    """The optimizer that fit steps has the two groups of build_optimizer: decayed, then not."""
    expect_ran(fit_trace)
    count = len(fit_trace.parameters)
    for phase, steps in (("frozen", fit_trace.frozen_steps), ("unfrozen", fit_trace.unfrozen_steps)):
        for step in steps:
            swapped = (len(step.weight_decays) == 2 and step.weight_decays[0] == 0
                       and step.weight_decays[1] > 0)
            expect(not swapped,
                   observed=f"in the {phase} phase, fit's optimizer has weight decays "
                            f"{list(step.weight_decays)}: build_optimizer's groups are in the "
                            "wrong order (group 0 holds the parameters without weight decay)",
                   expected="group 0: the decayed weights (p.ndim > 1); group 1: all the others",
                   fix="list the group of multi-dimensional weights first, with weight_decay, "
                       "then the others with weight decay 0", cause="optimizer:order")
            expect(len(step.weight_decays) == 2 and step.weight_decays[0] > 0
                   and step.weight_decays[1] == 0,
                   observed=f"in the {phase} phase, fit's optimizer has weight decays "
                            f"{list(step.weight_decays)} over groups of {list(step.group_sizes)} "
                            "parameters",
                   expected="two groups in both phases: weight decay on group 0, none on group 1",
                   fix="create the optimizer with build_optimizer (and, if you rebuild it when "
                       "unfreezing, with build_optimizer again)")
            expect(sum(step.group_sizes) == count,
                   observed=f"in the {phase} phase, fit's optimizer holds "
                            f"{sum(step.group_sizes)} parameter tensors",
                   expected=f"all {count} of the model's",
                   fix="build the optimizer over all of the model's parameters, frozen ones "
                       "included")
