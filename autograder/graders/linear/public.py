"""Public checks of `linear`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch
from torch import nn

from autograder import static
from autograder.checks import CheckFailed, check, expect, expect_close
from autograder.graders.linear.common import (
    AUTOGRAD_CALLS, EVASIONS, LINEAR, expect_drawn, expect_gradients, expect_no_forbidden,
    forbidden_in_source, forbidden_ops, forward_case, forward_diagnosis, generator, get_function,
    known_weights, layer_tensor, make_layer, reference_forward, registered_weight, run_function,
    uniform_bound,
)


@check(exercise="parameters", points=1, tags=["registration"], visibility="visible")
def test_weight_and_bias_are_parameters(submission):
    """Linear(3, 2) registers exactly `weight` and `bias` as nn.Parameters."""
    info = make_layer(submission, 3, 2).describe(values=False)
    registered_weight(info, "weight")
    registered_weight(info, "bias")
    names = sorted(info.parameters)
    expect(names == ["bias", "weight"],
           observed=f"named_parameters() lists {names}",
           expected="exactly ['bias', 'weight']",
           fix="register only weight and bias; keep other state as plain attributes")


@check(exercise="parameters", points=1, tags=["shapes"], visibility="visible")
def test_parameter_shapes(submission):
    """Linear(3, 2) has weight of shape (out_features, in_features) = (2, 3) and bias (2,)."""
    info = make_layer(submission, 3, 2).describe(values=False)
    weight, bias = layer_tensor(info, "weight"), layer_tensor(info, "bias")
    expect(weight.shape == (2, 3),
           observed=f"weight has shape {weight.shape}",
           expected="(out_features, in_features) = (2, 3)",
           fix="create weight with one row per output and one column per input")
    expect(bias.shape == (2,),
           observed=f"bias has shape {bias.shape}",
           expected="(out_features,) = (2,)",
           fix="create bias with one entry per output")


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
               observed=f"{name} holds values up to {worst:.3f} in magnitude",
               expected=f"values within +-1/sqrt(in_features) = +-{bound:.3f}",
               fix="in reset_parameters, fill both tensors in place from a uniform distribution "
                   "whose bound is 1 / sqrt(in_features) (nn.init has an in-place uniform fill)")
        expect(worst > 0,
               observed=f"{name} is all zeros: nothing drew it from a distribution",
               expected="random values drawn from U(-bound, bound)",
               fix="draw the initial values from torch's uniform distribution in "
                   "reset_parameters, and call reset_parameters at the end of __init__")


@check(exercise="forward", points=1, tags=["forward"], visibility="visible")
def test_forward_2d(submission):
    """Linear(4, 3) maps a batch x of shape (5, 4) to x @ weight.T + bias, shape (5, 3)."""
    layer = make_layer(submission, 4, 3, seed=0)
    weight, bias = known_weights(layer, layer.describe(values=False), True, seed=0)
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    y = layer(x)
    diagnosis = forward_diagnosis(y, x, weight, bias)
    expect(diagnosis is None, observed=diagnosis or "", expected="x @ weight.T + bias, (5, 3)",
           fix="weight is (out_features, in_features): multiply the input by its transpose so "
               "that each row of the output is one sample, then add the bias")
    expect_close(y, reference_forward(x, weight, bias), what="Linear(4, 3)(x)",
                 fix="weight is (out_features, in_features): multiply the input by its transpose "
                     "and add the bias")


@check(exercise="extras", points=1, tags=["repr"], visibility="visible")
def test_extra_repr(submission):
    """Linear(3, 2).extra_repr() is 'in_features=3, out_features=2, bias=True'."""
    text = make_layer(submission, 3, 2).method("extra_repr")
    expect(text == "in_features=3, out_features=2, bias=True",
           observed=f"extra_repr() returned {text!r}",
           expected="'in_features=3, out_features=2, bias=True'",
           fix="return a string naming the three settings, in that order, as nn.Linear does")


@check(exercise="function", points=1, tags=["autograd"], visibility="visible")
def test_function_forward(submission):
    """LinearFunction.apply(x, weight, bias) computes x @ weight.T + bias."""
    run_function(submission, (6,), 4, 3)


@check(exercise="function", points=2, tags=["autograd"], visibility="visible")
def test_function_gradcheck_2d(submission):
    """On a (6, 4) input with bias, LinearFunction's output and its backward's gradients for x, weight and bias equal the formulas'."""
    run = run_function(submission, (6,), 4, 3)
    expect_gradients(run, "a (6, 4) input with bias")


