"""Hidden checks of `freeze`: run by the instructor's grading only."""
from __future__ import annotations

import math

import pytest
import torch

from autograder.judge_side.checks import CheckFailed, check, expect
from autograder.judge_side.client import Remote, reference_model
from autograder.graders.freeze.common import (
    TINY_YOLO, TINY_YOLO_FROZEN, UNTRACKED, FitPlan, backbone, batchnorm_names, close,
    describe_names, drawn_values, expect_every_batch, expect_probe, expect_ran,
    expect_returns_module, expect_verified, fresh_model, judge_step, learner_step, load_drawn,
    observe_fit, optimizer_groups, probe, read_state, same, trainable_count,
    trainable_while_frozen, under, untracked_fix,
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
    # The flags and modes the learner process reports explain a failure; what passes is what a
    # training step the judge replayed, and a forward pass it computed itself, show.
    info = model.describe(values=False)
    no_freeze = dict(
        observed=_("freeze(model.backbone) left backbone parameters trainable, so there is "
                   "no freeze yet whose effect on the rest of the model could be checked"),
        expected=_("the backbone frozen, and the rest of the model as it was"),
        fix=_("finish freeze first (see freeze_turns_off_requires_grad)"), cause="freeze:none")
    expect(not any(p.requires_grad for n, p in info.parameters.items() if under(n, "backbone")),
           **no_freeze)
    head_frozen = dict(observed=_("some head parameters stopped requiring grad"),
                       expected=_("the head untouched"),
                       fix=_("change only the parameters of the module given"))
    expect(all(p.requires_grad for n, p in info.parameters.items() if under(n, "head")),
           **head_frozen)
    head_eval = dict(observed=_("the head (or the whole model) was put in eval mode"),
                     expected=_("only BatchNorm layers inside the frozen module in eval mode"),
                     fix=_("put the BatchNorm layers of the module you are given in eval mode, "
                           "and nothing else"))
    expect(all(m.training for n, m in info.modules if not under(n, "backbone")), **head_eval)
    step = probe(model)
    expect_probe(step)
    expect(not step.moved("backbone"), **no_freeze)
    still = step.still("head")
    if still:
        head_frozen["observed"] = _("in one training step after freezing the backbone, head "
                                    "parameters did not train ({names})").format(
            names=describe_names(still))
    expect(not still, **head_frozen)
    resting = step.statistics_still("head")
    if resting:
        head_eval["observed"] = _("in one training step after freezing the backbone, the "
                                  "running statistics of the head's BatchNorm layers did not "
                                  "move ({names}): the head was put in eval mode").format(
            names=describe_names(resting))
    expect(not resting, **head_eval)
    _expect_other_layers_keep_their_mode(submission)


INSIDE = {"class": "Sequential", "children": [
    {"class": "Linear", "args": [4, 4]}, {"class": "BatchNorm1d", "args": [4]},
    {"class": "Dropout", "args": [0.5]}]}
DROPOUT_SEED = 5


def _expect_other_layers_keep_their_mode(submission) -> None:
    """freeze(Sequential(Linear, BatchNorm1d, Dropout)): the module's forward, with a seed the
    judge fixed, must be the judge's own with Dropout dropping (BatchNorm1d in either mode)."""
    inside = submission.build(INSIDE, seed=0)
    submission.function("freeze")(inside)
    observed = None
    modes = {n: m.training for n, m in inside.describe(values=False).modules}
    resting = [n or _("the module itself") for n in ("", "0", "2") if not modes.get(n, True)]
    if resting:
        observed = _("freeze put layers that are not BatchNorm in eval mode: {layers} (a "
                     "Dropout in eval mode stops dropping; the module's own mode "
                     "changed)").format(layers=resting)
    else:
        generator = torch.Generator().manual_seed(13)
        own = reference_model(INSIDE, seed=0)
        values = drawn_values(own, generator)
        x = torch.randn(16, 4, generator=generator)
        load_drawn(inside, values, "Sequential(Linear, BatchNorm1d, Dropout)")
        got = inside.call(x, seed=DROPOUT_SEED, no_grad=True,
                          action=_("running the frozen module forward")).value

        # BatchNorm1d's mode is freeze_reaches_every_layer's concept: either mode passes here.
        def forward(bn_training: bool, dropout_training: bool):
            own.load_state_dict(values)
            own.train()
            own[1].train(bn_training)
            own[2].train(dropout_training)
            with torch.random.fork_rng(), torch.no_grad():
                torch.manual_seed(DROPOUT_SEED)
                return own(x)

        def matches(dropout_training: bool) -> bool:
            return isinstance(got, torch.Tensor) and any(
                close(got, forward(bn, dropout_training)) for bn in (False, True))

        if not matches(True):
            observed = (_("after freeze, the module's Dropout no longer drops anything: freeze "
                          "put layers that are not BatchNorm in eval mode")
                        if matches(False) else
                        _("after freeze, the module's forward pass (with a seed the grader "
                          "fixed) is not what Linear, BatchNorm1d (in either mode) and "
                          "Dropout in train mode give"))
    expect(observed is None, observed=observed,
           expected=_("only the BatchNorm layers in eval mode; every other layer keeps its mode"),
           fix=_("switch BatchNorm layers to eval mode one by one, instead of calling eval() on "
                 "the module (which switches every layer inside it)"))


# A bare layer and BatchNorm layers of every dimension two levels deep; each stepped on its own,
# on an input of its shape: "0" is Sequential(Conv2d(3, 4, 3), Sequential(BatchNorm2d(4))).
BARE = {"class": "BatchNorm2d", "args": [4]}
NESTED = {"class": "Sequential", "children": [
    {"class": "Sequential", "children": [
        {"class": "Conv2d", "args": [3, 4, 3]},
        {"class": "Sequential", "children": [{"class": "BatchNorm2d", "args": [4]}]}]},
    {"class": "BatchNorm1d", "args": [4]}, {"class": "BatchNorm3d", "args": [4]}]}
NESTED_INPUTS = (("0", (2, 3, 6, 6)), ("1", (3, 4)), ("2", (2, 4, 2, 3, 3)))


def _frozen_step(submission, module: Remote, own, values: dict, x, upstream, what: str):
    """One step of a frozen module on both sides: (output, values after) of the learner's, and
    of the judge's own copy frozen and in eval mode."""
    got = learner_step(submission, module, x, upstream,
                       _("taking one SGD step of {what} after freeze").format(what=what))
    want, want_state = judge_step(own, values, x, upstream, training=False, trainable=False)
    return got, want, want_state


@check(exercise="freeze", points=1, tags=["batchnorm", "freezing"], visibility="hidden")
def test_freeze_reaches_every_layer(submission):
    """freeze works on any module: a bare BatchNorm2d, BatchNorm nested two levels deep, BatchNorm1d and 3d."""
    freeze = submission.function("freeze")
    generator = torch.Generator().manual_seed(17)
    fix_bare = _("walk module.modules(), which yields the module itself and every layer inside "
                 "it, at any depth (children() yields only the direct children)")
    bare = submission.build(BARE, seed=0)
    freeze(bare)
    info = bare.describe(values=False)
    grads = [p.requires_grad for p in info.parameters.values()]
    expected_bare = _("the layer itself in eval mode with frozen weight and bias")
    expect(not info.training or info.attributes.get("track_running_stats") is not False,
           observed=_("freeze(nn.BatchNorm2d(4)) left the layer in train mode with "
                      "track_running_stats=False"),
           expected=expected_bare, fix=untracked_fix(), cause=UNTRACKED)
    expect(not info.training and not any(grads),
           observed=_("freeze(nn.BatchNorm2d(4)) left training={training}, "
                      "requires_grad={grads}").format(training=info.training, grads=grads),
           expected=expected_bare, fix=fix_bare)
    # What passes: one SGD step of the layer on the judge's input changes none of its values,
    # and its output is the judge's own eval-mode BatchNorm of that input.
    own = reference_model(BARE, seed=0)
    values = drawn_values(own, generator)
    x, upstream = torch.randn(3, 4, 5, 5, generator=generator), torch.randn(3, 4, 5, 5,
                                                                           generator=generator)
    load_drawn(bare, values, "nn.BatchNorm2d(4)")
    got, want, want_state = _frozen_step(submission, bare, own, values, x, upstream,
                                         "nn.BatchNorm2d(4)")
    after = read_state(bare, values)
    changed = [k for k, v in want_state.items() if not same(after[k], v)]
    expect(got is not None and close(got, want) and not changed,
           observed=_("after freeze(nn.BatchNorm2d(4)), one SGD step on an input the grader "
                      "chose changed {names}, or its output is not eval-mode BatchNorm of the "
                      "input: the layer itself was not frozen").format(
               names=describe_names(changed) or _("nothing")),
           expected=expected_bare, fix=fix_bare)
    nested = submission.build(NESTED, seed=0)
    freeze(nested)
    info = nested.describe(values=False)
    fix_nested = _("walk module.modules(), which recurses into every submodule, and recognise "
                   "every BatchNorm by its common base class, nn.modules.batchnorm._BatchNorm")
    expected_nested = _("every BatchNorm layer, of any dimension (1-D, 2-D, 3-D) and at any "
                        "depth, in eval mode")
    expect(not any(info.submodule(n).training for n in batchnorm_names(info)),
           observed=_("a BatchNorm layer stayed in train mode: {layers}").format(
               layers=", ".join(f"{n} ({info.submodule(n).type})" for n in batchnorm_names(info)
                                if info.submodule(n).training)),
           expected=expected_nested, fix=fix_nested)
    own = reference_model(NESTED, seed=0)
    kinds = {n: type(m).__name__ for n, m in own.named_modules()}
    values = drawn_values(own, generator)
    load_drawn(nested, values, _("the nested Sequential"))
    wrong = []
    for path, shape in NESTED_INPUTS:
        x, upstream = torch.randn(shape, generator=generator), None
        part = own.get_submodule(path)
        upstream = torch.randn(part(x).shape, generator=generator)
        mine = {k.partition(".")[2]: v for k, v in values.items() if k.partition(".")[0] == path}
        got, want, want_state = _frozen_step(submission, nested.get(path, keep=True), part,
                                             mine, x, upstream, kinds[path])
        after = read_state(nested, [f"{path}.{k}" for k in want_state])
        moved = sorted({f"{path}.{k}".rpartition(".")[0] for k, v in want_state.items()
                        if not same(after[f"{path}.{k}"], v)})
        wrong += [f"{n} ({kinds.get(n, '?')})" for n in moved]
        if not moved and (got is None or not close(got, want)):
            wrong.append(f"{path} ({kinds[path]})")
    expect(not wrong,
           observed=_("after freeze, one SGD step of each part on an input the grader chose "
                      "changed the values of, or did not compute eval-mode BatchNorm in: "
                      "{layers}").format(layers=", ".join(wrong)),
           expected=expected_nested, fix=fix_nested)


@check(exercise="freeze", points=1, tags=["freezing"], visibility="hidden")
def test_freeze_returns_the_module(submission):
    """freeze(model.backbone) returns model.backbone itself."""
    model = fresh_model(submission)

    def froze() -> None:
        info = model.describe(values=False)
        none = dict(observed=_("freeze(model.backbone) returns the module but leaves it "
                               "trainable"),
                    expected=_("a freeze that freezes, returning the module"),
                    fix=_("finish freeze first (see freeze_turns_off_requires_grad)"),
                    cause="freeze:none")
        expect(not any(p.requires_grad for n, p in info.parameters.items()
                       if under(n, "backbone")), **none)
        step = probe(model)
        expect_probe(step)
        expect(not step.moved("backbone"), **none)

    expect_returns_module(submission, "freeze", model, TINY_YOLO, froze)


# -- unfreeze --------------------------------------------------------------------------------

@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_returns_the_module(submission):
    """unfreeze(model.backbone) returns model.backbone itself."""
    model = submission.build(TINY_YOLO_FROZEN, seed=0)

    def unfroze() -> None:
        info = model.describe(values=False)
        none = dict(observed=_("unfreeze(model.backbone) returns the module but leaves it "
                               "frozen"),
                    expected=_("an unfreeze that unfreezes, returning the module"),
                    fix=_("finish unfreeze first (see unfreeze_restores_training)"),
                    cause="unfreeze:none")
        expect(all(p.requires_grad for n, p in info.parameters.items()
                   if under(n, "backbone")), **none)
        step = probe(model)
        expect_probe(step)
        expect(not step.still("backbone"), **none)

    expect_returns_module(submission, "unfreeze", model, TINY_YOLO_FROZEN, unfroze)


@check(exercise="unfreeze", points=1, tags=["freezing"], visibility="hidden")
def test_unfreeze_reaches_every_parameter(submission):
    """unfreeze turns requires_grad back on for parameters frozen in any way, at any depth, and for a bare layer's own."""
    unfreeze = submission.function("unfreeze")
    model = submission.build(TINY_YOLO_FROZEN, seed=0)
    unfreeze(model.get("backbone", keep=True))
    info = model.describe(values=False)
    frozen = [n for n, p in info.parameters.items() if under(n, "backbone") and not p.requires_grad]
    bare = submission.build({**BARE, "frozen": [""], "eval": [""]}, seed=0)
    unfreeze(bare)
    bare_info = bare.describe(values=False)
    frozen += [f"nn.BatchNorm2d(4).{n}" for n, p in bare_info.parameters.items()
               if not p.requires_grad]
    # Reported flags explain a failure; what passes is every parameter moved by a step the judge
    # replayed (the model) or computed itself (the bare layer).
    if not frozen:
        step = probe(model)
        expect_probe(step)
        frozen = step.still("backbone")
    if not frozen:
        frozen = [f"nn.BatchNorm2d(4).{n}" for n in _bare_still_frozen(submission, bare)]
    expect(not frozen,
           observed=_("{count} parameters still frozen ({names})").format(
               count=len(frozen), names=describe_names(frozen)),
           expected=_("requires_grad == True everywhere in the module, its own parameters "
                      "included"),
           fix=_("loop over every parameter the module holds (recursively, its own included), "
                 "not over its children or a few layers"))


def _bare_still_frozen(submission, bare: Remote) -> list[str]:
    """The parameters of an unfrozen bare BatchNorm2d(4) that one SGD step on the judge's input
    did not move by the judge's own update. The layer's mode is not this check's concept: the
    output shows which mode the step ran in (train mode, or eval mode as before), and the judge
    computes the update of that mode."""
    generator = torch.Generator().manual_seed(19)
    own = reference_model(BARE, seed=0)
    values = drawn_values(own, generator)
    x, upstream = torch.randn(3, 4, 5, 5, generator=generator), torch.randn(3, 4, 5, 5,
                                                                           generator=generator)
    load_drawn(bare, values, "nn.BatchNorm2d(4)")
    got = learner_step(submission, bare, x, upstream,
                       _("taking one SGD step of nn.BatchNorm2d(4) after unfreeze"))
    after = read_state(bare, values)
    names = [n for n, _p in own.named_parameters()]
    for training in (True, False):
        want, want_state = judge_step(own, values, x, upstream, training=training,
                                      trainable=True)
        if got is not None and close(got, want):
            frozen = [n for n in names if same(after[n], values[n])]
            wrong = [n for n in names if n not in frozen and not close(after[n], want_state[n])]
            expect(not wrong,
                   observed=_("after unfreeze(nn.BatchNorm2d(4)), one SGD step on an input the "
                              "grader chose moved {names}, but not by the SGD update the grader "
                              "computed").format(names=describe_names(wrong)),
                   expected=_("the layer computing BatchNorm as before, its parameters "
                              "trainable"),
                   fix=_("change only requires_grad and train/eval modes; leave the layer's "
                         "values and methods alone"))
            return frozen
    raise CheckFailed(
        _("after unfreeze(nn.BatchNorm2d(4)), the layer's output on an input the grader chose "
          "is BatchNorm neither in train mode nor in eval mode"),
        _("the layer computing BatchNorm as before, its parameters trainable"),
        _("change only requires_grad and train/eval modes; leave the layer's values and "
          "methods alone"))


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
                          "{got}").format(
                   kwargs=", ".join(f"{k}={v!r}" for k, v in kwargs.items()), got=got),
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
    untracked = [s.number for s in fit_trace.frozen_steps
                 if any(n in s.training and n in s.untracked for n in norms)]
    expect(not untracked,
           observed=_("in {count} training batches of the frozen phase, backbone BatchNorm "
                      "layers were in train mode with track_running_stats=False, normalising "
                      "with each batch's own statistics").format(count=len(untracked)),
           expected=_("backbone BatchNorm in eval mode for every frozen batch"),
           fix=untracked_fix(), cause=UNTRACKED)
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
    expect_every_batch(fit_trace)
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
        # The exercise asks for the plain mean of the batch losses; the grader's data set
        # leaves a smaller last batch, so a mean weighted by batch size differs from it.
        mean = sum(s.loss for s in batches) / len(batches)
        weighted = sum(s.loss * s.batch for s in batches) / sum(s.batch for s in batches)
        losses = ", ".join(_("{loss:.4f} ({count} images)").format(loss=s.loss, count=s.batch)
                           for s in batches)
        is_weighted = (not math.isclose(mean, weighted, rel_tol=1e-3, abs_tol=1e-6)
                       and math.isclose(loss, weighted, rel_tol=1e-3, abs_tol=1e-6))
        expect(math.isclose(loss, mean, rel_tol=1e-3, abs_tol=1e-6),
               observed=(_("epoch {epoch} reports loss={loss:.4f}, the mean of its batch losses "
                           "weighted by batch size; its {count} batches had losses {losses}")
                         if is_weighted else
                         _("epoch {epoch} reports loss={loss:.4f}; its {count} batches had "
                           "losses {losses}")).format(
                   epoch=epoch, loss=loss, count=len(batches), losses=losses),
               expected=_("the mean of the batch losses, {mean:.4f}: their sum divided by the "
                          "number of batches").format(mean=mean),
               fix=(_("divide the sum of the batch losses by the number of batches, without "
                      "weighting each loss by its batch size")
                    if is_weighted else
                    _("add up every batch's loss of the epoch and divide by the number of "
                      "batches (not the last batch's loss, not the sum)")))


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
    expect_every_batch(fit_trace)
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
        "clipped": (_("at step {step} (epoch {epoch}), the gradients were clipped between "
                      "backward and the step ({detail}), as clip_grad_norm_ or clip_grad_value_ "
                      "do"),
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
