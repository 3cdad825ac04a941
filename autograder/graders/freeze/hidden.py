"""Hidden checks of `freeze`: run by the instructor's grading only."""
from __future__ import annotations

import math

import pytest

from autograder.checks import CheckFailed, check, expect
from autograder.graders.freeze.common import (
    TINY_YOLO, TINY_YOLO_FROZEN, FitPlan, backbone, batchnorm_names, call_returning,
    describe_names, expect_ran, expect_verified, fresh_model, observe_fit, optimizer_groups, trainable_count,
    trainable_while_frozen, under,
)
from autograder.i18n import _


@pytest.fixture(scope="module")
def fit_trace(submission):
    return observe_fit(submission)


@pytest.fixture(scope="module")
def stale_trace(submission):
    return observe_fit(submission, FitPlan(freeze_epochs=1, unfreeze_epochs=1),
                       stale_gradients=True)


# -- freeze ----------------------------------------------------------------------------------


@check(exercise="freeze", points=1, tags=["freezing"], visibility="hidden")
def test_freeze_leaves_the_rest_of_the_model_alone(submission):
    """Freezing leaves the rest alone: the head trains on, and layers that are not BatchNorm keep their mode."""
    model = fresh_model(submission)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    expect(not any(p.requires_grad for n, p in info.parameters.items() if under(n, "backbone")),
           observed=_("freeze(model.backbone) left backbone parameters trainable, so there is "
                      "no freeze yet whose effect on the rest of the model could be checked"),
           expected=_("the backbone frozen, and the rest of the model as it was"),
           fix=_("finish freeze first (see freeze_turns_off_requires_grad)"), cause="freeze:none")
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "head")),
           observed=_("some head parameters stopped requiring grad"),
           expected=_("the head untouched"),
           fix=_("change only the parameters of the module given"))
    expect(all(m.training for n, m in info.modules if not under(n, "backbone")),
           observed=_("the head (or the whole model) was put in eval mode"),
           expected=_("only BatchNorm layers inside the frozen module in eval mode"),
           fix=_("put the BatchNorm layers of the module you are given in eval mode, and "
                 "nothing else"))
    inside = submission.build({"class": "Sequential", "children": [
        {"class": "Linear", "args": [4, 4]}, {"class": "BatchNorm1d", "args": [4]},
        {"class": "Dropout", "args": [0.5]}]})
    submission.function("freeze")(inside)
    modes = {n: m.training for n, m in inside.describe(values=False).modules}
    resting = [n or _("the module itself") for n in ("", "0", "2") if not modes.get(n, True)]
    expect(not resting,
           observed=_("freeze put layers that are not BatchNorm in eval mode: {layers} (a "
                      "Dropout in eval mode stops dropping; the module's own mode "
                      "changed)").format(layers=resting),
           expected=_("only the BatchNorm layers in eval mode; every other layer keeps its mode"),
           fix=_("switch BatchNorm layers to eval mode one by one, instead of calling eval() on "
                 "the module (which switches every layer inside it)"))


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
def test_freeze_reaches_every_layer(submission):
    """freeze works on any module: a bare BatchNorm2d, BatchNorm nested two levels deep, BatchNorm1d and 3d."""
    freeze = submission.function("freeze")
    bare = submission.build({"class": "BatchNorm2d", "args": [4]})
    freeze(bare)
    info = bare.describe(values=False)
    grads = [p.requires_grad for p in info.parameters.values()]
    expect(not info.training and not any(grads),
           observed=_("freeze(nn.BatchNorm2d(4)) left training={training}, "
                      "requires_grad={grads}").format(training=info.training, grads=grads),
           expected=_("the layer itself in eval mode with frozen weight and bias"),
           fix=_("walk module.modules(), which yields the module itself and every layer inside "
                 "it, at any depth (children() yields only the direct children)"))
    nested = submission.build({"class": "Sequential", "children": [
        {"class": "Sequential", "children": [
            {"class": "Conv2d", "args": [3, 4, 3]},
            {"class": "Sequential", "children": [{"class": "BatchNorm2d", "args": [4]}]}]},
        {"class": "BatchNorm1d", "args": [4]}, {"class": "BatchNorm3d", "args": [4]}]})
    freeze(nested)
    info = nested.describe(values=False)
    expect(not any(info.submodule(n).training for n in batchnorm_names(info)),
           observed=_("a BatchNorm layer stayed in train mode: {layers}").format(
               layers=", ".join(f"{n} ({info.submodule(n).type})" for n in batchnorm_names(info)
                                if info.submodule(n).training)),
           expected=_("every BatchNorm layer, of any dimension (1-D, 2-D, 3-D) and at any depth, "
                      "in eval mode"),
           fix=_("walk module.modules(), which recurses into every submodule, and recognise "
                 "every BatchNorm by its common base class, nn.modules.batchnorm._BatchNorm"))


