"""Public checks of `batchnorm`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from autograder.judge_side.checks import check, expect, expect_close, plain
from autograder.graders.batchnorm.common import (
    STATS, batch, chosen, close, load, expect_output, expect_stats, generator, make_layer, read,
    reference, reference_with, registered_buffers, registered_parameter, run, set_values,
    train_mistake, update_mistake,
)
from autograder.i18n import _


@check(exercise="parameters", points=1, tags=["registration"], visibility="visible")
def test_weight_and_bias_are_parameters(submission):
    """BatchNorm1d(3) registers exactly `weight` and `bias` as nn.Parameters of shape (3,): one SGD step on model.parameters() moves each by its gradient."""
    layer = make_layer(submission, 3)
    info = layer.describe(values=False)
    for name in ("weight", "bias"):
        registered_parameter(info, name)
    names = sorted(info.parameters)
    expect(names == ["bias", "weight"],
           observed=_("named_parameters() lists {names}").format(names=names),
           expected=_("exactly ['bias', 'weight']"),
           fix=_("register only weight and bias as parameters; the running statistics are "
                 "buffers"))
    for name in ("weight", "bias"):
        shape = info.parameters[name].shape
        expect(shape == (3,), observed=_("{name} has shape {shape}").format(name=name, shape=shape),
               expected="(num_features,) = (3,)",
               fix=_("create {name} with one entry per feature").format(name=name))
    values = chosen(3, seed=1)
    set_values(layer, values, ("weight", "bias"))
    g = generator(2)
    x, upstream = batch((6, 3), seed=3), torch.randn(6, 3, generator=g)
    step = submission.instrument("sgd_step", _("taking one SGD step on model.parameters()"),
                                 module=layer, inputs=[x], upstream=upstream, lr=0.1)
    output = plain(step.get("output") if isinstance(step, dict) else None,
                   what=_("the layer's output"))
    weight, bias = values["weight"], values["bias"]
    # The gradient of (y * g).sum() for y = x_hat * weight + bias, whatever x_hat the layer
    # computed: bias gets g summed over the batch, weight g * x_hat summed.
    x_hat = (output - bias) / weight if tuple(output.shape) == tuple(x.shape) else output
    expected = {"weight": weight - 0.1 * (upstream * x_hat).sum(0),
                "bias": bias - 0.1 * upstream.sum(0)}
    for name in ("weight", "bias"):
        value = read(layer, name)
        expect(value is not None and not torch.equal(value, values[name]),
               observed=_("{name} did not change after optimizer.step()").format(name=name),
               expected=_("{name} updated by the step").format(name=name),
               fix=_("use self.{name} itself in forward (not a copy, .data or .detach()), so "
                     "the loss's gradient reaches it").format(name=name))
        expect_close(value, expected[name],
                     what=_("{name} after one SGD step (lr=0.1) on (layer(x) * g).sum()").format(
                         name=name),
                     fix=_("forward must scale the normalised input by self.weight and add "
                           "self.bias, so that the step moves each by lr times its gradient"),
                     rtol=1e-4, atol=1e-5)


@check(exercise="parameters", points=1, tags=["init"], visibility="visible")
def test_parameters_start_at_ones_and_zeros(submission):
    """A fresh BatchNorm1d(5) has weight all ones and bias all zeros, so it starts as a plain normalisation."""
    layer = make_layer(submission, 5)
    for name, start in (("weight", torch.ones(5)), ("bias", torch.zeros(5))):
        value = read(layer, name)
        expect(value is not None,
               observed=_("the layer has no tensor `{name}`").format(name=name),
               expected=_("a parameter `{name}` of shape (5,)").format(name=name),
               fix=_("create self.{name} as an nn.Parameter in __init__").format(name=name))
        expect_close(value, start, what=_("{name} of a fresh BatchNorm1d(5)").format(name=name),
                     fix=_("start weight at ones and bias at zeros (torch.ones, torch.zeros), as "
                           "nn.BatchNorm1d does"))


@check(exercise="buffers", points=2, tags=["buffers", "state-dict"], visibility="visible")
def test_running_stats_are_buffers(submission):
    """BatchNorm1d(3) keeps running_mean (zeros), running_var (ones) and num_batches_tracked (0, int64) as persistent buffers: its state_dict has nn.BatchNorm1d's keys, and a state_dict from nn.BatchNorm1d loads into it exactly."""
    layer = make_layer(submission, 3)
    info = layer.describe()
    registered_buffers(info)
    for name in STATS:
        expect(info.buffers[name].persistent is not False,
               observed=_("`{name}` is registered with persistent=False, so state_dict() does "
                          "not save it").format(name=name),
               expected=_("a persistent buffer, saved in state_dict()"),
               fix=_("register {name} without persistent=False").format(name=name),
               cause=f"buffers:{name}")
    count = info.buffers["num_batches_tracked"]
    expect(count.dtype.endswith("int64") and tuple(count.shape) == (),
           observed=_("num_batches_tracked is a {dtype} of shape {shape}").format(
               dtype=count.dtype, shape=tuple(count.shape)),
           expected=_("a 0-dimensional int64 tensor (torch.tensor(0, dtype=torch.long))"),
           fix=_("register num_batches_tracked as torch.tensor(0, dtype=torch.long)"))
    for name, start in (("running_mean", torch.zeros(3)), ("running_var", torch.ones(3))):
        expect_close(info.buffers[name].value, start,
                     what=_("{name} of a fresh BatchNorm1d(3)").format(name=name),
                     fix=_("start running_mean at zeros and running_var at ones"))
    keys = sorted(reference(3).state_dict())
    mine = sorted(info.state_dict_keys)
    expect(mine == keys,
           observed=_("state_dict() has the keys {keys}").format(keys=mine),
           expected=_("nn.BatchNorm1d(3)'s keys {keys}").format(keys=keys),
           fix=_("register weight and bias as parameters and the three statistics as buffers, "
                 "nothing else"))
    values = chosen(3, seed=4)
    load(layer, values, _("nn.BatchNorm1d(3)'s state_dict"))
    state = layer.state_dict()
    for name, value in values.items():
        expect_close(state.get(name), value,
                     what=_("{name} in state_dict() after load_state_dict").format(name=name),
                     fix=_("keep the statistics in registered buffers: load_state_dict copies "
                           "into them"))


