"""Hidden checks of `batchnorm`: run by the instructor's grading only (never shipped to learners)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from autograder.judge_side.checks import CheckFailed, check, expect, expect_close
from autograder.judge_side.client import LearnerError, Remote
from autograder.graders.batchnorm.common import (
    STATS, batch, chosen, close, expect_output, expect_stats, generator, load, make_layer, read,
    reference, reference_with, registered_buffers, run, set_values, train_mistake,
    update_mistake,
)
from autograder.i18n import _


@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_affine_false_registers_none(submission):
    """BatchNorm1d(3, affine=False) has no parameters (weight and bias registered as None, as in nn.BatchNorm1d) and, in eval mode, normalises with the running statistics without a scale or shift."""
    layer = make_layer(submission, 3, affine=False)
    info = layer.describe(values=False)
    names = sorted(info.parameters)
    expect(not names,
           observed=_("with affine=False, named_parameters() lists {names}").format(names=names),
           expected=_("no parameters"),
           fix=_("create weight and bias only when affine is True"))
    missing = [n for n in ("weight", "bias") if n not in info.none_parameters]
    expect(not missing,
           observed=_("with affine=False, {names} are not registered as None (plain attributes "
                      "or missing)").format(names=", ".join(missing)),
           expected=_("self.register_parameter(\"weight\", None) and the same for bias"),
           fix=_("register weight and bias as None with register_parameter when affine is "
                 "False, as nn.BatchNorm1d does"), cause="registration:affine-none")
    values = chosen(3, seed=20)
    set_values(layer, values, STATS)
    layer.method("eval")
    x = batch((6, 3), seed=20)
    what = _("BatchNorm1d(3, affine=False)(x) in eval mode")
    y = run(layer, x, what)
    expected = F.batch_norm(x, values["running_mean"], values["running_var"], None, None,
                            training=False)
    expect_close(y, expected, what=what,
                 fix=_("with affine=False, return the normalised input itself"),
                 rtol=1e-4, atol=1e-5)


@check(exercise="buffers", points=1, tags=["state-dict", "buffers"], visibility="hidden")
def test_state_dict_into_nn_batchnorm(submission):
    """After two train batches from a state the grader loaded, your layer's state_dict loads into nn.BatchNorm1d (strict): the same weight and bias, num_batches_tracked 5 + 2 = 7, running statistics moved by the batches."""
    layer = make_layer(submission, 3)
    registered_buffers(layer.describe(values=False))
    values = chosen(3, seed=21)
    load(layer, values, _("nn.BatchNorm1d(3)'s state_dict"))
    for seed in (22, 23):
        run(layer, batch((5, 3), seed=seed), _("a (5, 3) batch"))
    state = layer.state_dict()
    theirs = reference(3)
    try:
        theirs.load_state_dict(state)
    except RuntimeError as exc:
        raise CheckFailed(
            _("nn.BatchNorm1d(3).load_state_dict(your state_dict()) failed: {error}").format(
                error=str(exc).splitlines()[0]),
            _("a state_dict with nn.BatchNorm1d's keys, shapes and dtypes"),
            _("keep weight, bias as parameters and the statistics as persistent buffers"),
            cause="buffers:load") from None
    fix = _("keep the statistics in buffers and update those very buffers (in place, or by "
            "assigning to the registered name) in train mode, so that state_dict() holds the "
            "current values")
    for name in ("weight", "bias"):
        expect_close(theirs.state_dict()[name], values[name],
                     what=_("{name} in state_dict() after two batches").format(name=name),
                     fix=fix)
    expect_close(theirs.num_batches_tracked, torch.tensor(7),
                 what=_("num_batches_tracked in state_dict() after two batches from 5"), fix=fix)
    for name in ("running_mean", "running_var"):
        expect(not torch.allclose(theirs.state_dict()[name], values[name]),
               observed=_("{name} in state_dict() still holds the loaded values after two "
                          "batches in train mode").format(name=name),
               expected=_("the statistics moved by the two batches"), fix=fix)


