"""Public checks of `linear`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch
from torch import nn

from autograder.judge_side import static
from autograder.judge_side.checks import CheckFailed, check, expect, expect_close, plain
from autograder.graders.linear.common import (
    AUTOGRAD_CALLS, EVASIONS, GRAD_CUT_CAUSE, LINEAR, NN_LINEAR_CAUSE, call_layer,
    diagnosis_cause, expect_drawn, expect_gradients, expect_no_forbidden, expect_step_moves,
    forbidden_in_source, forward_case, forward_diagnosis, generator, get_function,
    known_weights, layer_tensor, make_layer, nn_linear_evidence, read_tensor, reference_forward,
    registered_weight, run_function, uniform_bound, untransposed_diagnosis, watch_findings,
)
from autograder.judge_side.client import LearnerError, TensorInfo
from autograder.i18n import _


@check(exercise="parameters", points=1, tags=["registration"], visibility="visible")
def test_weight_and_bias_are_parameters(submission):
    """Linear(3, 2) registers exactly `weight` and `bias` as nn.Parameters: one step of an SGD optimizer built from model.parameters() updates both by the gradients the grader chose."""
    layer = make_layer(submission, 3, 2)
    expect_step_moves(submission, layer, ("weight", "bias"), seed=11)
    info = layer.describe(values=False)
    names = sorted(info.parameters)
    expect(names == ["bias", "weight"],
           observed=_("named_parameters() lists {names}").format(names=names),
           expected=_("exactly ['bias', 'weight']"),
           fix=_("register only weight and bias; keep other state as plain attributes"))


@check(exercise="parameters", points=1, tags=["shapes"], visibility="visible")
def test_parameter_shapes(submission):
    """Linear(3, 2) has weight of shape (out_features, in_features) = (2, 3) and bias (2,)."""
    layer = make_layer(submission, 3, 2)
    weight, bias = read_tensor(layer, "weight"), read_tensor(layer, "bias")
    expect(tuple(weight.shape) == (2, 3),
           observed=_("weight has shape {shape}").format(shape=tuple(weight.shape)),
           expected="(out_features, in_features) = (2, 3)",
           fix=_("create weight with one row per output and one column per input"))
    expect(tuple(bias.shape) == (2,),
           observed=_("bias has shape {shape}").format(shape=tuple(bias.shape)),
           expected="(out_features,) = (2,)",
           fix=_("create bias with one entry per output"))


@check(exercise="init", points=1, tags=["init"], visibility="visible")
def test_init_within_bound(submission):
    """Linear(16, 32) starts with every weight and bias inside [-1/sqrt(16), 1/sqrt(16)] = [-0.25, 0.25]."""
    info = make_layer(submission, 16, 32, seed=0).describe()
    bound = uniform_bound(16)
    for name in ("weight", "bias"):
        values = layer_tensor(info, name).value
        expect_drawn(values, bound, name)
        worst = float(values.abs().max())
        expect(worst <= bound + 1e-6,
               observed=_("{name} holds values up to {worst:.3f} in magnitude").format(
                   name=name, worst=worst),
               expected=_("values within +-1/sqrt(in_features) = +-{bound:.3f}").format(
                   bound=bound),
               fix=_("in reset_parameters, fill both tensors in place from a uniform "
                     "distribution whose bound is 1 / sqrt(in_features) (nn.init has an in-place "
                     "uniform fill)"))
        expect(worst > 0,
               observed=_("{name} is all zeros: nothing drew it from a distribution").format(
                   name=name),
               expected=_("random values drawn from U(-bound, bound)"),
               fix=_("draw the initial values from torch's uniform distribution in "
                     "reset_parameters, and call reset_parameters at the end of __init__"))


@check(exercise="forward", points=1, tags=["forward"], visibility="visible")
def test_forward_2d(submission):
    """Linear(4, 3) maps a batch x of shape (5, 4) to x @ weight.T + bias, shape (5, 3)."""
    layer = make_layer(submission, 4, 3, seed=0)
    weight, bias = known_weights(layer, layer.describe(values=False), True, seed=0)
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    y = call_layer(layer, x, weight)
    diagnosis = forward_diagnosis(y, x, weight, bias)
    expect(diagnosis is None, observed=diagnosis or "", expected="x @ weight.T + bias, (5, 3)",
           fix=_("weight is (out_features, in_features): multiply the input by its transpose so "
                 "that each row of the output is one sample, then add the bias"),
           cause=diagnosis_cause(y, x, weight, bias))
    expect_close(y, reference_forward(x, weight, bias), what="Linear(4, 3)(x)",
                 fix=_("weight is (out_features, in_features): multiply the input by its "
                       "transpose and add the bias"))


@check(exercise="extras", points=1, tags=["repr"], visibility="visible")
def test_extra_repr(submission):
    """Linear(3, 2).extra_repr() is 'in_features=3, out_features=2, bias=True'."""
    text = make_layer(submission, 3, 2).method("extra_repr")
    expect(text == "in_features=3, out_features=2, bias=True",
           observed=_("extra_repr() returned {text!r}").format(text=text),
           expected="'in_features=3, out_features=2, bias=True'",
           fix=_("return a string naming the three settings, in that order, as nn.Linear does"))


@check(exercise="function", points=1, tags=["autograd"], visibility="visible")
def test_function_forward(submission):
    """LinearFunction.apply(x, weight, bias) computes x @ weight.T + bias (the forward only: the gradients have their own checks)."""
    run_function(submission, (6,), 4, 3, backward=False)


@check(exercise="function", points=2, tags=["autograd"], visibility="visible")
def test_function_gradcheck_2d(submission):
    """On a (6, 4) input with bias, LinearFunction's output and its backward's gradients for x, weight and bias equal the formulas'."""
    run = run_function(submission, (6,), 4, 3)
    expect_gradients(run, _("a (6, 4) input with bias"))