@check(exercise="parameters", points=1, tags=["optimizer"], visibility="visible")
def test_optimizer_updates_weight_and_bias(submission):
    """One SGD step on model.parameters() changes both weight and bias."""
    layer = make_layer(submission, 4, 3, seed=1)
    before = {n: p.value for n, p in layer.describe().parameters.items()}
    g = generator(1)
    x, upstream = torch.randn(8, 4, generator=g), torch.randn(8, 3, generator=g)
    submission.instrument("sgd_step", "taking one SGD step on model.parameters()",
                          module=layer, inputs=[x], upstream=upstream)
    after = layer.describe()
    for name in ("weight", "bias"):
        expect(name in before,
               observed=f"the optimizer was given {sorted(before)}",
               expected=f"{name} among the parameters the optimizer updates",
               fix=f"register {name} as an nn.Parameter")
        new = registered_weight(after, name).value
        expect(not torch.equal(new, before[name]),
               observed=f"{name} did not change after optimizer.step()",
               expected=f"{name} updated by the step",
               fix=f"make sure forward uses self.{name} itself (not a copy, .data or .detach()), "
                   "so the loss's gradient reaches it")


@check(exercise="init", points=1, tags=["init", "registration"], visibility="visible")
def test_reset_parameters_keeps_the_same_parameters(submission):
    """reset_parameters() is your own and redraws weight and bias in place: the same Parameter objects stay registered."""
    origin = submission.function("Linear").describe().methods.get("reset_parameters", "")
    body = static.member(static.definition(submission.sources, "Linear"), "reset_parameters")
    borrowed = origin.startswith("torch.") or static.uses(body, ("Linear.reset_parameters",))
    expect(not borrowed,
           observed="reset_parameters is nn.Linear's own"
                    + (f" ({origin})" if origin.startswith("torch.") else ", called from yours"),
           expected="a reset_parameters of your own",
           fix="write reset_parameters yourself: draw weight and bias in place from "
               "U(-1/sqrt(in_features), 1/sqrt(in_features))")
    layer = make_layer(submission, 8, 6, seed=0)
    before = layer.describe()
    weight, bias = layer_tensor(before, "weight"), layer_tensor(before, "bias")
    layer.call(method="reset_parameters", seed=1, action="calling reset_parameters()")
    after = layer.describe()
    new_weight, new_bias = layer_tensor(after, "weight"), layer_tensor(after, "bias")
    expect(new_weight.id == weight.id and new_bias.id == bias.id,
           observed="after reset_parameters(), weight/bias are new objects, so an optimizer "
                    "built earlier still holds the old ones and never updates the layer",
           expected="the same Parameter objects, refilled in place",
           fix="fill the existing tensors in place (nn.init's functions ending in _ do) instead "
               "of assigning new nn.Parameter objects")
    expect(not torch.equal(new_weight.value, weight.value)
           and not torch.equal(new_bias.value, bias.value),
           observed="reset_parameters() left the values unchanged",
           expected="freshly drawn values",
           fix="redraw both tensors in reset_parameters, and call it at the end of __init__")


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="visible")
def test_forward_3d_input(submission):
    """An input of shape (2, 5, 4) maps to shape (2, 5, 3)."""
    forward_case(submission, 4, 3, (2, 5, 4), "Linear(4, 3) applied to a (2, 5, 4) input")


