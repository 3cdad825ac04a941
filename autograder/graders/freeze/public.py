"""Public checks of `freeze`: the learner runs these from the notebook while working."""
from __future__ import annotations

import pytest

from autograder.judge_side.checks import check, expect
from autograder.i18n import _
from autograder.graders.freeze.common import (
    TINY_YOLO_FROZEN, TINY_YOLO, UNTRACKED, backbone, batchnorm_names, describe_names,
    early_switch, expect_probe, expect_ran, expect_verified, fresh_model, leave_stale_gradients,
    observe_fit, optimizer_groups, probe, under, untracked_fix,
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
           observed=_("{count} backbone parameters still require grad ({names})").format(
               count=len(still), names=describe_names(still)),
           expected=_("requires_grad == False for every parameter of the module"),
           fix=_("switch requires_grad off on each parameter the module holds (the in-place "
                 "method requires_grad_ does it); setting module.requires_grad = False only adds "
                 "an attribute and freezes nothing"))
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "head")),
           observed=_("freezing the backbone also froze the head"),
           expected=_("only the module passed in is frozen"),
           fix=_("touch the parameters of the module you are given only, not the whole model"))
    # What counts is what trains: one step of the model, replayed by the judge.
    step = probe(model)
    expect_probe(step)
    trained = step.moved("backbone")
    expect(not trained,
           observed=_("in one training step after freezing the backbone, {count} backbone "
                      "parameters trained ({names})").format(count=len(trained),
                                                             names=describe_names(trained)),
           expected=_("no backbone parameter changed by a training step"),
           fix=_("switch requires_grad off on each parameter the module holds, with the "
                 "in-place method requires_grad_"))
    expect(not step.still("head"),
           observed=_("in one training step after freezing the backbone, head parameters did "
                      "not train ({names})").format(names=describe_names(step.still("head"))),
           expected=_("only the module passed in is frozen"),
           fix=_("touch the parameters of the module you are given only, not the whole model"))


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="visible")
def test_freeze_puts_batchnorm_in_eval(submission):
    """After freeze(model.backbone), every BatchNorm layer of the backbone is in eval mode."""
    model = fresh_model(submission)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    norms = batchnorm_names(info, "backbone")
    training = [n for n in norms if info.submodule(n).training]
    # What a BatchNorm layer in train mode does depends on track_running_stats (the learner
    # process's word for it only chooses the words of a failure).
    tracking = not training or model.get(training[0]).describe(
        values=False).attributes.get("track_running_stats") is not False
    expect(not training,
           observed=(_("{training} of {total} BatchNorm layers are still in train mode, so every "
                       "forward pass keeps updating their running mean and variance")
                     if tracking else
                     _("{training} of {total} BatchNorm layers are still in train mode, with "
                       "track_running_stats=False: in train mode they normalise each batch with "
                       "that batch's own mean and variance instead of their stored running "
                       "statistics, so the frozen features still change from batch to "
                       "batch")).format(training=len(training), total=len(norms)),
           expected=_("every BatchNorm layer inside the module in eval mode"),
           fix=(_("visit every layer inside the module and put each BatchNorm layer (any "
                  "nn.modules.batchnorm._BatchNorm) in eval mode") if tracking
                else untracked_fix()), cause=None if tracking else UNTRACKED)
    step = probe(model)
    expect_probe(step)
    moved = step.statistics_moved("backbone")
    expect(not moved,
           observed=_("in one training step after freezing the backbone, the running "
                      "statistics of {count} backbone BatchNorm buffers changed "
                      "({names})").format(count=len(moved), names=describe_names(moved)),
           expected=_("every BatchNorm layer inside the module in eval mode"),
           fix=_("visit every layer inside the module and put each BatchNorm layer (any "
                 "nn.modules.batchnorm._BatchNorm) in eval mode"))


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="visible")
def test_unfreeze_restores_training(submission):
    """With the backbone frozen and in eval mode, unfreeze(model.backbone): every parameter requires grad, every layer trains."""
    model = submission.build({**TINY_YOLO, "frozen": ["backbone"], "eval": ["backbone"]}, seed=0)
    submission.function("unfreeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    frozen = [n for n, p in info.parameters.items() if under(n, "backbone") and not p.requires_grad]
    expect(not frozen,
           observed=_("{count} backbone parameters still do not require grad").format(
               count=len(frozen)),
           expected=_("requires_grad == True for every parameter"),
           fix=_("switch requires_grad back on for every parameter the module holds"))
    resting = [n for n, m in info.modules if under(n, "backbone") and not m.training]
    expect(not resting,
           observed=_("layers still in eval mode: {names}").format(names=describe_names(resting)),
           expected=_("the module and all its layers in train mode"),
           fix=_("the module's train() method puts it and every layer inside back in train "
                 "mode: end unfreeze with it"))
    _expect_backbone_trains(probe(model))


def _expect_backbone_trains(step, parameters: bool = True) -> None:
    """One training step, replayed by the judge, trains every backbone parameter (unless
    `parameters` is False) and moves every backbone BatchNorm statistic."""
    expect_probe(step)
    still = step.still("backbone") if parameters else []
    expect(not still,
           observed=_("in one training step after unfreezing the backbone, {count} backbone "
                      "parameters did not train ({names})").format(count=len(still),
                                                                   names=describe_names(still)),
           expected=_("requires_grad == True for every parameter"),
           fix=_("switch requires_grad back on for every parameter the module holds"))
    resting = step.statistics_still("backbone")
    untracked = resting and all(n.rpartition(".")[0] in step.step.untracked for n in resting)
    expect(not untracked,
           observed=_("in one training step after unfreezing the backbone, {count} backbone "
                      "BatchNorm layers in train mode updated no statistics: their "
                      "track_running_stats is False, and train() does not switch it back "
                      "on").format(count=len({n.rpartition(".")[0] for n in resting})),
           expected=_("the module and all its layers in train mode"), fix=untracked_fix(),
           cause=UNTRACKED)
    expect(not resting,
           observed=_("in one training step after unfreezing the backbone, {count} backbone "
                      "BatchNorm statistics did not move ({names})").format(
               count=len(resting), names=describe_names(resting)),
           expected=_("the module and all its layers in train mode"),
           fix=_("the module's train() method puts it and every layer inside back in train "
                 "mode: end unfreeze with it"))


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_is_sgd_with_two_groups(submission):
    """build_optimizer(model, lr=0.01) returns a torch.optim.SGD with two parameter groups."""
    model = fresh_model(submission)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01),
                              model.describe(values=False), model, TINY_YOLO)
    expect(groups.type_ok,
           observed=_("build_optimizer returned an object of type {type}").format(
               type=groups.type),
           expected=_("a torch.optim.SGD"),
           fix=_("build a torch.optim.SGD, passing it the two groups, lr and momentum"))
    expect(len(groups.names) == 2,
           observed=_("the optimizer has {count} parameter group(s)").format(
               count=len(groups.names)),
           expected=_("2 groups: 0 = weights with more than one dimension, 1 = all the others"),
           fix=_("give SGD a list of two dicts, each with its 'params' and its 'weight_decay'"))


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_holds_every_parameter_once(submission):
    """The optimizer holds every parameter of the model exactly once, a weight shared by two layers included."""
    for spec in (TINY_YOLO, TIED):
        model = submission.build(spec, seed=0)
        info = model.describe(values=False)
        groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info,
                                  model, spec)
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
           observed=_("{count} parameters are missing ({names})").format(
               count=len(missing), names=describe_names(missing)),
           expected=_("all of model.parameters()"),
           fix=_("put every parameter of model.parameters() into one of the two groups"))
    expect(not twice,
           observed=_("parameters held twice: {names}").format(names=describe_names(twice)),
           expected=_("each parameter once (PyTorch refuses duplicates in recent versions)"),
           fix=_("iterate model.parameters() once (it yields a shared parameter once, where a "
                 "walk over model.modules() meets it under each layer that holds it) and put "
                 "each parameter in exactly one group"))


