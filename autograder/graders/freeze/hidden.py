"""Hidden checks of `freeze`: run by the instructor's grading only."""
from __future__ import annotations

import math

import pytest

from autograder.checks import check, expect
from autograder.graders.freeze.common import (
    BATCHNORM, FitPlan, batchnorm_names, describe_names, expect_ran, fresh_model,
    leave_stale_gradients, observe_fit, optimizer_groups, under,
)


@pytest.fixture(scope="module")
def fit_trace(submission):
    return observe_fit(submission)


@pytest.fixture(scope="module")
def stale_trace(submission):
    return observe_fit(submission, FitPlan(freeze_epochs=1, unfreeze_epochs=1),
                       stale_gradients=True)


# -- freeze ----------------------------------------------------------------------------------

@check(exercise="freeze", points=1, tags=["grad-flow", "freezing"], visibility="hidden")
def test_freeze_clears_gradients(submission):
    """freeze leaves every parameter's .grad as None, even after an earlier backward pass."""
    model = fresh_model(submission)
    leave_stale_gradients(model)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    stale = [n for n, p in info.parameters.items() if under(n, "backbone") and p.has_grad]
    expect(not stale,
           observed=f"{len(stale)} frozen parameters keep a gradient from an earlier backward "
                    f"({describe_names(stale)}); SGD updates every parameter whose .grad is not "
                    "None, requires_grad or not, so momentum and weight decay keep moving them",
           expected="p.grad is None for every frozen parameter",
           fix="in freeze, also set each parameter's .grad to None")


@check(exercise="freeze", points=1, tags=["freezing"], visibility="hidden")
def test_freeze_leaves_the_rest_of_the_model_alone(submission):
    """Freezing the backbone leaves the head trainable, in train mode, with its gradients."""
    model = fresh_model(submission)
    submission.function("freeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    expect(not any(p.requires_grad for n, p in info.parameters.items() if under(n, "backbone")),
           observed="freeze(model.backbone) left backbone parameters trainable, so there is no "
                    "freeze yet whose effect on the rest of the model could be checked",
           expected="the backbone frozen, and the rest of the model as it was",
           fix="finish freeze first (see freeze_turns_off_requires_grad)", cause="freeze:none")
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "head")),
           observed="some head parameters stopped requiring grad",
           expected="the head untouched", fix="change only the parameters of the module given")
    expect(all(m.training for n, m in info.modules if not under(n, "backbone")),
           observed="the head (or the whole model) was put in eval mode",
           expected="only BatchNorm layers inside the frozen module in eval mode",
           fix="put the BatchNorm layers of the module you are given in eval mode, and nothing "
               "else")


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
def test_freeze_reaches_every_layer(submission):
    """freeze works on any module: a bare BatchNorm2d, and BatchNorm nested two levels deep."""
    freeze = submission.function("freeze")
    bare = submission.build({"class": "BatchNorm2d", "args": [4]})
    freeze(bare)
    info = bare.describe(values=False)
    grads = [p.requires_grad for p in info.parameters.values()]
    expect(not info.training and not any(grads),
           observed=f"freeze(nn.BatchNorm2d(4)) left training={info.training}, requires_grad="
                    f"{grads}",
           expected="the layer itself in eval mode with frozen weight and bias",
           fix="walk module.modules(), which yields the module itself and every layer inside "
               "it, at any depth (children() yields only the direct children)")
    nested = submission.build({"class": "Sequential", "children": [
        {"class": "Sequential", "children": [
            {"class": "Conv2d", "args": [3, 4, 3]},
            {"class": "Sequential", "children": [{"class": "BatchNorm2d", "args": [4]}]}]}]})
    freeze(nested)
    info = nested.describe(values=False)
    expect(not any(info.submodule(n).training for n in batchnorm_names(info)),
           observed="a BatchNorm layer nested two levels deep stayed in train mode",
           expected="every BatchNorm layer at any depth in eval mode",
           fix="walk module.modules(), which recurses into every submodule")


# -- unfreeze --------------------------------------------------------------------------------

