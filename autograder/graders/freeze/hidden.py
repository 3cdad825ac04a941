"""Hidden checks of `freeze`: run by the instructor's grading only."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from autograder.checks import check, expect
from autograder.graders.freeze.common import (
    FitPlan, batchnorms, describe_names, expect_ran, fresh_model, leave_stale_gradients, numel,
    observe_fit,
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
    model = fresh_model()
    leave_stale_gradients(model)
    submission.freeze(model.backbone)
    stale = [n for n, p in model.backbone.named_parameters() if p.grad is not None]
    expect(not stale,
           observed=f"{len(stale)} frozen parameters keep a gradient from an earlier backward "
                    f"({describe_names(stale)}); SGD updates every parameter whose .grad is not "
                    "None, requires_grad or not, so momentum and weight decay keep moving them",
           expected="p.grad is None for every frozen parameter",
           fix="in freeze, also set p.grad = None for each parameter")


@check(exercise="freeze", points=1, tags=["freezing"], visibility="hidden")
def test_freeze_leaves_the_rest_of_the_model_alone(submission):
    """Freezing the backbone leaves the head trainable, in train mode, with its gradients."""
    model = fresh_model()
    submission.freeze(model.backbone)
    expect(all(p.requires_grad for p in model.head.parameters()),
           observed="some head parameters stopped requiring grad",
           expected="the head untouched", fix="change only module.parameters()")
    expect(all(m.training for m in model.head.modules()) and model.training,
           observed="the head (or the whole model) was put in eval mode",
           expected="only BatchNorm layers inside the frozen module in eval mode",
           fix="call .eval() on the BatchNorm layers of `module` only, not on the model")


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
def test_freeze_reaches_every_layer(submission):
    """freeze works on any module: a bare BatchNorm2d, and BatchNorm nested two levels deep."""
    bare = nn.BatchNorm2d(4)
    submission.freeze(bare)
    expect(not bare.training and not any(p.requires_grad for p in bare.parameters()),
           observed=f"freeze(nn.BatchNorm2d(4)) left training={bare.training}, requires_grad="
                    f"{[p.requires_grad for p in bare.parameters()]}",
           expected="the layer itself in eval mode with frozen weight and bias",
           fix="walk module.modules() (which includes the module itself and every nested "
               "layer), not module.children() (direct children only)")
    nested = nn.Sequential(nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sequential(nn.BatchNorm2d(4))))
    submission.freeze(nested)
    expect(not any(m.training for m in batchnorms(nested)),
           observed="a BatchNorm layer nested two levels deep stayed in train mode",
           expected="every BatchNorm layer at any depth in eval mode",
           fix="walk module.modules(), which recurses into every submodule")


# -- unfreeze --------------------------------------------------------------------------------

@check(exercise="unfreeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
def test_unfreeze_after_model_eval(submission):
    """After model.eval(), unfreeze(model.backbone) puts every backbone layer back in train mode."""
    model = fresh_model()
    submission.freeze(model.backbone)
    model.eval()
    submission.unfreeze(model.backbone)
    resting = [n or "the backbone itself" for n, m in model.backbone.named_modules() if not m.training]
    expect(not resting,
           observed=f"still in eval mode: {describe_names(resting)}",
           expected="every layer of the backbone in train mode",
           fix="module.train() sets train mode recursively; call it in unfreeze")


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_reaches_every_parameter(submission):
    """unfreeze turns requires_grad back on for parameters frozen in any way, at any depth."""
    model = fresh_model()
    for p in model.backbone.parameters():
        p.requires_grad = False
    submission.unfreeze(model.backbone)
    frozen = [n for n, p in model.backbone.named_parameters() if not p.requires_grad]
    expect(not frozen,
           observed=f"{len(frozen)} parameters still frozen ({describe_names(frozen)})",
           expected="requires_grad == True everywhere in the module",
           fix="loop over module.parameters() (recursive), not module.children() or a few layers")


# -- build_optimizer -------------------------------------------------------------------------

@check(exercise="build_optimizer", points=2, tags=["optimizer", "freezing"], visibility="hidden")
def test_optimizer_includes_frozen_parameters(submission):
    """With the backbone frozen, the optimizer still holds every backbone parameter."""
    model = fresh_model()
    for p in model.backbone.parameters():
        p.requires_grad_(False)
    optimizer = submission.build_optimizer(model, lr=0.01)
    held = {id(p) for g in optimizer.param_groups for p in g["params"]}
    missing = [n for n, p in model.backbone.named_parameters() if id(p) not in held]
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
    model = fresh_model()
    optimizer = submission.build_optimizer(model, lr=0.01)
    expect(len(optimizer.param_groups) == 2, observed=f"{len(optimizer.param_groups)} groups",
           expected="2 groups", fix="return SGD over two parameter groups")
    first = {id(p) for p in optimizer.param_groups[0]["params"]}
    second = {id(p) for p in optimizer.param_groups[1]["params"]}
    names = dict((id(p), n) for n, p in model.named_parameters())
    wrong0 = [names[i] for i in first if i in names and dict(model.named_parameters())[names[i]].ndim <= 1]
    wrong1 = [names[i] for i in second if i in names and dict(model.named_parameters())[names[i]].ndim > 1]
    expect(not wrong0 and not wrong1,
           observed=(f"group 0 holds 1-D parameters ({describe_names(wrong0)})" if wrong0 else
                     f"group 1 holds multi-dimensional weights ({describe_names(wrong1)})"),
           expected="group 0: p.ndim > 1 (convolution kernels); group 1: p.ndim <= 1 "
                    "(biases, BatchNorm weights and biases)",
           fix="split on p.ndim > 1, not on the parameter's name: a BatchNorm weight is named "
               "'weight' too")


@check(exercise="build_optimizer", points=1, tags=["weight-decay", "batchnorm"], visibility="hidden")
def test_norms_and_biases_are_not_decayed(submission):
    """BatchNorm weights and biases and every bias sit in a group with weight_decay 0."""
    model = fresh_model()
    optimizer = submission.build_optimizer(model, lr=0.01, weight_decay=1e-3)
    decay_of = {id(p): g.get("weight_decay", 0.0) for g in optimizer.param_groups for p in g["params"]}
    norm_params = [(f"{n}.{pn}", p) for n, m in model.named_modules()
                   if isinstance(m, nn.modules.batchnorm._BatchNorm)
                   for pn, p in m.named_parameters(recurse=False)]
    biases = [(n, p) for n, p in model.named_parameters() if n.endswith("bias")]
    decayed = [n for n, p in norm_params + biases if decay_of.get(id(p), 0.0) != 0.0]
    expect(not decayed,
           observed=f"{len(decayed)} normalisation or bias parameters get weight decay "
                    f"({describe_names(decayed)}), which pulls BatchNorm scales toward 0",
           expected="weight_decay 0 for biases and BatchNorm weights and biases",
           fix="put every parameter with p.ndim <= 1 in a group with 'weight_decay': 0.0")
    kernels = [n for n, p in model.named_parameters() if p.ndim > 1 and decay_of.get(id(p)) != 1e-3]
    expect(not kernels,
           observed=f"weights with more than one dimension without the requested weight decay "
                    f"1e-3: {describe_names(kernels)}",
           expected="group 0's weight_decay equal to the weight_decay argument",
           fix="set 'weight_decay': weight_decay on group 0 (use the argument, not a constant)")


@check(exercise="build_optimizer", points=1, tags=["optimizer"], visibility="hidden")
def test_optimizer_settings(submission):
    """lr and momentum are those passed in (momentum defaults to 0.937), on both groups."""
    for kwargs, momentum in (({"lr": 0.03}, 0.937), ({"lr": 0.004, "momentum": 0.5}, 0.5)):
        optimizer = submission.build_optimizer(fresh_model(), **kwargs)
        got = [(g["lr"], g.get("momentum")) for g in optimizer.param_groups]
        expect(all(math.isclose(lr, kwargs["lr"]) and m is not None and math.isclose(m, momentum)
                   for lr, m in got),
               observed=f"build_optimizer(model, {kwargs}) gave groups with (lr, momentum) = {got}",
               expected=f"({kwargs['lr']}, {momentum}) in both groups",
               fix="pass lr=lr and momentum=momentum to torch.optim.SGD (the signature's "
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
                   "mode; call freeze(model.backbone) after model.train() in each frozen epoch")


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
           fix="unfreeze(model.backbone) (which calls .train()) before the unfrozen epochs")


@check(exercise="fit", points=1, tags=["grad-flow"], visibility="hidden")
def test_fit_head_learns_while_frozen(submission, fit_trace):
    """The head's weights change during the frozen epochs."""
    expect_ran(fit_trace)
    last = fit_trace.frozen_steps[-1]
    expect(last.head_changed,
           observed="after the frozen epochs, the head's weights are unchanged",
           expected="the head trained while the backbone is frozen",
           fix="build the optimizer over all of model.parameters() and step it every batch")