@check(exercise="fit", points=1, tags=["history"], visibility="visible")
def test_fit_returns_one_record_per_epoch(submission, fit_trace):
    """fit returns one dict per epoch: epoch, phase ('freeze' then 'unfreeze'), loss, trainable_params."""
    history, plan = fit_trace.history, fit_trace.plan
    total = plan.freeze_epochs + plan.unfreeze_epochs
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    expect(isinstance(history, list) and len(history) == total,
           observed=(_("fit returned {type} of length {length}") if isinstance(history, list)
                     else _("fit returned {type}")).format(
               type=type(history).__name__,
               length=len(history) if isinstance(history, list) else None),
           expected=_("a list of {total} dicts ({freeze_epochs} frozen + {unfreeze_epochs} "
                      "unfrozen epochs)").format(total=total, freeze_epochs=plan.freeze_epochs,
                                                 unfreeze_epochs=plan.unfreeze_epochs),
           fix=_("append one dict per epoch to a list and return it"))
    for index, record in enumerate(history):
        expect(isinstance(record, dict) and set(record) >= {"epoch", "phase", "loss", "trainable_params"},
               observed=_("record {index} is {record}").format(index=index,
                                                                record=repr(record))[:200],
               expected=_("a dict with keys epoch, phase, loss, trainable_params"),
               fix=_("append one dict per epoch with those four keys"))
    phases = [r["phase"] for r in history]
    wanted = ["freeze"] * plan.freeze_epochs + ["unfreeze"] * plan.unfreeze_epochs
    expect([r["epoch"] for r in history] == list(range(total)) and phases == wanted,
           observed=_("epochs {epochs}, phases {phases}").format(
               epochs=[r["epoch"] for r in history], phases=phases),
           expected=_("epochs {epochs}, phases {phases}").format(epochs=list(range(total)),
                                                                 phases=wanted),
           fix=_("count epochs from 0 across both phases; phase is 'freeze' for the first "
                 "freeze_epochs epochs, then 'unfreeze'"))