@check(exercise="freeze", points=1, tags=["freezing"], visibility="hidden")
def test_freeze_returns_the_module(submission):
    """freeze(model.backbone) returns model.backbone itself."""
    model = fresh_model(submission)
    call_returning(submission, "freeze", model.get("backbone", keep=True), "model.backbone")
    info = model.describe(values=False)
    expect(not any(p.requires_grad for n, p in info.parameters.items() if under(n, "backbone")),
           observed=_("freeze(model.backbone) returns the module but leaves it trainable"),
           expected=_("a freeze that freezes, returning the module"),
           fix=_("finish freeze first (see freeze_turns_off_requires_grad)"), cause="freeze:none")


# -- unfreeze --------------------------------------------------------------------------------

@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_returns_the_module(submission):
    """unfreeze(model.backbone) returns model.backbone itself."""
    model = submission.build(TINY_YOLO_FROZEN)
    call_returning(submission, "unfreeze", model.get("backbone", keep=True), "model.backbone")
    info = model.describe(values=False)
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "backbone")),
           observed=_("unfreeze(model.backbone) returns the module but leaves it frozen"),
           expected=_("an unfreeze that unfreezes, returning the module"),
           fix=_("finish unfreeze first (see unfreeze_restores_training)"), cause="unfreeze:none")


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_reaches_every_parameter(submission):
    """unfreeze turns requires_grad back on for parameters frozen in any way, at any depth, and for a bare layer's own."""
    model = submission.build({**TINY_YOLO_FROZEN})
    submission.function("unfreeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    frozen = [n for n, p in info.parameters.items() if under(n, "backbone") and not p.requires_grad]
    bare = submission.build({"class": "BatchNorm2d", "args": [4], "frozen": [""], "eval": [""]})
    submission.function("unfreeze")(bare)
    bare_info = bare.describe(values=False)
    frozen += [f"nn.BatchNorm2d(4).{n}" for n, p in bare_info.parameters.items()
               if not p.requires_grad]
    expect(not frozen,
           observed=_("{count} parameters still frozen ({names})").format(
               count=len(frozen), names=describe_names(frozen)),
           expected=_("requires_grad == True everywhere in the module, its own parameters "
                      "included"),
           fix=_("loop over every parameter the module holds (recursively, its own included), "
                 "not over its children or a few layers"))


# -- build_optimizer -------------------------------------------------------------------------


@check(exercise="build_optimizer", points=1, tags=["optimizer", "weight-decay"], visibility="hidden")
def test_optimizer_groups_by_dimension(submission):
    """Group 0 holds exactly the weights with more than one dimension (convolution kernels and linear weights), group 1 all the others."""
    for spec in (TINY_YOLO, WITH_LINEAR):
        model = submission.build(spec, seed=0)
        info = model.describe(values=False)
        groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info,
                                  model, spec)
        _expect_groups_by_dimension(info, groups)