@check(exercise="forward", points=1, tags=["grad-flow"], visibility="visible")
def test_gradients_reach_input_weight_and_bias(submission):
    """Backpropagating through the layer fills x.grad, weight.grad and bias.grad correctly."""
    layer = make_layer(submission, 4, 3, seed=3)
    w, b = known_weights(layer, layer.describe(values=False), True, seed=3)
    g = generator(3)
    x = torch.randn(5, 4, generator=g)
    upstream = torch.randn(5, 3, generator=g)
    x_remote = submission.tensor(x.clone().requires_grad_())
    y = layer.call(x_remote, keep=True, action="calling your layer").value
    expect(getattr(y, "kind", None) == "tensor", observed=f"the layer returned {y!r}",
           expected="a tensor", fix="return the output tensor from forward")
    expect_close(y.describe().value, reference_forward(x, w, b), what="Linear(4, 3)(x)",
                 fix="forward must compute x @ weight.T + bias")
    y.call(upstream, method="backward", action="calling backward() on your layer's output")
    after = layer.describe()
    grads = {"x.grad": x_remote.describe().grad,
             "weight.grad": layer_tensor(after, "weight").grad,
             "bias.grad": layer_tensor(after, "bias").grad}
    references = {"x.grad": upstream @ w, "weight.grad": upstream.T @ x,
                  "bias.grad": upstream.sum(0)}
    for name, grad in grads.items():
        if grad is None:
            raise CheckFailed(f"{name} is None after backward()",
                              "a gradient for the input, the weight and the bias",
                              "compute forward from x, self.weight and self.bias directly with "
                              "differentiable operations (no .detach(), .data, .item() or numpy)")
        expect_close(grad, references[name], what=name,
                     fix="let autograd differentiate the forward; do not detach or copy the "
                         "input, the weight or the bias")


@check(exercise="forward", points=2, tags=["forbidden-api"], visibility="visible")
def test_does_not_use_nn_linear(submission):
    """Linear builds the affine map itself: no nn.Linear inside, no F.linear while it runs."""
    cls = submission.function("Linear")
    expect(not cls.inherits(LINEAR),
           observed="Linear subclasses nn.Linear", expected="a subclass of nn.Module only",
           fix="declare `class Linear(nn.Module):` and create the parameters yourself")
    ops, works = [], True
    for bias in (True, False):
        built = cls.call(4, 3, bias=bias, keep=True, watch=True, seed=6,
                         action="creating Linear(4, 3)")
        layer = built.value
        ops += built.ops
        x = torch.randn(2, 4, generator=generator(6))
        answer = layer.call(x, watch=True, action="calling your layer")
        ops += answer.ops
        info = layer.describe()
        try:
            weight = layer_tensor(info, "weight").value
            bias_values = layer_tensor(info, "bias").value if bias else None
        except CheckFailed:
            weight = None
        if weight is not None:
            expected = reference_forward(x, weight, bias_values)
            works = works and isinstance(answer.value, torch.Tensor) and \
                tuple(answer.value.shape) == tuple(expected.shape) and \
                torch.allclose(answer.value.double(), expected.double(), atol=1e-5)
        else:
            works = False
    info = layer.describe(values=False)
    inner = [n for n, m in info.modules if n and m.inherits(LINEAR)]
    expect(not inner,
           observed=f"the layer contains nn.Linear submodules: {inner}",
           expected="no nn.Linear inside", fix="hold weight and bias as your own nn.Parameters")
    expect_no_forbidden(forbidden_ops(tuple(ops)), "building and calling Linear")
    expect_no_forbidden(forbidden_in_source(submission, "Linear"), "the source of Linear")
    expect(works,
           observed="Linear(4, 3) does not compute x @ weight.T + bias with its registered "
                    "parameters yet (the forward checks say what differs)",
           expected="an affine map that works, built without nn.Linear",
           fix="this check credits a working layer built from your own parameters: finish the "
               "parameters and the forward pass first")
    tricks = static.mentions(submission.sources, EVASIONS)
    expect(not tricks,
           observed=f"the notebook uses {', '.join(tricks)}, which hides operators from the "
                    "grader's view",
           expected="plain tensor operations", fix="remove that code")


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="visible")
def test_dtype_argument(submission):
    """Linear(3, 2, dtype=torch.float64) has float64 parameters and computes in float64."""
    layer = make_layer(submission, 3, 2, dtype=torch.float64)
    dtypes = {n: p.dtype for n, p in layer.describe(values=False).parameters.items()}
    expect(set(dtypes.values()) == {"float64"},
           observed=f"parameter dtypes {dtypes}", expected="float64 for both",
           fix="pass dtype (and device) on to every tensor you create for the parameters, as "
               "nn.Linear's factory_kwargs do")
    y = layer(torch.randn(4, 3, dtype=torch.float64))
    got = y.dtype if isinstance(y, torch.Tensor) else type(y).__name__
    expect(got == torch.float64, observed=f"the output is {got}",
           expected="torch.float64", fix="do not convert inside forward")