@check(exercise="fit", points=2, tags=["freezing"], visibility="visible")
def test_fit_keeps_the_backbone_frozen_first(submission, fit_trace):
    """During the frozen epochs, no optimizer step changes any backbone weight."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.frozen_steps, _("the frozen epochs"))
    switch = early_switch(fit_trace)
    expect(switch is None,
           observed=_("the backbone was already trainable in epoch {epoch}, one of the "
                      "{freeze_epochs} frozen epochs: it was unfrozen too early").format(
               epoch=switch, freeze_epochs=fit_trace.plan.freeze_epochs),
           expected=_("the backbone frozen for epochs 0 to {last}, unfrozen from the "
                      "next").format(last=fit_trace.plan.freeze_epochs - 1),
           fix=_("unfreeze when the epoch number reaches freeze_epochs, not one epoch before "
                 "(epochs count from 0)"), cause="fit:early-switch")
    for index, step in enumerate(fit_trace.frozen_steps):
        moved = backbone(n for n in fit_trace.parameters if n in step.changed)
        expect(not moved,
               observed=_("after step {step} of the frozen phase, backbone weights changed: "
                          "{names}").format(step=index + 1, names=describe_names(moved)),
               expected=_("the backbone's weights bitwise unchanged until it is unfrozen"),
               fix=_("freeze the backbone before the first frozen epoch, so that its parameters "
                     "get no gradient (and keep no stale one either)"))


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
           observed=_("{count} frozen parameters keep a gradient from an earlier backward "
                      "({names}); SGD updates every parameter whose .grad is not None, "
                      "requires_grad or not, so momentum and weight decay keep moving "
                      "them").format(count=len(stale), names=describe_names(stale)),
           expected=_("p.grad is None for every frozen parameter"),
           fix=_("in freeze, also set each parameter's .grad to None"))
    step = probe(model, stale=True)
    expect_probe(step)
    drifted = step.moved("backbone")
    expect(not drifted,
           observed=_("in one SGD step after freeze, {count} frozen parameters moved with the "
                      "gradient left from an earlier backward ({names})").format(
               count=len(drifted), names=describe_names(drifted)),
           expected=_("p.grad is None for every frozen parameter"),
           fix=_("in freeze, also set each parameter's .grad to None"))


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
           observed=_("still in eval mode: {names}").format(names=describe_names(resting)),
           expected=_("every layer of the backbone in train mode"),
           fix=_("the module's train() method sets train mode on it and on every layer inside; "
                 "call it in unfreeze"))
    _expect_backbone_trains(probe(model), parameters=False)


@check(exercise="build_optimizer", points=2, tags=["optimizer", "freezing"], visibility="visible")
def test_optimizer_includes_frozen_parameters(submission):
    """With the backbone frozen, the optimizer still holds every backbone parameter."""
    model = submission.build(TINY_YOLO_FROZEN, seed=0)
    info = model.describe(values=False)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info, model,
                              TINY_YOLO_FROZEN)
    held = {n for group in groups.names for n in group}
    missing = [n for n in info.parameters if under(n, "backbone") and n not in held]
    expect(not missing,
           observed=_("built while the backbone was frozen, the optimizer lacks {count} "
                      "backbone parameters ({names}); after unfreezing, nothing would ever "
                      "update them").format(count=len(missing), names=describe_names(missing)),
           expected=_("every parameter of the model, frozen or not"),
           fix=_("do not filter on requires_grad: frozen parameters get no gradient, so SGD "
                 "skips them until they are unfrozen"))
    expect(len(groups.names) == 2,
           observed=_("built while the backbone was frozen, the optimizer has {count} "
                      "groups").format(count=len(groups.names)),
           expected=_("the same two groups as for an unfrozen model: frozen parameters go where "
                      "their dimension puts them"),
           fix=_("split on the number of dimensions only, whether a parameter is frozen or not"))


@check(exercise="build_optimizer", points=1, tags=["weight-decay", "batchnorm"], visibility="visible")
def test_norms_and_biases_are_not_decayed(submission):
    """BatchNorm weights and biases and every bias sit in a group with weight_decay 0."""
    model = fresh_model(submission)
    info = model.describe(values=False)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01,
                                              weight_decay=1e-3), info, model, TINY_YOLO)
    decay_of = {n: g.get("weight_decay", 0.0) for g, names in zip(groups.options, groups.names)
                for n in names}
    norms = set(batchnorm_names(info))
    norm_params = [n for n in info.parameters if n.rpartition(".")[0] in norms]
    biases = [n for n in info.parameters if n.endswith("bias")]
    decayed = sorted({n for n in norm_params + biases if decay_of.get(n, 0.0) != 0.0})
    expect(not decayed,
           observed=_("{count} normalisation or bias parameters get weight decay ({names}), "
                      "which pulls BatchNorm scales toward 0").format(
               count=len(decayed), names=describe_names(decayed)),
           expected=_("weight_decay 0 for biases and BatchNorm weights and biases"),
           fix=_("put every parameter with at most one dimension in a group whose weight decay "
                 "is 0"))
    kernels = [n for n, p in info.parameters.items() if p.ndim > 1 and decay_of.get(n) != 1e-3]
    expect(not kernels,
           observed=_("weights with more than one dimension without the requested weight decay "
                      "1e-3: {names}").format(names=describe_names(kernels)),
           expected=_("group 0's weight_decay equal to the weight_decay argument"),
           fix=_("set group 0's weight decay from the weight_decay argument, not a constant"))


@check(exercise="fit", points=2, tags=["batchnorm", "freezing"], visibility="visible")
def test_fit_frozen_batchnorm_statistics_unchanged(submission, fit_trace):
    """During the frozen epochs, the backbone's BatchNorm running statistics never change."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.frozen_steps, _("the frozen epochs"))
    for index, step in enumerate(fit_trace.frozen_steps):
        moved = backbone(n for n in fit_trace.buffers if n in step.changed)
        expect(not moved,
               observed=_("by step {step} of the frozen phase, BatchNorm statistics of the "
                          "backbone changed ({names})").format(
                   step=index + 1, names=describe_names(moved)),
               expected=_("running_mean, running_var and num_batches_tracked unchanged while "
                          "frozen"),
               fix=_("putting the whole model in train mode at the start of an epoch switches "
                     "every BatchNorm layer back to train mode too; freeze the backbone again "
                     "after it in each frozen epoch"))