WITH_LINEAR = {"class": "Sequential", "children": [   # 2-D weights, not only 4-D kernels
    {"class": "Linear", "args": [6, 8]}, {"class": "BatchNorm1d", "args": [8]},
    {"class": "Linear", "args": [8, 3]}]}


def _expect_groups_by_dimension(info, groups) -> None:
    expect(len(groups.names) == 2,
           observed=_("{count} groups").format(count=len(groups.names)),
           expected=_("2 groups"), fix=_("give SGD two parameter groups"))
    params = info.parameters
    wrong0 = [n for n in groups.names[0] if n in params and params[n].ndim <= 1]
    wrong1 = [n for n in groups.names[1] if n in params and params[n].ndim > 1]
    swapped = (wrong0 and wrong1 and len(wrong0) == len(groups.names[0])
               and len(wrong1) == len(groups.names[1]))
    expect(not swapped,
           observed=_("the groups are in the wrong order: group 0 holds the biases and norm "
                      "parameters, group 1 the weights with more than one dimension"),
           expected=_("group 0: the decayed weights (p.ndim > 1); group 1: all the others"),
           fix=_("list the group of multi-dimensional weights first, with weight_decay, then the "
                 "others with weight decay 0"), cause="optimizer:order")
    expect(not wrong0 and not wrong1,
           observed=(_("group 0 holds 1-D parameters ({names})").format(
                         names=describe_names(wrong0)) if wrong0 else
                     _("group 1 holds multi-dimensional weights ({names})").format(
                         names=describe_names(wrong1))),
           expected=_("group 0: p.ndim > 1 (convolution kernels); group 1: p.ndim <= 1 "
                      "(biases, BatchNorm weights and biases)"),
           fix=_("decide each parameter's group by its number of dimensions, not by its name: a "
                 "BatchNorm weight is named 'weight' too"))


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="hidden")
def test_optimizer_settings(submission):
    """lr and momentum are those passed in (momentum defaults to 0.937), on both groups."""
    for kwargs, momentum in (({"lr": 0.03}, 0.937), ({"lr": 0.004, "momentum": 0.5}, 0.5)):
        model = fresh_model(submission)
        groups = optimizer_groups(submission.call("build_optimizer", model, **kwargs),
                                  model.describe(values=False), model, TINY_YOLO)
        got = [(g.get("lr"), g.get("momentum")) for g in groups.options]
        ok = all(isinstance(lr, (int, float)) and math.isclose(lr, kwargs["lr"])
                 and isinstance(m, (int, float)) and math.isclose(m, momentum) for lr, m in got)
        expect(ok,
               observed=_("build_optimizer(model, {kwargs}) gave groups with (lr, momentum) = "
                          "{got}").format(kwargs=kwargs, got=got),
               expected=_("({lr}, {momentum}) in both groups").format(lr=kwargs["lr"],
                                                                       momentum=momentum),
               fix=_("pass the lr and momentum arguments on to torch.optim.SGD (the signature's "
                     "default is momentum=0.937)"))


# -- fit -------------------------------------------------------------------------------------