@check(exercise="train", points=2, tags=["batchnorm", "forward"], visibility="visible")
def test_train_forward_2d(submission):
    """In train mode, BatchNorm1d(4, eps=0.01) normalises an (8, 4) batch with the batch's mean and biased variance, eps inside the square root, then applies weight and bias: as F.batch_norm(training=True)."""
    layer = make_layer(submission, 4, eps=0.01)
    values = chosen(4, seed=5)
    set_values(layer, values, ("weight", "bias"))
    spread = torch.tensor([0.05, 0.3, 1.0, 2.5])
    x = torch.randn(8, 4, generator=generator(6)) * spread + torch.tensor([1.0, -2.0, 0.5, 3.0])
    what = _("BatchNorm1d(4, eps=0.01)(x) in train mode")
    y = run(layer, x, what)
    w, b = values["weight"], values["bias"]
    expected = F.batch_norm(x, None, None, w, b, training=True, eps=0.01)
    mistake = train_mistake(y, x, w, b, 0.01, torch.zeros(4), torch.ones(4))
    expect_output(y, expected, what,
                  _("normalise each feature with the batch's mean and biased variance, "
                    "(x - mean) / sqrt(var + eps), then multiply by weight and add bias"),
                  mistake, "train:normalise")


@check(exercise="train", points=2, tags=["buffers", "batchnorm"], visibility="visible")
def test_running_update(submission):
    """After one (6, 3) batch in train mode, BatchNorm1d(3) holds running_mean = 0.9 * 0 + 0.1 * mean, running_var = 0.9 * 1 + 0.1 * unbiased var, num_batches_tracked = 1."""
    layer = make_layer(submission, 3)
    x = batch((6, 3), seed=7)
    run(layer, x, _("a (6, 3) batch"))
    ref = reference(3)
    ref(x)
    observed = (read(layer, "running_mean"), read(layer, "running_var"))
    mistake = update_mistake(observed, x, torch.zeros(3), torch.ones(3), 0.1)
    expect_stats(layer, ref, _("one batch in train mode"),
                 _("in train mode update each statistic as new = (1 - momentum) * old + "
                   "momentum * batch, with the batch's unbiased variance for running_var, and "
                   "add 1 to num_batches_tracked"), mistake, "train:update")


@check(exercise="train", points=1, tags=["batchnorm", "shapes"], visibility="visible")
def test_train_forward_3d(submission):
    """In train mode, BatchNorm1d(3) normalises a (4, 3, 5) input per channel over dims (0, 2), the batch and the length: as F.batch_norm(training=True)."""
    layer = make_layer(submission, 3)
    values = chosen(3, seed=8)
    set_values(layer, values, ("weight", "bias"))
    x = batch((4, 3, 5), seed=9)
    what = _("BatchNorm1d(3)(x) on a (4, 3, 5) input in train mode")
    y = run(layer, x, what)
    w, b = values["weight"], values["bias"]
    expected = F.batch_norm(x, None, None, w, b, training=True, eps=1e-5)
    expect_output(y, expected, what,
                  _("on a (N, C, L) input take each channel's statistics over dims (0, 2) and "
                    "reshape them (and weight, bias) to (1, C, 1) so that they broadcast"),
                  train_mistake(y, x, w, b, 1e-5, torch.zeros(3), torch.ones(3)),
                  "train:normalise")