@check(exercise="fit", points=1, tags=["grad-flow"], visibility="visible")
def test_fit_head_learns_while_frozen(submission, fit_trace):
    """The head's weights change during the frozen epochs."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.frozen_steps, _("the frozen epochs"))
    moved = {n for step in fit_trace.frozen_steps for n in step.changed}
    expect(any(under(n, "head") and n in moved for n in fit_trace.parameters),
           observed=_("after the frozen epochs, the head's weights are unchanged"),
           expected=_("the head trained while the backbone is frozen"),
           fix=_("build the optimizer over all of the model's parameters and step it every "
                 "batch"))


@check(exercise="fit", points=2, tags=["optimizer", "schedule"], visibility="visible")
def test_fit_backbone_learns_after_unfreezing(submission, fit_trace):
    """Once unfrozen, the backbone's weights change at every step."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.unfrozen_steps, _("the unfrozen epochs"))
    weights = backbone(fit_trace.parameters)
    moved = {n for step in fit_trace.unfrozen_steps for n in step.changed}
    still = [n for n in weights if n not in moved]
    expect(not still,
           observed=_("after unfreezing, only {changed} of {total} backbone parameters "
                      "changed").format(changed=len(weights) - len(still), total=len(weights)),
           expected=_("every backbone parameter updated in the unfrozen epochs"),
           fix=_("the optimizer must hold the backbone's parameters (build it over every "
                 "parameter, frozen ones too, or rebuild it when unfreezing), and unfreeze must "
                 "turn requires_grad back on"))