@check(exercise="parameters", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_updates_weight_and_bias(submission):
    """One SGD step on model.parameters() changes both weight and bias."""
    layer = make_layer(submission, 4, 3, seed=1)
    info = layer.describe()
    before = {n: p.value for n, p in info.parameters.items()}
    if {"weight", "bias"} <= set(before):
        # Known, finite values: what the step does cannot depend on the initialisation (the
        # leftovers of torch.empty, when reset_parameters is never called, may be inf or nan).
        weight, bias = known_weights(layer, info, bias=True, seed=1)
        before = {**before, "weight": weight, "bias": bias}
    g = generator(1)
    x, upstream = torch.randn(8, 4, generator=g), torch.randn(8, 3, generator=g)
    try:
        submission.instrument("sgd_step", _("taking one SGD step on model.parameters()"),
                              module=layer, inputs=[x], upstream=upstream, lr=0.1)
    except LearnerError as exc:
        error = exc.evidence.error
        if "weight" in before:
            diagnosis = untransposed_diagnosis(error, x, before["weight"])
            expect(diagnosis is None, observed=diagnosis or "",
                   expected=_("x @ weight.T + bias, of shape (*, out_features)"),
                   fix=_("multiply the input by the transposed weight (.T turns (out, in) into (in, out)), "
                         "then add the bias"), cause="forward:untransposed")
        expect("does not require grad" not in error,
               observed=_("loss.backward() failed with {error}: the layer's output is not "
                          "connected to weight or bias, so no gradient can reach them").format(
                   error=error),
               expected=_("an output computed from self.weight and self.bias, so that "
                          "backward() fills their .grad"),
               fix=_("use self.weight and self.bias themselves in forward: .data, .detach(), "
                     ".item() or numpy cut them out of the graph"), cause=GRAD_CUT_CAUSE)
        raise
    after = layer.describe()
    # The judge's own update: the loss is (layer(x) * upstream).sum(), so the gradients are
    # upstream^T x and upstream summed over the batch.
    update = {"weight": upstream.T @ x, "bias": upstream.sum(0)}
    for name in ("weight", "bias"):
        expect(name in before,
               observed=_("the optimizer was given {names}").format(names=sorted(before)),
               expected=_("{name} among the parameters the optimizer updates").format(name=name),
               fix=_("register {name} as an nn.Parameter").format(name=name))
        new = read_tensor(layer, name)
        if tuple(new.shape) == tuple(before[name].shape):
            expect(not torch.equal(new, before[name].to(new.dtype)),
                   observed=_("{name} did not change after optimizer.step()").format(name=name),
                   expected=_("{name} updated by the step").format(name=name),
                   fix=_("make sure forward uses self.{name} itself (not a copy, .data or "
                         ".detach()), so the loss's gradient reaches it").format(name=name))
        registered_weight(after, name)
        expect_close(new, before[name] - 0.1 * update[name],
                     what=_("{name} after one SGD step (lr=0.1) on (layer(x) * g).sum()").format(
                         name=name),
                     fix=_("forward must compute x @ weight.T + bias from self.weight and "
                           "self.bias themselves, so that the step moves each by lr times its "
                           "gradient"))


@check(exercise="init", points=1, tags=["init", "registration"], visibility="visible")
def test_reset_parameters_keeps_the_same_parameters(submission):
    """reset_parameters() is your own and redraws weight and bias in place: the same Parameter objects stay registered."""
    origin = submission.function("Linear").describe().methods.get("reset_parameters", "")
    body = static.member(static.definition(submission.sources, "Linear"), "reset_parameters")
    borrowed = origin.startswith("torch.") or static.uses(body, ("Linear.reset_parameters",))
    expect(not borrowed,
           observed=(_("reset_parameters is nn.Linear's own ({origin})").format(origin=origin)
                     if origin.startswith("torch.") else
                     _("reset_parameters is nn.Linear's own, called from yours")),
           expected=_("a reset_parameters of your own"),
           fix=_("write reset_parameters yourself: draw weight and bias in place from "
                 "U(-1/sqrt(in_features), 1/sqrt(in_features))"))
    layer = make_layer(submission, 8, 6, seed=0)
    # An optimizer built before the reset, then one step on the grader's own gradients: it
    # updates the layer only if the reset refilled the very tensors it holds.
    weight, bias = known_weights(layer, layer.describe(values=False), True, seed=7)
    g = generator(8)
    grads = {"weight": torch.randn(weight.shape, generator=g),
             "bias": torch.randn(bias.shape, generator=g)}
    drawn = submission.instrument(
        "gradient_step", _("building an SGD optimizer, calling reset_parameters(), then taking "
                           "one step"), module=layer, grads=grads, lr=0.25, reset=True, seed=1)
    drawn = drawn.get("reset", {}) if isinstance(drawn, dict) else {}
    for name, start in (("weight", weight), ("bias", bias)):
        fresh = drawn.get(name)
        expect(isinstance(fresh, torch.Tensor) and tuple(fresh.shape) == tuple(start.shape)
               and not torch.equal(plain(fresh), start),
               observed=_("reset_parameters() left the values unchanged"),
               expected=_("freshly drawn values"),
               fix=_("redraw both tensors in reset_parameters, and call it at the end of "
                     "__init__"))
        after = read_tensor(layer, name)
        fresh = plain(fresh)
        expect(not (tuple(after.shape) == tuple(fresh.shape) and torch.equal(after, fresh)),
               observed=_("after reset_parameters(), an SGD optimizer built before it took a "
                          "step and `{name}` did not move: weight/bias are new objects, so an "
                          "optimizer built earlier still holds the old ones and never updates "
                          "the layer").format(name=name),
               expected=_("the same Parameter objects, refilled in place"),
               fix=_("fill the existing tensors in place (nn.init's functions ending in _ do) "
                     "instead of assigning new nn.Parameter objects"))
        expect_close(after, fresh - 0.25 * grads[name],
                     what=_("`{name}` after reset_parameters() and one step of an optimizer "
                            "built before it").format(name=name),
                     fix=_("fill the existing tensors in place (nn.init's functions ending in _ "
                           "do) instead of assigning new nn.Parameter objects"))


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="visible")
def test_forward_3d_input(submission):
    """An input of shape (2, 5, 4) maps to shape (2, 5, 3)."""
    forward_case(submission, 4, 3, (2, 5, 4), _("Linear(4, 3) applied to a (2, 5, 4) input"))