@check(exercise="unfreeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
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


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_reaches_every_parameter(submission):
    """unfreeze turns requires_grad back on for parameters frozen in any way, at any depth."""
    model = submission.build({**_TINY_FROZEN})
    submission.function("unfreeze")(model.get("backbone", keep=True))
    info = model.describe(values=False)
    frozen = [n for n, p in info.parameters.items() if under(n, "backbone") and not p.requires_grad]
    expect(not frozen,
           observed=f"{len(frozen)} parameters still frozen ({describe_names(frozen)})",
           expected="requires_grad == True everywhere in the module",
           fix="loop over every parameter the module holds (recursively), not over its "
               "children or a few layers")


_TINY_FROZEN = {"class": "yolo.TinyYOLO", "kwargs": {"num_classes": 2}, "frozen": ["backbone"]}


# -- build_optimizer -------------------------------------------------------------------------

@check(exercise="build_optimizer", points=2, tags=["optimizer", "freezing"], visibility="hidden")
def test_optimizer_includes_frozen_parameters(submission):
    """With the backbone frozen, the optimizer still holds every backbone parameter."""
    model = submission.build(_TINY_FROZEN)
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


@check(exercise="build_optimizer", points=1, tags=["optimizer", "weight-decay"], visibility="hidden")
def test_optimizer_groups_by_dimension(submission):
    """Group 0 holds exactly the weights with more than one dimension, group 1 all the others."""
    model = fresh_model(submission)
    info = model.describe(values=False)
    groups = optimizer_groups(submission.call("build_optimizer", model, lr=0.01), info)
    expect(len(groups.names) == 2, observed=f"{len(groups.names)} groups",
           expected="2 groups", fix="give SGD two parameter groups")
    params = info.parameters
    wrong0 = [n for n in groups.names[0] if n in params and params[n].ndim <= 1]
    wrong1 = [n for n in groups.names[1] if n in params and params[n].ndim > 1]
    expect(not wrong0 and not wrong1,
           observed=(f"group 0 holds 1-D parameters ({describe_names(wrong0)})" if wrong0 else
                     f"group 1 holds multi-dimensional weights ({describe_names(wrong1)})"),
           expected="group 0: p.ndim > 1 (convolution kernels); group 1: p.ndim <= 1 "
                    "(biases, BatchNorm weights and biases)",
           fix="decide each parameter's group by its number of dimensions, not by its name: a "
               "BatchNorm weight is named 'weight' too")


@check(exercise="build_optimizer", points=1, tags=["weight-decay", "batchnorm"], visibility="hidden")
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


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="hidden")
def test_optimizer_settings(submission):
    """lr and momentum are those passed in (momentum defaults to 0.937), on both groups."""
    for kwargs, momentum in (({"lr": 0.03}, 0.937), ({"lr": 0.004, "momentum": 0.5}, 0.5)):
        model = fresh_model(submission)
        groups = optimizer_groups(submission.call("build_optimizer", model, **kwargs),
                                  model.describe(values=False))
        got = [(g.get("lr"), g.get("momentum")) for g in groups.options]
        ok = all(isinstance(lr, (int, float)) and math.isclose(lr, kwargs["lr"])
                 and isinstance(m, (int, float)) and math.isclose(m, momentum) for lr, m in got)
        expect(ok,
               observed=f"build_optimizer(model, {kwargs}) gave groups with (lr, momentum) = {got}",
               expected=f"({kwargs['lr']}, {momentum}) in both groups",
               fix="pass the lr and momentum arguments on to torch.optim.SGD (the signature's "
                   "default is momentum=0.937)")


# -- fit -------------------------------------------------------------------------------------