@check(exercise="extras", points=1, tags=["state-dict"], visibility="visible")
def test_state_dict_loads_into_nn_linear(submission):
    """Your layer's state_dict loads into nn.Linear(4, 3) (strict) and gives it your weight and bias."""
    layer = make_layer(submission, 4, 3, seed=4)
    state = layer.state_dict()
    reference = nn.Linear(4, 3)
    try:
        reference.load_state_dict(state)
    except RuntimeError:
        shapes = {k: tuple(v.shape) for k, v in state.items()}
        raise CheckFailed(f"nn.Linear(4, 3).load_state_dict(yours) failed; your state_dict "
                          f"holds {shapes}",
                          "{'weight': (3, 4), 'bias': (3,)}",
                          "register exactly weight, shaped (out_features, in_features), and bias, "
                          "shaped (out_features,), as parameters") from None
    info = layer.describe()
    for name in ("weight", "bias"):
        loaded = torch.nan_to_num(getattr(reference, name).detach())
        yours = torch.nan_to_num(registered_weight(info, name).value)
        expect(torch.equal(loaded, yours),
               observed=f"nn.Linear's {name} after loading your state_dict differs from your "
                        f"layer's {name}",
               expected="the same values",
               fix="state_dict() must hold the parameters themselves under the names weight "
                   "and bias")


@check(exercise="function", points=1, tags=["autograd", "forbidden-api"], visibility="visible")
def test_function_backward_is_its_own(submission):
    """The output's grad_fn is LinearFunction's backward, whose gradients come from the formulas: no F.linear, no autograd call inside it."""
    fn = get_function(submission)
    run = run_function(submission, (3,), 4, 2, seed=4)
    node = run.grad_fn or "None"
    expect(node.startswith(fn.type),
           observed=f"the output's grad_fn is {node}",
           expected=f"{fn.type}Backward, the node of your Function",
           fix="compute the output inside forward (where autograd is off) and return it; "
               "call LinearFunction.apply, not LinearFunction.forward")
    expect_no_forbidden(forbidden_ops(run.forward_ops + run.backward_ops), "LinearFunction")
    expect_no_forbidden(forbidden_in_source(submission, "LinearFunction"),
                        "the source of LinearFunction")
    # Autograd inside backward: other nodes evaluated while our backward runs, or the source.
    nodes = {op.split(": ", 1)[-1] for op in run.backward_ops
             if op.startswith("autograd::engine::evaluate_function")}
    foreign = sorted(n for n in nodes if not n.startswith(fn.type) and "AccumulateGrad" not in n)
    backward = static.member(static.definition(submission.sources, "LinearFunction"), "backward")
    calls = static.uses(backward, AUTOGRAD_CALLS)
    expect(not foreign and not calls,
           observed=("backward differentiates with autograd (it ran "
                     f"{', '.join(foreign or calls)})"),
           expected="gradients written from the formulas, with tensor operations only",
           fix="in backward, compute each gradient from grad_output and the saved tensors with "
               "matrix products and sums; re-running the forward and asking autograd for the "
               "gradient skips the exercise")