@check(exercise="forward", points=1, tags=["grad-flow"], visibility="visible")
def test_gradients_reach_input_weight_and_bias(submission):
    """Backpropagating through the layer fills x.grad, weight.grad and bias.grad correctly."""
    layer = make_layer(submission, 4, 3, seed=3)
    w, b = known_weights(layer, layer.describe(values=False), True, seed=3)
    g = generator(3)
    x = torch.randn(5, 4, generator=g)
    upstream = torch.randn(5, 3, generator=g)
    x_remote = submission.tensor(x.clone().requires_grad_())
    try:
        y = layer.call(x_remote, keep=True, action=_("calling your layer")).value
    except LearnerError as exc:
        diagnosis = untransposed_diagnosis(exc.evidence.error, x, w)
        if diagnosis is None:
            raise
        raise CheckFailed(diagnosis, _("x @ weight.T + bias, of shape (*, out_features)"),
                          _("multiply the input by the transposed weight (.T turns (out, in) into (in, out)), "
                            "then add the bias"), cause="forward:untransposed") from None
    expect(getattr(y, "kind", None) == "tensor",
           observed=_("the layer returned {value!r}").format(value=y),
           expected=_("a tensor"), fix=_("return the output tensor from forward"))
    expect_close(y.describe().value, reference_forward(x, w, b), what="Linear(4, 3)(x)",
                 fix=_("forward must compute x @ weight.T + bias"))
    y.call(upstream, method="backward", action=_("calling backward() on your layer's output"))
    after = layer.describe()
    grads = {"x.grad": x_remote.describe().grad,
             "weight.grad": layer_tensor(after, "weight").grad,
             "bias.grad": layer_tensor(after, "bias").grad}
    references = {"x.grad": upstream @ w, "weight.grad": upstream.T @ x,
                  "bias.grad": upstream.sum(0)}
    for name, grad in grads.items():
        if grad is None:
            raise CheckFailed(_("{name} is None after backward()").format(name=name),
                              _("a gradient for the input, the weight and the bias"),
                              _("compute forward from x, self.weight and self.bias directly with "
                                "differentiable operations (no .detach(), .data, .item() or "
                                "numpy)"), cause=GRAD_CUT_CAUSE if name != "x.grad" else None)
        expect_close(grad, references[name], what=name,
                     fix=_("let autograd differentiate the forward; do not detach or copy the "
                           "input, the weight or the bias"))