@check(exercise="fit", points=2, tags=["optimizer", "schedule"], visibility="hidden")
def test_fit_backbone_learns_after_unfreezing(submission, fit_trace):
    """Once unfrozen, the backbone's weights change at every step."""
    expect_ran(fit_trace)
    before = fit_trace.frozen_steps[-1].backbone_params
    after = fit_trace.unfrozen_steps[-1].backbone_params
    moved = [n for n in before if not torch.equal(before[n], after[n])]
    expect(len(moved) == len(before),
           observed=f"after unfreezing, only {len(moved)} of {len(before)} backbone parameters "
                    "changed",
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
           expected=f"lr = {plan.lr}", fix="build the optimizer with lr=lr")
    expect(all(math.isclose(lr, plan.unfreeze_lr) for lr in unfrozen),
           observed=f"learning rates after unfreezing: {sorted(unfrozen)}",
           expected=f"unfreeze_lr = {plan.unfreeze_lr} in every group",
           fix="when unfreezing, set group['lr'] = unfreeze_lr for every group in "
               "optimizer.param_groups (or build a new optimizer with lr=unfreeze_lr)")


@check(exercise="fit", points=1, tags=["schedule"], visibility="hidden")
def test_fit_batch_size_per_phase(submission, fit_trace):
    """Frozen epochs use freeze_batch_size, unfrozen epochs unfreeze_batch_size."""
    expect_ran(fit_trace)
    plan = fit_trace.plan
    frozen = sorted({f.batch for f in fit_trace.frozen_forwards})
    unfrozen = sorted({f.batch for f in fit_trace.unfrozen_forwards})
    expect(max(frozen) == plan.freeze_batch_size and max(unfrozen) == plan.unfreeze_batch_size
           and len(fit_trace.frozen_steps) == plan.freeze_epochs * plan.steps_per_epoch(True)
           and len(fit_trace.unfrozen_steps) == plan.unfreeze_epochs * plan.steps_per_epoch(False),
           observed=f"batch sizes {frozen} while frozen, {unfrozen} after unfreezing",
           expected=f"{plan.freeze_batch_size} while frozen, {plan.unfreeze_batch_size} after",
           fix="make a DataLoader per phase (or per epoch) with batch_size=freeze_batch_size "
               "in the frozen phase and unfreeze_batch_size after")


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
               fix="after freezing or unfreezing, sum(p.numel() for p in model.parameters() "
                   "if p.requires_grad)")
    for record in history:
        loss = record.get("loss") if isinstance(record, dict) else None
        epoch = record.get("epoch") if isinstance(record, dict) else None
        expect(isinstance(loss, float) and math.isfinite(loss),
               observed=f"epoch {epoch!r} reports loss={loss!r}",
               expected="a Python float: the mean training loss of the epoch",
               fix="accumulate loss.item() over the batches and divide by their number")
        batches = [f for f in fit_trace.forwards if f.epoch == epoch and f.loss is not None]
        if not batches:
            continue
        mean = sum(f.loss for f in batches) / len(batches)
        weighted = sum(f.loss * f.batch for f in batches) / sum(f.batch for f in batches)
        expect(any(math.isclose(loss, m, rel_tol=1e-3, abs_tol=1e-6) for m in (mean, weighted)),
               observed=f"epoch {epoch} reports loss={loss:.4f}; its {len(batches)} batches had "
                        f"losses {', '.join(f'{f.loss:.4f}' for f in batches)}",
               expected=f"their mean, {mean:.4f} (or {weighted:.4f} weighted by batch size)",
               fix="add loss.item() of every batch of the epoch and divide by the number of "
                   "batches (not the last batch's loss, not the sum)")


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
                   "None: freeze must set p.grad = None (and zero_grad must not turn None "
                   "gradients into zeros)")