@check(exercise="buffers", points=1, tags=["buffers"], visibility="hidden")
def test_double_moves_buffers(submission):
    """.double() turns the parameters and running statistics into float64 (num_batches_tracked stays int64), and the layer then computes in float64 in eval mode as nn.BatchNorm1d does."""
    layer = make_layer(submission, 3)
    values = chosen(3, seed=24)
    set_values(layer, values, ("weight", "bias") + STATS)
    layer.method("double")
    info = layer.describe(values=False)
    registered_buffers(info, ("running_mean", "running_var"))
    for name in ("running_mean", "running_var"):
        dtype = info.buffers[name].dtype
        expect(dtype.endswith("float64"),
               observed=_("after .double(), {name} is {dtype}").format(name=name, dtype=dtype),
               expected="torch.float64",
               fix=_("register {name} as a buffer: .to() and .double() convert buffers, not "
                     "plain attributes").format(name=name), cause=f"buffers:{name}")
    count = info.buffers.get("num_batches_tracked")
    expect(count is not None and count.dtype.endswith("int64"),
           observed=_("after .double(), num_batches_tracked is {dtype}").format(
               dtype=count.dtype if count is not None else None),
           expected="torch.int64",
           fix=_("register num_batches_tracked as an int64 buffer (.double() leaves integer "
                 "buffers as they are)"))
    ref = reference_with(3, values).double().eval()
    layer.method("eval")
    x = batch((6, 3), seed=25).double()
    what = _("BatchNorm1d(3).double()(x) on a float64 batch in eval mode")
    y = run(layer, x, what)
    expect(y.dtype == torch.float64, observed=_("{what} is {dtype}").format(what=what, dtype=y.dtype),
           expected="torch.float64",
           fix=_("create every tensor of the layer as a parameter or a buffer, so that "
                 ".double() converts it"))
    expect_close(y, ref(x), what=what, fix=_("compute in the dtype of the input and buffers"),
                 rtol=1e-4, atol=1e-6)


@check(exercise="buffers", points=1, tags=["buffers"], visibility="hidden")
def test_no_running_stats(submission):
    """BatchNorm1d(3, track_running_stats=False) registers the three statistics as None (its state_dict is nn.BatchNorm1d's) and normalises with the batch's statistics in train and eval mode."""
    layer = make_layer(submission, 3, track_running_stats=False)
    info = layer.describe(values=False)
    keys = sorted(reference(3, track_running_stats=False).state_dict())
    mine = sorted(info.state_dict_keys)
    expect(mine == keys,
           observed=_("with track_running_stats=False, state_dict() has the keys {keys}").format(
               keys=mine),
           expected=_("nn.BatchNorm1d's keys {keys}").format(keys=keys),
           fix=_("with track_running_stats=False, register running_mean, running_var and "
                 "num_batches_tracked as None (self.register_buffer(name, None))"))
    for name in STATS:
        try:
            value = layer.get(name)
            missing = value is not None
        except LearnerError:
            missing = True
        expect(not missing,
               observed=_("with track_running_stats=False, layer.{name} is not None (it is "
                          "missing or holds a value)").format(name=name),
               expected=_("layer.{name} is None, as in nn.BatchNorm1d").format(name=name),
               fix=_("with track_running_stats=False, register running_mean, running_var and "
                     "num_batches_tracked as None (self.register_buffer(name, None))"))
    values = chosen(3, seed=26)
    set_values(layer, values, ("weight", "bias"))
    w, b = values["weight"], values["bias"]
    x = batch((6, 3), seed=28)
    what = _("BatchNorm1d(3, track_running_stats=False)(x) in train mode")
    y = run(layer, x, what)
    expect_output(y, F.batch_norm(x, None, None, w, b, training=True), what,
                  _("when track_running_stats is False, always normalise with the batch's "
                    "statistics, and update nothing"),
                  train_mistake(y, x, w, b, 1e-5), "train:normalise")
    layer.method("eval")
    x = batch((6, 3), seed=27)
    what = _("BatchNorm1d(3, track_running_stats=False)(x) in eval mode")
    y = run(layer, x, what)
    mistake = None
    if close(y, F.batch_norm(x, torch.zeros(3), torch.ones(3), w, b, training=False)):
        mistake = _("without running statistics the layer normalised with zeros and ones in "
                    "eval mode: with track_running_stats=False it uses the batch's statistics "
                    "in both modes")
    expect_output(y, F.batch_norm(x, None, None, w, b, training=True), what,
                  _("when track_running_stats is False, always normalise with the batch's "
                    "statistics"), mistake, "eval:untracked")