@check(exercise="fit", points=1, tags=["weight-decay", "optimizer"], visibility="visible")
def test_fit_uses_the_two_group_optimizer(submission, fit_trace):
    """The optimizer that fit steps has the two groups of build_optimizer: decayed, then not."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    count = len(fit_trace.parameters)
    phases = ((_("the frozen phase"), fit_trace.frozen_steps),
              (_("the unfrozen phase"), fit_trace.unfrozen_steps))
    for phase, steps in phases:
        for step in steps:
            swapped = (len(step.weight_decays) == 2 and step.weight_decays[0] == 0
                       and step.weight_decays[1] > 0)
            expect(not swapped,
                   observed=_("in {phase}, fit's optimizer has weight decays {decays}: "
                              "build_optimizer's groups are in the wrong order (group 0 holds "
                              "the parameters without weight decay)").format(
                       phase=phase, decays=list(step.weight_decays)),
                   expected=_("group 0: the decayed weights (p.ndim > 1); group 1: all the "
                              "others"),
                   fix=_("list the group of multi-dimensional weights first, with weight_decay, "
                         "then the others with weight decay 0"), cause="optimizer:order")
            expect(len(step.weight_decays) == 2 and step.weight_decays[0] > 0
                   and step.weight_decays[1] == 0,
                   observed=_("in {phase}, fit's optimizer has weight decays {decays} over "
                              "groups of {sizes} parameters").format(
                       phase=phase, decays=list(step.weight_decays),
                       sizes=list(step.group_sizes)),
                   expected=_("two groups in both phases: weight decay on group 0, none on "
                              "group 1"),
                   fix=_("create the optimizer with build_optimizer (and, if you rebuild it when "
                         "unfreezing, with build_optimizer again)"))
            expect(sum(step.group_sizes) == count,
                   observed=_("in {phase}, fit's optimizer holds {count} parameter "
                              "tensors").format(phase=phase, count=sum(step.group_sizes)),
                   expected=_("all {count} of the model's").format(count=count),
                   fix=_("build the optimizer over all of the model's parameters, frozen ones "
                         "included"))
    # One optimizer, its momentum carried from epoch to epoch; the notebook allows building a
    # new one at the switch (section 4), and only there.
    switch = fit_trace.unfrozen_steps[0].number
    renewed = [s for s in fit_trace.steps[1:]
               if s.optimizer != fit_trace.steps[s.number - 2].optimizer and s.number != switch]
    expect(not renewed,
           observed=_("fit stepped a new optimizer at step {step} (epoch {epoch}), so the "
                      "momentum gathered until then was lost").format(
               step=renewed[0].number if renewed else 0,
               epoch=renewed[0].epoch if renewed else 0),
           expected=_("one optimizer from build_optimizer for the whole run (or a new one only "
                      "when the backbone is unfrozen)"),
           fix=_("build the optimizer once, before the epoch loop, and change its groups' lr at "
                 "the switch"))