@check(exercise="fit", points=1, tags=["weight-decay", "optimizer"], visibility="hidden")
def test_fit_uses_the_two_group_optimizer(submission, fit_trace):
    """The optimizer that fit steps has the two groups of build_optimizer: decayed, then not."""
    expect_ran(fit_trace)
    tensors = list(fresh_model().parameters())
    for phase, steps in (("frozen", fit_trace.frozen_steps), ("unfrozen", fit_trace.unfrozen_steps)):
        for step in steps:
            expect(len(step.weight_decays) == 2 and step.weight_decays[0] > 0
                   and step.weight_decays[1] == 0,
                   observed=f"in the {phase} phase, fit's optimizer has weight decays "
                            f"{list(step.weight_decays)} over groups of {list(step.group_sizes)} "
                            "parameters",
                   expected="two groups in both phases: weight decay on group 0, none on group 1",
                   fix="create the optimizer with build_optimizer(model, lr) (and, if you "
                       "rebuild it when unfreezing, with build_optimizer again)")
            expect(sum(step.group_sizes) == len(tensors),
                   observed=f"in the {phase} phase, fit's optimizer holds "
                            f"{sum(step.group_sizes)} parameter tensors",
                   expected=f"all {len(tensors)} of the model's ({numel(tensors)} scalars)",
                   fix="build the optimizer over model.parameters(), frozen ones included")