def _batches(layer: Remote, ref, shapes_seeds, what):
    for shape, seed in shapes_seeds:
        x = batch(shape, seed=seed)
        run(layer, x, what)
        ref(x)


@check(exercise="train", points=1, tags=["buffers", "batchnorm"], visibility="hidden")
def test_running_update_momentum(submission):
    """With momentum=0.3, from running statistics the grader loaded, three (6, 3) batches give nn.BatchNorm1d(momentum=0.3)'s running_mean, running_var and num_batches_tracked."""
    layer = make_layer(submission, 3, momentum=0.3)
    values = chosen(3, seed=28)
    set_values(layer, values, ("weight", "bias") + STATS)
    before = read(layer, "num_batches_tracked")
    ref = reference_with(3, values, momentum=0.3)
    x = batch((6, 3), seed=29)
    run(layer, x, _("a (6, 3) batch"))
    ref(x)
    observed = (read(layer, "running_mean"), read(layer, "running_var"))
    mistake = update_mistake(observed, x, values["running_mean"], values["running_var"], 0.3)
    if mistake is None and close(observed[0], 0.9 * values["running_mean"] + 0.1 * x.mean(0)):
        mistake = _("the running update used momentum 0.1 whatever the layer was given: use "
                    "self.momentum")
    _batches(layer, ref, [((6, 3), 30), ((6, 3), 31)], _("a (6, 3) batch"))
    expect_stats(layer, ref, _("three batches with momentum=0.3"),
                 _("update each statistic as new = (1 - momentum) * old + momentum * batch, "
                   "with self.momentum"), mistake, "train:update", counted=(before, 3))


@check(exercise="train", points=1, tags=["buffers", "batchnorm"], visibility="hidden")
def test_cumulative_average(submission):
    """With momentum=None, after three batches the running statistics are the plain average of the three batches' (mean, unbiased variance) and num_batches_tracked is 3, as in nn.BatchNorm1d(momentum=None)."""
    layer = make_layer(submission, 3, momentum=None)
    ref = reference(3, momentum=None)
    _batches(layer, ref, [((6, 3), 32), ((4, 3), 33), ((8, 3), 34)], _("a batch"))
    mean = read(layer, "running_mean")
    mistake = None
    if mean is not None and not close(mean, ref.running_mean):
        simulated = reference(3, momentum=0.1)
        for shape, seed in [((6, 3), 32), ((4, 3), 33), ((8, 3), 34)]:
            simulated(batch(shape, seed=seed))
        if close(mean, simulated.running_mean):
            mistake = _("with momentum=None the running statistics moved as with momentum=0.1: "
                        "momentum=None means a cumulative average, factor 1 / "
                        "num_batches_tracked")
    expect_stats(layer, ref, _("three batches with momentum=None"),
                 _("when momentum is None, use 1 / num_batches_tracked (after adding this "
                   "batch) as the factor, which makes the running statistics the average of "
                   "every batch so far"), mistake, "train:cumulative")


@check(exercise="train", points=1, tags=["buffers", "shapes"], visibility="hidden")
def test_running_update_3d(submission):
    """After two (4, 3, 5) batches in train mode, BatchNorm1d(3)'s running statistics are nn.BatchNorm1d's: per channel over dims (0, 2), the unbiased variance over N * L values."""
    layer = make_layer(submission, 3)
    ref = reference(3)
    x = batch((4, 3, 5), seed=35)
    run(layer, x, _("a (4, 3, 5) batch"))
    ref(x)
    observed = (read(layer, "running_mean"), read(layer, "running_var"))
    mistake = update_mistake(observed, x, torch.zeros(3), torch.ones(3), 0.1)
    _batches(layer, ref, [((4, 3, 5), 36)], _("a (4, 3, 5) batch"))
    expect_stats(layer, ref, _("two (4, 3, 5) batches"),
                 _("on a (N, C, L) input each channel has N * L values: take the statistics "
                   "over dims (0, 2) and correct the variance by n / (n - 1) with n = N * L"),
                 mistake, "train:update3d")