@check(exercise="eval", points=2, tags=["batchnorm"], visibility="visible")
def test_eval_uses_running_stats(submission):
    """After eval(), BatchNorm1d(3) normalises with running_mean and running_var (as F.batch_norm(training=False)) and leaves them and num_batches_tracked as they were."""
    layer = make_layer(submission, 3)
    values = chosen(3, seed=10)
    set_values(layer, values, ("weight", "bias") + STATS)
    before = read(layer, "num_batches_tracked")
    layer.method("eval")
    x = batch((5, 3), seed=11)
    what = _("BatchNorm1d(3)(x) in eval mode")
    y = run(layer, x, what)
    w, b = values["weight"], values["bias"]
    rm, rv = values["running_mean"], values["running_var"]
    expected = F.batch_norm(x, rm, rv, w, b, training=False, eps=1e-5)
    mistake = None
    if close(y, F.batch_norm(x, None, None, w, b, training=True, eps=1e-5)):
        mistake = _("in eval mode the output is normalised with the batch's own statistics: "
                    "eval mode uses running_mean and running_var (check self.training)")
    expect_output(y, expected, what,
                  _("when self.training is False, normalise with running_mean and running_var "
                    "instead of the batch's statistics"), mistake, "eval:batch-stats")
    ref = reference_with(3, values)
    ref.eval()
    ref(x)
    changed = read(layer, "running_mean")
    mistake = None
    if changed is not None and not close(changed, rm):
        mistake = _("the running statistics changed during a forward pass in eval mode: eval "
                    "mode must leave them (and num_batches_tracked) as they are")
    expect_stats(layer, ref, _("a batch in eval mode"),
                 _("update the running statistics only when self.training is True"),
                 mistake, "eval:update", counted=(before, 0))


@check(exercise="eval", points=1, tags=["freezing", "batchnorm"], visibility="visible")
def test_requires_grad_false_keeps_training_statistics(submission):
    """requires_grad_(False) changes nothing in train mode: the frozen layer normalises with the batch's statistics and updates its running statistics exactly as the same layer with trainable parameters does (only eval() keeps them)."""
    values = chosen(3, seed=44)
    frozen, twin = make_layer(submission, 3), make_layer(submission, 3)
    for layer in (frozen, twin):
        set_values(layer, values, ("weight", "bias"))
    frozen.method("requires_grad_", False)
    x = batch((6, 3), seed=45)
    what = _("the output in train mode with requires_grad_(False)")
    y = run(frozen, x, what)
    y_twin = run(twin, x, _("the output in train mode"))
    start = torch.zeros(3), torch.ones(3)
    mistake = None
    if close(y, F.batch_norm(x, *start, values["weight"], values["bias"], training=False)):
        mistake = _("with requires_grad_(False) in train mode the layer normalised with its "
                    "running statistics: requires_grad only concerns weight and bias; the "
                    "mode (train() / eval()) decides which statistics are used")
    fix = _("decide between batch and running statistics, and whether to update them, with "
            "self.training only, never with requires_grad")
    expect(mistake is None, observed=mistake or "",
           expected=_("the same output as with trainable parameters"), fix=fix,
           cause="freezing:requires-grad" if mistake else None)
    expect_close(y, y_twin, what=what, fix=fix)
    mean, twin_mean = read(frozen, "running_mean"), read(twin, "running_mean")
    mistake = None
    if mean is not None and close(mean, start[0]) and not close(twin_mean, start[0]):
        mistake = _("with requires_grad_(False) in train mode the running statistics did not "
                    "change: requires_grad freezes weight and bias only; eval() is what keeps "
                    "the statistics")
    expect(mistake is None, observed=mistake or "",
           expected=_("running statistics updated as with trainable parameters"), fix=fix,
           cause="freezing:requires-grad" if mistake else None)
    for name in STATS:
        mine, theirs = read(frozen, name), read(twin, name)
        expect(mine is not None and theirs is not None and close(mine, theirs, atol=1e-6),
               observed=_("after a train batch, {name} is {mine} with requires_grad_(False) "
                          "but {theirs} without").format(name=name, mine=mine, theirs=theirs),
               expected=_("the same statistics either way"), fix=fix)
    expect(twin_mean is not None and not close(twin_mean, start[0]),
           observed=_("a train batch left running_mean at zeros"),
           expected=_("running statistics updated in train mode"), fix=fix)