@check(exercise="fit", points=1, tags=["batchnorm"], visibility="hidden")
def test_fit_backbone_batchnorm_mode_per_phase(submission, fit_trace):
    """Backbone BatchNorm layers run in eval mode while frozen and in train mode after unfreezing."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    norms = _backbone_norms(fit_trace)
    frozen_train = [s.number for s in fit_trace.frozen_steps if any(n in s.training for n in norms)]
    expect(not frozen_train,
           observed=_("in {count} training batches of the frozen phase, backbone BatchNorm "
                      "layers were in train mode").format(count=len(frozen_train)),
           expected=_("backbone BatchNorm in eval mode for every frozen batch"),
           fix=_("after model.train(), freeze the backbone again (or put its BatchNorm layers "
                 "back in eval mode)"))
    unfrozen_eval = [s.number for s in fit_trace.unfrozen_steps
                     if not all(n in s.training for n in norms)]
    expect(not unfrozen_eval,
           observed=_("in {count} batches after unfreezing, backbone BatchNorm layers were "
                      "still in eval mode").format(count=len(unfrozen_eval)),
           expected=_("backbone BatchNorm in train mode once the backbone is unfrozen"),
           fix=_("unfreeze the backbone (which puts it back in train mode) before the unfrozen "
                 "epochs"))


def _backbone_norms(trace) -> list[str]:
    """The backbone's BatchNorm layers: those owning running statistics (the judge's names)."""
    return sorted({n.rpartition(".")[0] for n in backbone(trace.buffers)
                   if n.endswith("running_mean")})


def _head_norms(trace) -> list[str]:
    return sorted({n.rpartition(".")[0] for n in trace.buffers
                   if under(n, "head") and n.endswith("running_mean")})


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_switches_to_unfreeze_lr(submission, fit_trace):
    """Steps use lr while frozen, then unfreeze_lr in every group after unfreezing."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    plan = fit_trace.plan
    frozen = {lr for s in fit_trace.frozen_steps for lr in s.lrs}
    unfrozen = {lr for s in fit_trace.unfrozen_steps for lr in s.lrs}
    expect(all(lr is not None and math.isclose(lr, plan.lr) for lr in frozen),
           observed=_("learning rates while frozen: {rates}").format(rates=sorted(frozen)),
           expected=_("lr = {lr}").format(lr=plan.lr),
           fix=_("build the optimizer with the lr argument"))
    expect(all(lr is not None and math.isclose(lr, plan.unfreeze_lr) for lr in unfrozen),
           observed=_("learning rates after unfreezing: {rates}").format(rates=sorted(unfrozen)),
           expected=_("unfreeze_lr = {lr} in every group").format(lr=plan.unfreeze_lr),
           fix=_("when unfreezing, set the learning rate of every parameter group to "
                 "unfreeze_lr (or build a new optimizer with it)"))


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_batch_size_per_phase(submission, fit_trace):
    """Frozen epochs use freeze_batch_size, unfrozen epochs unfreeze_batch_size."""
    expect_ran(fit_trace)
    plan = fit_trace.plan
    expect_verified(fit_trace.steps, _("the epochs"))
    frozen = sorted({s.batch for s in fit_trace.frozen_steps})
    unfrozen = sorted({s.batch for s in fit_trace.unfrozen_steps})
    expect(frozen and unfrozen and max(frozen) == plan.freeze_batch_size
           and max(unfrozen) == plan.unfreeze_batch_size
           and len(fit_trace.frozen_steps) == plan.freeze_epochs * plan.steps_per_epoch(True)
           and len(fit_trace.unfrozen_steps) == plan.unfreeze_epochs * plan.steps_per_epoch(False),
           observed=_("batch sizes {frozen} while frozen, {unfrozen} after unfreezing").format(
               frozen=frozen, unfrozen=unfrozen),
           expected=_("{frozen} while frozen, {unfrozen} after").format(
               frozen=plan.freeze_batch_size, unfrozen=plan.unfreeze_batch_size),
           fix=_("make a DataLoader per phase (or per epoch) with the batch size of that phase"))