@check(exercise="train", points=1, tags=["batchnorm"], visibility="hidden")
def test_input_gradient(submission):
    """In train mode, the gradient of (BatchNorm1d(3)(x) * g).sum() with respect to x flows through the batch's mean and variance, as in nn.BatchNorm1d."""
    layer = make_layer(submission, 3)
    values = chosen(3, seed=37)
    set_values(layer, values, ("weight", "bias"))
    x = batch((6, 3), seed=38)
    upstream = torch.randn(6, 3, generator=generator(39))
    sent = submission.tensor(x.clone().requires_grad_())
    fix = _("compute the statistics from x itself with tensor operations (no .detach(), .item() "
            "or numpy for mean and var in train mode), so that autograd differentiates through "
            "them")
    try:
        y = layer.call(sent, keep=True, action=_("calling your layer on a (6, 3) batch")).value
        y.call(upstream, method="backward", action=_("calling backward() on your layer's output"))
        grad = sent.get("grad")
    except (LearnerError, AttributeError) as exc:
        error = exc.evidence.error if isinstance(exc, LearnerError) else _("not a tensor")
        raise CheckFailed(_("a backward pass through the layer failed: {error}").format(
            error=error), _("a gradient for x"), fix) from None
    mine = x.clone().requires_grad_()
    F.batch_norm(mine, None, None, values["weight"], values["bias"], training=True).mul(
        upstream).sum().backward()
    expect(isinstance(grad, torch.Tensor), observed=_("x.grad is None after backward()"),
           expected=_("a gradient for x"), fix=fix)
    expect_close(grad, mine.grad, what=_("x.grad after backward() through the layer"), fix=fix,
                 rtol=1e-4, atol=1e-5)


@check(exercise="eval", points=1, tags=["freezing", "batchnorm"], visibility="hidden")
def test_eval_keeps_statistics_train_resumes(submission):
    """One train batch, two eval batches (the statistics and num_batches_tracked stay what the train batch left), then train() again: the next batch updates them (num_batches_tracked 2)."""
    layer = make_layer(submission, 3)
    run(layer, batch((6, 3), seed=40), _("a (6, 3) batch"))
    kept = {name: read(layer, name) for name in STATS}
    layer.method("eval")
    for seed in (41, 42):
        run(layer, batch((6, 3), seed=seed), _("a batch in eval mode"))
    fix = _("update the running statistics only when self.training is True, and read "
            "self.training in forward at every call, as train() and eval() set it")
    for name in STATS:
        now = read(layer, name)
        expect(kept[name] is not None and now is not None and torch.equal(now, kept[name]),
               observed=_("{name} changed during forward passes in eval mode").format(name=name),
               expected=_("the statistics the train batch left, unchanged in eval mode"),
               fix=fix, cause="eval:update")
    layer.method("train")
    run(layer, batch((6, 3), seed=43), _("a batch in train mode after train()"))
    count = read(layer, "num_batches_tracked")
    expect_close(count.reshape(()) if count is not None else count, torch.tensor(2),
                 what=_("num_batches_tracked after train(), eval() and train()"), fix=fix)
    mean = read(layer, "running_mean")
    expect(mean is not None and not torch.equal(mean, kept["running_mean"]),
           observed=_("after train(), a batch left running_mean unchanged"),
           expected=_("running statistics updated again in train mode"), fix=fix)


@check(exercise="eval", points=1, tags=["batchnorm"], visibility="hidden")
def test_eval_3d(submission):
    """In eval mode, BatchNorm1d(3) normalises a (2, 3, 4) input with its running statistics, broadcast over the length: as F.batch_norm(training=False)."""
    layer = make_layer(submission, 3)
    values = chosen(3, seed=46)
    set_values(layer, values, ("weight", "bias") + STATS)
    layer.method("eval")
    x = batch((2, 3, 4), seed=47)
    what = _("BatchNorm1d(3)(x) on a (2, 3, 4) input in eval mode")
    y = run(layer, x, what)
    expected = F.batch_norm(x, values["running_mean"], values["running_var"], values["weight"],
                            values["bias"], training=False)
    mistake = None
    if close(y, F.batch_norm(x, None, None, values["weight"], values["bias"], training=True)):
        mistake = _("in eval mode the output is normalised with the batch's own statistics: "
                    "eval mode uses running_mean and running_var (check self.training)")
    expect_output(y, expected, what,
                  _("reshape running_mean, running_var, weight and bias to (1, C, 1) on a "
                    "(N, C, L) input, so that they broadcast over the length"), mistake,
                  "eval:batch-stats")