@check(exercise="forward", points=2, tags=["forbidden-api"], visibility="visible")
def test_does_not_use_nn_linear(submission):
    """Linear builds the affine map itself: no nn.Linear inside, no F.linear while it runs."""
    cls = submission.function("Linear")
    evidence = nn_linear_evidence(submission)
    expect(not evidence,
           observed=_("Linear is built on nn.Linear / torch.nn.functional.linear: {evidence}").format(
               evidence="; ".join(evidence)),
           expected=_("a subclass of nn.Module only, computing the affine map itself"),
           fix=_("declare `class Linear(nn.Module):` and create the parameters yourself"),
           cause=NN_LINEAR_CAUSE)
    ops = []
    for bias in (True, False):
        built = cls.call(4, 3, bias=bias, keep=True, watch=True, seed=6,
                         action=_("creating Linear(4, 3)"))
        layer = built.value
        ops += built.ops
        try:
            ops += layer.call(torch.randn(2, 4, generator=generator(6)), watch=True,
                              action=_("calling your layer")).ops
        except LearnerError:
            pass   # a forward that fails: the forward checks say why; the watch saw what it saw
    info = layer.describe(values=False)
    inner = [n for n, m in info.modules if n and m.inherits(LINEAR)]
    expect(not inner,
           observed=_("the layer contains nn.Linear submodules: {inner}").format(inner=inner),
           expected=_("no nn.Linear inside"),
           fix=_("hold weight and bias as your own nn.Parameters"))
    findings = watch_findings(tuple(ops))
    expect(not findings,
           observed=_("building and calling Linear: {findings}").format(
               findings="; ".join(findings)),
           expected=_("the affine map written with tensor operations (matmul, @, +, addmm)"),
           fix=_("compute the product of the input and the transposed weight yourself, then add "
                 "the bias, in the thread and process the grader calls you in"))
    expect_no_forbidden(forbidden_in_source(submission, "Linear"), _("the source of Linear"))
    # What earns the points: a square layer (so that a transposition mistake of the forward
    # does not crash it) whose output the judge sees follow the weight values it wrote. The
    # forward's exact formula is the forward checks' business: one forward mistake is not
    # charged here too.
    expect(_computes_from_its_weight(submission),
           observed=_("the output of Linear(4, 4) does not follow the weight values the grader "
                      "wrote into it (or the layer cannot be built or called yet)"),
           expected=_("a layer that computes its output from its own weight, built without "
                      "nn.Linear"),
           fix=_("this check credits a layer that computes from your own parameters: create "
                 "weight and bias and use them in forward"))
    tricks = static.mentions(submission.sources, EVASIONS)
    expect(not tricks,
           observed=_("the notebook uses {names}, which hides operators from the grader's "
                      "view").format(names=", ".join(tricks)),
           expected=_("plain tensor operations"), fix=_("remove that code"))