@check(exercise="fit", points=2, tags=["batchnorm", "freezing"], visibility="hidden")
def test_fit_frozen_batchnorm_statistics_unchanged(submission, fit_trace):
    """During the frozen epochs, the backbone's BatchNorm running statistics never change."""
    expect_ran(fit_trace)
    for index, step in enumerate(fit_trace.frozen_steps):
        expect(not step.backbone_buffers_changed,
               observed=f"by step {index + 1} of the frozen phase, BatchNorm statistics of the "
                        f"backbone changed ({describe_names(step.backbone_buffers_changed)})",
               expected="running_mean, running_var and num_batches_tracked unchanged while frozen",
               fix="model.train() at the start of an epoch puts every BatchNorm back in train "
                   "mode; freeze the backbone again after model.train() in each frozen epoch")


@check(exercise="fit", points=1, tags=["batchnorm"], visibility="hidden")
def test_fit_backbone_batchnorm_mode_per_phase(submission, fit_trace):
    """Backbone BatchNorm layers run in eval mode while frozen and in train mode after unfreezing."""
    expect_ran(fit_trace)
    frozen_train = [i for i, f in enumerate(fit_trace.frozen_forwards) if any(f.backbone_bn_training)]
    expect(not frozen_train,
           observed=f"in {len(frozen_train)} training batches of the frozen phase, backbone "
                    "BatchNorm layers were in train mode",
           expected="backbone BatchNorm in eval mode for every frozen batch",
           fix="after model.train(), freeze the backbone again (or put its BatchNorm layers "
               "back in eval mode)")
    unfrozen_eval = [i for i, f in enumerate(fit_trace.unfrozen_forwards)
                     if not all(f.backbone_bn_training)]
    expect(not unfrozen_eval,
           observed=f"in {len(unfrozen_eval)} batches after unfreezing, backbone BatchNorm "
                    "layers were still in eval mode",
           expected="backbone BatchNorm in train mode once the backbone is unfrozen",
           fix="unfreeze the backbone (which puts it back in train mode) before the unfrozen "
               "epochs")


@check(exercise="fit", points=1, tags=["grad-flow"], visibility="hidden")
def test_fit_head_learns_while_frozen(submission, fit_trace):
    """The head's weights change during the frozen epochs."""
    expect_ran(fit_trace)
    last = fit_trace.frozen_steps[-1]
    expect(last.head_changed,
           observed="after the frozen epochs, the head's weights are unchanged",
           expected="the head trained while the backbone is frozen",
           fix="build the optimizer over all of the model's parameters and step it every batch")


@check(exercise="fit", points=2, tags=["optimizer", "schedule"], visibility="hidden")
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


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_switches_to_unfreeze_lr(submission, fit_trace):
    """Steps use lr while frozen, then unfreeze_lr in every group after unfreezing."""
    expect_ran(fit_trace)
    plan = fit_trace.plan
    frozen = {lr for s in fit_trace.frozen_steps for lr in s.lrs}
    unfrozen = {lr for s in fit_trace.unfrozen_steps for lr in s.lrs}
    expect(all(math.isclose(lr, plan.lr) for lr in frozen),
           observed=f"learning rates while frozen: {sorted(frozen)}",
           expected=f"lr = {plan.lr}", fix="build the optimizer with the lr argument")
    expect(all(math.isclose(lr, plan.unfreeze_lr) for lr in unfrozen),
           observed=f"learning rates after unfreezing: {sorted(unfrozen)}",
           expected=f"unfreeze_lr = {plan.unfreeze_lr} in every group",
           fix="when unfreezing, set the learning rate of every parameter group to "
               "unfreeze_lr (or build a new optimizer with it)")


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_batch_size_per_phase(submission, fit_trace):
    """Frozen epochs use freeze_batch_size, unfrozen epochs unfreeze_batch_size."""
    expect_ran(fit_trace)
    plan = fit_trace.plan
    frozen = sorted({f.batch for f in fit_trace.frozen_forwards})
    unfrozen = sorted({f.batch for f in fit_trace.unfrozen_forwards})
    expect(frozen and unfrozen and max(frozen) == plan.freeze_batch_size
           and max(unfrozen) == plan.unfreeze_batch_size
           and len(fit_trace.frozen_steps) == plan.freeze_epochs * plan.steps_per_epoch(True)
           and len(fit_trace.unfrozen_steps) == plan.unfreeze_epochs * plan.steps_per_epoch(False),
           observed=f"batch sizes {frozen} while frozen, {unfrozen} after unfreezing",
           expected=f"{plan.freeze_batch_size} while frozen, {plan.unfreeze_batch_size} after",
           fix="make a DataLoader per phase (or per epoch) with the batch size of that phase")