@check(exercise="fit", points=1, tags=["history"], visibility="hidden")
def test_fit_history_matches_what_happened(submission, fit_trace):
    """Each record's trainable_params is what required grad in that epoch; losses are finite means."""
    expect_ran(fit_trace)
    plan, history = fit_trace.plan, fit_trace.history
    expect(isinstance(history, list) and len(history) == plan.freeze_epochs + plan.unfreeze_epochs,
           observed=_("history {history}").format(history=repr(history))[:200],
           expected=_("one record per epoch"),
           fix=_("return the list of per-epoch dicts"))
    expect_verified(fit_trace.steps, _("the epochs"))
    # Records are matched by position: their "epoch" numbers are fit_returns_one_record_per_epoch's.
    for step in fit_trace.steps:
        epoch, count = step.epoch, trainable_count(step)
        record = history[epoch] if epoch < len(history) and isinstance(history[epoch], dict) else {}
        expect(record.get("trainable_params") == count,
               observed=_("epoch {epoch} reports trainable_params={reported}, but {count} scalar "
                          "parameters required grad during it").format(
                   epoch=epoch, reported=repr(record.get("trainable_params")), count=count),
               expected=_("the number of scalar parameters with requires_grad during that epoch"),
               fix=_("after freezing or unfreezing, count the elements of the parameters that "
                     "require grad"))
    for epoch, record in enumerate(history):
        loss = record.get("loss") if isinstance(record, dict) else None
        expect(isinstance(loss, float) and math.isfinite(loss),
               observed=_("epoch {epoch} reports loss={loss}").format(epoch=repr(epoch),
                                                                      loss=repr(loss)),
               expected=_("a Python float: the mean training loss of the epoch"),
               fix=_("accumulate each batch's loss as a Python number (.item()) and divide by "
                     "the number of batches"))
        batches = [s for s in fit_trace.steps if s.epoch == epoch and s.loss is not None]
        if not batches:
            continue
        mean = sum(s.loss for s in batches) / len(batches)
        weighted = sum(s.loss * s.batch for s in batches) / sum(s.batch for s in batches)
        expect(any(math.isclose(loss, m, rel_tol=1e-3, abs_tol=1e-6) for m in (mean, weighted)),
               observed=_("epoch {epoch} reports loss={loss:.4f}; its {count} batches had "
                          "losses {losses}").format(
                   epoch=epoch, loss=loss, count=len(batches),
                   losses=", ".join(f"{s.loss:.4f}" for s in batches)),
               expected=_("their mean, {mean:.4f} (or {weighted:.4f} weighted by batch "
                          "size)").format(mean=mean, weighted=weighted),
               fix=_("add up every batch's loss of the epoch and divide by the number of batches "
                     "(not the last batch's loss, not the sum)"))