def _computes_from_its_weight(submission) -> bool:
    """Linear(4, 4)'s output on the judge's input is a finite tensor that changes when the
    judge writes other values into its weight, and comes back when it writes the first ones
    again."""
    try:
        layer = make_layer(submission, 4, 4, seed=6)
        info = layer.describe(values=False)
        x = torch.randn(3, 4, generator=generator(16))
        outputs = []
        for seed in (16, 17, 16):
            known_weights(layer, info, "bias" in info.parameters or
                          isinstance(info.attributes.get("bias"), TensorInfo), seed=seed)
            outputs.append(layer(x))
    except (LearnerError, CheckFailed):
        return False
    if not all(isinstance(y, torch.Tensor) and y.numel() and bool(torch.isfinite(y).all())
               for y in outputs):
        return False
    first, other, again = outputs
    return (tuple(first.shape) == tuple(again.shape) and torch.equal(first, again)
            and not (tuple(first.shape) == tuple(other.shape) and torch.equal(first, other)))


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="visible")
def test_dtype_argument(submission):
    """Linear(3, 2, dtype=torch.float64) has float64 parameters and computes in float64."""
    layer = make_layer(submission, 3, 2, dtype=torch.float64)
    dtypes = {n: str(read_tensor(layer, n).dtype).removeprefix("torch.")
              for n in ("weight", "bias")}
    expect(set(dtypes.values()) == {"float64"},
           observed=_("parameter dtypes {dtypes}").format(dtypes=dtypes),
           expected=_("float64 for both"),
           fix=_("pass dtype (and device) on to every tensor you create for the parameters, as "
                 "nn.Linear's factory_kwargs do"))
    # Values float32 cannot hold: the output matches to float64 precision only if the layer
    # computes in float64 with the values the grader wrote.
    g = generator(9)
    chosen = {"weight": torch.randn(2, 3, dtype=torch.float64, generator=g),
              "bias": torch.randn(2, dtype=torch.float64, generator=g)}
    for name, values in chosen.items():
        layer.get(name, keep=True).method("copy_", values, no_grad=True)
    x = torch.randn(4, 3, dtype=torch.float64, generator=g)
    y = call_layer(layer, x, chosen["weight"])
    got = y.dtype if isinstance(y, torch.Tensor) else type(y).__name__
    expect(got == torch.float64, observed=_("the output is {dtype}").format(dtype=got),
           expected="torch.float64", fix=_("do not convert inside forward"))
    expect_close(y, reference_forward(x, chosen["weight"], chosen["bias"]),
                 what="Linear(3, 2, dtype=torch.float64)(x)", rtol=1e-12, atol=1e-12,
                 fix=_("do not convert inside forward: compute in the dtype of the parameters"))


@check(exercise="extras", points=1, tags=["state-dict"], visibility="visible")
def test_state_dict_loads_into_nn_linear(submission):
    """Your layer's state_dict loads into nn.Linear(4, 3) (strict) and gives it your weight and bias."""
    layer = make_layer(submission, 4, 3, seed=4)
    try:
        chosen = dict(zip(("weight", "bias"),
                          known_weights(layer, layer.describe(values=False), True, seed=4)))
    except CheckFailed:
        chosen = None   # no weight or bias to write into: the strict load below says why
    state = layer.state_dict()
    reference = nn.Linear(4, 3)
    try:
        reference.load_state_dict(state)
    except RuntimeError:
        shapes = {k: tuple(v.shape) for k, v in state.items()}
        raise CheckFailed(_("nn.Linear(4, 3).load_state_dict(yours) failed; your state_dict "
                            "holds {shapes}").format(shapes=shapes),
                          "{'weight': (3, 4), 'bias': (3,)}",
                          _("register exactly weight, shaped (out_features, in_features), and "
                            "bias, shaped (out_features,), as parameters")) from None
    for name in ("weight", "bias"):
        loaded = torch.nan_to_num(getattr(reference, name).detach())
        yours = torch.nan_to_num(chosen[name] if chosen is not None else read_tensor(layer, name))
        expect(tuple(loaded.shape) == tuple(yours.shape) and torch.equal(loaded, yours),
               observed=_("nn.Linear's {name} after loading your state_dict differs from your "
                          "layer's {name}").format(name=name),
               expected=_("the same values"),
               fix=_("state_dict() must hold the parameters themselves under the names weight "
                     "and bias"))