@check(exercise="fit", points=1, tags=["history"], visibility="hidden")
def test_fit_history_matches_what_happened(submission, fit_trace):
    """Each record's trainable_params is what required grad in that epoch; losses are finite means."""
    expect_ran(fit_trace)
    plan, history = fit_trace.plan, fit_trace.history
    expect(isinstance(history, list) and len(history) == plan.freeze_epochs + plan.unfreeze_epochs,
           observed=f"history {history!r}"[:200], expected="one record per epoch",
           fix="return the list of per-epoch dicts")
    for forward in fit_trace.forwards:
        epoch = forward.epoch
        record = history[epoch] if epoch < len(history) and isinstance(history[epoch], dict) else {}
        expect(record.get("trainable_params") == forward.trainable,
               observed=f"epoch {epoch} reports trainable_params={record.get('trainable_params')!r}, "
                        f"but {forward.trainable} scalar parameters required grad during it",
               expected="the number of scalar parameters with requires_grad during that epoch",
               fix="after freezing or unfreezing, count the elements of the parameters that "
                   "require grad")
    for record in history:
        loss = record.get("loss") if isinstance(record, dict) else None
        epoch = record.get("epoch") if isinstance(record, dict) else None
        expect(isinstance(loss, float) and math.isfinite(loss),
               observed=f"epoch {epoch!r} reports loss={loss!r}",
               expected="a Python float: the mean training loss of the epoch",
               fix="accumulate each batch's loss as a Python number (.item()) and divide by the "
                   "number of batches")
        batches = [f for f in fit_trace.forwards if f.epoch == epoch and f.loss is not None]
        if not batches:
            continue
        mean = sum(f.loss for f in batches) / len(batches)
        weighted = sum(f.loss * f.batch for f in batches) / sum(f.batch for f in batches)
        expect(any(math.isclose(loss, m, rel_tol=1e-3, abs_tol=1e-6) for m in (mean, weighted)),
               observed=f"epoch {epoch} reports loss={loss:.4f}; its {len(batches)} batches had "
                        f"losses {', '.join(f'{f.loss:.4f}' for f in batches)}",
               expected=f"their mean, {mean:.4f} (or {weighted:.4f} weighted by batch size)",
               fix="add up every batch's loss of the epoch and divide by the number of batches "
                   "(not the last batch's loss, not the sum)")


@check(exercise="fit", points=2, tags=["freezing", "optimizer"], visibility="hidden")
def test_fit_with_stale_gradients_and_momentum(submission, stale_trace):
    """Even when the model arrives with gradients from an earlier backward, the frozen backbone does not move."""
    expect_ran(stale_trace)
    for index, step in enumerate(stale_trace.frozen_steps):
        expect(not step.backbone_params_changed,
               observed=f"the model came with leftover gradients; by step {index + 1} of the "
                        "frozen phase, backbone weights drifted "
                        f"({describe_names(step.backbone_params_changed)})",
               expected="frozen weights bitwise unchanged",
               fix="SGD applies momentum and weight decay to any parameter whose .grad is not "
                   "None: freeze must drop the gradients (and clearing gradients must not turn "
                   "None into zeros)")


@check(exercise="fit", points=1, tags=["weight-decay", "optimizer"], visibility="hidden")
def test_fit_uses_the_two_group_optimizer(submission, fit_trace):
    """The optimizer that fit steps has the two groups of build_optimizer: decayed, then not."""
    expect_ran(fit_trace)
    count = len(fit_trace.parameters)
    for phase, steps in (("frozen", fit_trace.frozen_steps), ("unfrozen", fit_trace.unfrozen_steps)):
        for step in steps:
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