@check(exercise="fit", points=2, tags=["freezing", "optimizer"], visibility="hidden")
def test_fit_with_stale_gradients_and_momentum(submission, stale_trace):
    """Even when the model arrives with gradients from an earlier backward, the frozen backbone does not move."""
    expect_ran(stale_trace)
    expect_verified(stale_trace.frozen_steps, _("the frozen epochs"))
    switch = trainable_while_frozen(stale_trace)
    expect(switch is None,
           observed=_("the backbone was trainable in epoch {epoch}, a frozen epoch, so it "
                      "trained instead of holding still").format(epoch=switch),
           expected=_("the backbone frozen for the whole frozen phase"),
           fix=_("freeze the backbone in every frozen epoch, and unfreeze it no sooner than the "
                 "epoch numbered freeze_epochs (one epoch too early unfreezes it during the "
                 "frozen phase)"), cause="fit:early-switch")
    for index, step in enumerate(stale_trace.frozen_steps):
        moved = backbone(n for n in stale_trace.parameters if n in step.changed)
        expect(not moved,
               observed=_("the model came with leftover gradients; by step {step} of the frozen "
                          "phase, backbone weights drifted ({names})").format(
                   step=index + 1, names=describe_names(moved)),
               expected=_("frozen weights bitwise unchanged"),
               fix=_("SGD applies momentum and weight decay to any parameter whose .grad is not "
                     "None: freeze must drop the gradients (and clearing gradients must not turn "
                     "None into zeros)"))


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_shuffles_each_epoch(submission, fit_trace):
    """Every epoch draws all the images, in an order shuffled anew each epoch."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    orders = fit_trace.epoch_orders()
    images = fit_trace.plan.images
    full = [o for o in orders if sorted(o) == list(range(images))]
    expect(len(full) == len(orders) == fit_trace.plan.freeze_epochs + fit_trace.plan.unfreeze_epochs,
           observed=_("the epochs drew the images {count} times in all").format(
               count=len(fit_trace.order)),
           expected=_("every image once per epoch, {images} per epoch").format(images=images),
           fix=_("one pass of the DataLoader over the data set per epoch"))
    in_order = [e for e, o in enumerate(orders) if o == list(range(images))]
    repeated = [e for e in range(1, len(orders)) if orders[e] == orders[e - 1]]
    where = (_("epoch {epoch} drew the images in their stored order").format(epoch=in_order[0])
             if in_order else
             _("epoch {epoch} drew the images in the same order as the one before").format(
                 epoch=repeated[0])
             if repeated else "")
    expect(not in_order and not repeated, observed=where,
           expected=_("a fresh random order every epoch, so that batches differ between epochs"),
           fix=_("build the DataLoader with shuffle=True"))


@check(exercise="fit", points=1, tags=["batchnorm"], visibility="hidden")
def test_fit_head_trains_in_train_mode(submission, fit_trace):
    """Handed a model in eval mode (as after an evaluation), fit trains the head in train mode."""
    expect_ran(fit_trace)
    expect_verified(fit_trace.steps, _("the epochs"))
    norms = _head_norms(fit_trace)
    resting = [s.number for s in fit_trace.steps if not all(n in s.training for n in norms)]
    expect(not resting,
           observed=_("in {count} training batches the head's BatchNorm layers were in eval "
                      "mode: the model arrived in eval mode and fit never switched it "
                      "back").format(count=len(resting)),
           expected=_("the head in train mode for every training batch"),
           fix=_("put the model in train mode at the start of every epoch (then freeze the "
                 "backbone again while it must stay frozen)"))


@check(exercise="fit", points=2, tags=["optimizer", "grad-flow"], visibility="hidden")
def test_fit_steps_with_each_batch_gradient(submission, fit_trace):
    """Every optimizer step applies the gradient of its own batch's loss: cleared before backward, not after it."""
    expect_ran(fit_trace)
    # The exercise's step applies the gradient as backward left it: a clipped gradient is a
    # verified step (the other checks credit it) but not the step asked for.
    wrong = [s for s in fit_trace.steps if s.verdict != "ok"]
    if not wrong:
        expect_verified(fit_trace.steps, _("the epochs"))
        return
    first = wrong[0]
    # What went wrong at the first wrong step (its number, epoch and detail filled in), and the fix.
    fixes = {
        "cleared": (_("at step {step} (epoch {epoch}), zero_grad runs between backward and step, "
                      "so the optimizer sees no gradient ({detail})"),
                    _("call zero_grad before backward (or after step): zero_grad, backward, "
                      "step")),
        "accumulated": (_("at step {step} (epoch {epoch}), the gradients are never cleared: each "
                          "step adds the new batch's gradient to the old ones ({detail})"),
                        _("call optimizer.zero_grad() once per batch")),
        "clipped": (_("at step {step} (epoch {epoch}), the gradients were scaled down before the "
                      "step ({detail})"),
                    _("step with the gradients backward computed, as the exercise's loop does: "
                      "no clipping or rescaling between backward and step")),
        "scaled": (_("at step {step} (epoch {epoch}), the loss is scaled up (summed over "
                     "something instead of the kit's mean?) ({detail})"),
                   _("backpropagate the kit's loss as it is: yolo_loss(model(images), targets)")),
        "other": (_("at step {step} (epoch {epoch}), the gradient is not the gradient of the "
                    "batch's loss ({detail})"),
                  _("for each batch: zero_grad, then backward on yolo_loss(model(images), "
                    "targets), then step")),
    }
    why, fix = fixes.get(first.verdict, fixes["other"])
    raise CheckFailed(why.format(step=first.number, epoch=first.epoch, detail=first.detail),
                      _("each step applying the gradient of its own batch's loss"), fix,
                      cause="fit:zero-grad-order" if first.verdict == "cleared" else None)