@check(exercise="function", points=1, tags=["autograd", "forbidden-api"], visibility="visible")
def test_function_backward_is_its_own(submission):
    """The output's grad_fn is LinearFunction's backward, which computes the gradients itself (no F.linear, no autograd call inside it): one per input, shaped like it, linear in grad_output."""
    fn = get_function(submission)
    run = run_function(submission, (3,), 4, 4, seed=4)
    node = run.grad_fn or "None"
    expect(node.startswith(fn.type),
           observed=_("the output's grad_fn is {node}").format(node=node),
           expected=_("{type}Backward, the node of your Function").format(type=fn.type),
           fix=_("compute the output inside forward (where autograd is off) and return it; "
                 "call LinearFunction.apply, not LinearFunction.forward"))
    findings = watch_findings(run.forward_ops + run.backward_ops)
    expect(not findings,
           observed=_("LinearFunction: {findings}").format(findings="; ".join(findings)),
           expected=_("the affine map written with tensor operations (matmul, @, +, addmm)"),
           fix=_("compute the product of the input and the transposed weight yourself, then add "
                 "the bias, in the thread and process the grader calls you in"))
    expect_no_forbidden(forbidden_in_source(submission, "LinearFunction"),
                        _("the source of LinearFunction"))
    # Autograd inside backward: other nodes evaluated while our backward runs, or the source.
    nodes = {op.split(": ", 1)[-1] for op in run.backward_ops
             if op.startswith("autograd::engine::evaluate_function")}
    foreign = sorted(n for n in nodes if not n.startswith(fn.type) and "AccumulateGrad" not in n)
    backward = static.member(static.definition(submission.sources, "LinearFunction"), "backward")
    calls = static.uses(backward, AUTOGRAD_CALLS)
    expect(not foreign and not calls,
           observed=_("backward differentiates with autograd (it ran {ran})").format(
               ran=", ".join(foreign or calls)),
           expected=_("gradients written from the formulas, with tensor operations only"),
           fix=_("in backward, compute each gradient from grad_output and the saved tensors with "
                 "matrix products and sums; re-running the forward and asking autograd for the "
                 "gradient skips the exercise"))
    # What earns the point: gradients the judge sees come out of backward, one per input,
    # shaped like it, finite, not all zero, and linear in grad_output (backward(G1 + G2) =
    # backward(G1) + backward(G2)), as any backward of a linear map is. Whether they equal the
    # formulas is the gradient checks' business: one wrong formula is not charged here too (a
    # square weight, so that a transposed formula does not crash the backward either).
    g = generator(40)
    first = torch.randn(run.upstream.shape, dtype=torch.float64, generator=g)
    second = torch.randn(run.upstream.shape, dtype=torch.float64, generator=g)
    runs = [run_function(submission, (3,), 4, 4, seed=4, upstream=u)
            for u in (first, second, first + second)]
    fix = _("return from backward one gradient per input of forward, in order, each computed "
            "from grad_output and the saved tensors with matrix products and sums")
    for name, shape in (("x", run.x.shape), ("weight", run.weight.shape),
                        ("bias", run.bias.shape)):
        grads = [r.grads[name] for r in runs]
        expect(all(isinstance(t, torch.Tensor) and tuple(t.shape) == tuple(shape) and
                   bool(torch.isfinite(t).all()) for t in grads),
               observed=_("after backward, {name}.grad is {value}").format(
                   name=name, value=("None" if grads[0] is None else
                                     _("of shape {shape}").format(shape=tuple(grads[0].shape)))),
               expected=_("a finite gradient shaped like {name}, {shape}").format(
                   name=name, shape=tuple(shape)), fix=fix)
        a, b, both = (t.double() for t in grads)
        expect(bool(a.abs().max() > 0) and torch.allclose(both, a + b, rtol=1e-6, atol=1e-8),
               observed=_("the gradient backward returns for {name} is not a linear function of "
                          "grad_output (or is all zeros)").format(name=name),
               expected=_("backward(G1 + G2) = backward(G1) + backward(G2), as for every "
                          "gradient of a linear map"), fix=fix)
