"""Hidden checks of `linear`: run by the instructor's grading only."""
from __future__ import annotations

import math

import torch
from torch import nn

from autograder.checks import CheckFailed, check, expect, expect_close
from autograder.graders.linear.common import (
    EVASIONS, LINEAR, expect_drawn, expect_gradients, expect_no_forbidden, forbidden_in_source,
    forbidden_ops, forward_diagnosis, get_function, known_weights, layer_tensor, make_layer,
    reference_forward, registered_weight, run_function, uniform_bound,
)
from autograder import static


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- parameters ------------------------------------------------------------------------------

@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_parameters_are_leaves_that_require_grad(submission):
    """weight and bias are leaf tensors that require grad, so gradients accumulate in .grad."""
    info = make_layer(submission, 5, 4).describe(values=False)
    for name in ("weight", "bias"):
        p = registered_weight(info, name)
        expect(p.is_parameter,
               observed=f"{name} is a {p.type}", expected="an nn.Parameter",
               fix=f"make self.{name} an nn.Parameter")
        expect(p.is_leaf and p.requires_grad,
               observed=f"{name}.is_leaf={p.is_leaf}, requires_grad={p.requires_grad}",
               expected="a leaf that requires grad",
               fix="create the Parameter directly from a fresh tensor, not from the result of an "
                   "operation on another parameter, and keep requires_grad at its default")


@check(exercise="parameters", points=1, tags=["shapes"], visibility="hidden")
def test_in_and_out_features_attributes(submission):
    """Linear(7, 2) keeps in_features=7 and out_features=2 as attributes."""
    info = make_layer(submission, 7, 2).describe(values=False)
    got = (info.attributes.get("in_features"), info.attributes.get("out_features"))
    expect(got == (7, 2),
           observed=f"(in_features, out_features) = {got}", expected="(7, 2)",
           fix="store both sizes as attributes of the layer in __init__")
    weight = layer_tensor(info, "weight")
    expect(weight.shape == (2, 7),
           observed=f"Linear(7, 2).weight has shape {weight.shape}",
           expected="(out_features, in_features) = (2, 7)",
           fix="the weight's first dimension is the output, its second the input")


@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_bias_false_registers_none(submission):
    """Linear(3, 2, bias=False) has only `weight`, and `bias` registered as None."""
    info = make_layer(submission, 3, 2, bias=False).describe(values=False)
    registered_weight(info, "weight")
    names = sorted(info.parameters)
    expect(names == ["weight"],
           observed=f"with bias=False, named_parameters() lists {names}",
           expected="only ['weight']",
           fix="when bias is False, do not create a bias tensor at all")
    registered_none = "bias" in info.none_parameters
    attribute = info.attributes.get("bias", "missing")
    expect(registered_none,
           observed=("layer.bias is missing" if attribute == "missing" and not registered_none
                     else "layer.bias is a plain attribute, not a parameter slot registered "
                          "as None"),
           expected="layer.bias is None, registered with register_parameter",
           fix="register the empty slot with the module's register_parameter method, so that "
               "code reading layer.bias (and state_dict loading) sees it, as nn.Linear does")


@check(exercise="parameters", points=1, tags=["optimizer"], visibility="hidden")
def test_optimizer_updates_weight_and_bias(submission):
    """One SGD step on model.parameters() changes both weight and bias."""
    layer = make_layer(submission, 4, 3, seed=1)
    before = {n: p.value for n, p in layer.describe().parameters.items()}
    g = _generator(1)
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


# -- init ------------------------------------------------------------------------------------

def _spread(values: torch.Tensor, bound: float, name: str, in_features: int) -> None:
    values = values.double().flatten()
    expected_std = bound / math.sqrt(3.0)  # std of U(-b, b)
    std, mean, top = float(values.std()), float(values.mean()), float(values.abs().max())
    fix = ("draw from the uniform distribution on [-1/sqrt(in_features), 1/sqrt(in_features)], "
           "the bound nn.Linear uses (it keeps the output's variance independent of in_features)")
    expect(abs(std - expected_std) < 0.15 * expected_std,
           observed=f"{name} of Linear({in_features}, ...) has standard deviation {std:.4f}",
           expected=f"about {expected_std:.4f}, the spread of U(-{bound:.3f}, {bound:.3f})",
           fix=fix)
    expect(abs(mean) < 0.1 * bound,
           observed=f"{name} has mean {mean:.4f}", expected="a mean close to 0", fix=fix)
    expect(top > 0.9 * bound,
           observed=f"{name} never comes close to the bound ({top:.4f} < {bound:.4f})",
           expected="values filling the whole interval", fix=fix)


@check(exercise="init", points=1, tags=["init"], visibility="hidden")
def test_init_spread_uses_in_features(submission):
    """Weights of Linear(64, 256) and Linear(4, 300) spread like U(-1/sqrt(in), 1/sqrt(in))."""
    for seed, (in_f, out_f) in enumerate(((64, 256), (4, 300))):
        info = make_layer(submission, in_f, out_f, seed=seed).describe()
        _spread(layer_tensor(info, "weight").value, uniform_bound(in_f), "weight", in_f)


@check(exercise="init", points=1, tags=["init"], visibility="hidden")
def test_bias_init_spread(submission):
    """The bias of Linear(9, 2000) spreads like U(-1/3, 1/3), not zeros."""
    info = make_layer(submission, 9, 2000, seed=0).describe()
    _spread(layer_tensor(info, "bias").value, uniform_bound(9), "bias", 9)


@check(exercise="init", points=1, tags=["init"], visibility="hidden")
def test_init_follows_torch_seed(submission):
    """Two layers built after the same torch.manual_seed are identical; different seeds differ."""
    a, b, c = (layer_tensor(make_layer(submission, 6, 5, seed=s).describe(), "weight").value
               for s in (123, 123, 124))
    expect_drawn(a, uniform_bound(6), "weight")
    expect(torch.equal(a, b) and not torch.equal(a, c),
           observed=("the same seed gave different weights: they do not come from torch's "
                     "random generator" if not torch.equal(a, b)
                     else "different seeds gave the same weights: nothing random drew them"),
           expected="weights drawn from torch's random generator",
           fix="draw with torch's own random functions (nn.init or the tensor's in-place "
               "methods), not with numpy or Python's random module, so that torch.manual_seed "
               "makes runs reproducible; and make sure __init__ calls reset_parameters, or the "
               "weights keep whatever torch.empty left")


@check(exercise="init", points=1, tags=["init", "registration"], visibility="hidden")
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


# -- forward ---------------------------------------------------------------------------------

def _forward_case(submission, in_f, out_f, x_shape, what, bias=True):
    layer = make_layer(submission, in_f, out_f, bias=bias, seed=2)
    weight, b = known_weights(layer, layer.describe(values=False), bias, seed=2)
    x = torch.randn(*x_shape, generator=_generator(2))
    y = layer(x)
    diagnosis = forward_diagnosis(y, x, weight, b)
    fix = ("forward maps (*, in_features) to (*, out_features): a product with the transposed "
           "weight works for any number of leading dimensions; then add the bias if there is one")
    expect(diagnosis is None, observed=diagnosis or "", expected=f"{what}: x @ weight.T (+ bias)",
           fix=fix)
    expect_close(y, reference_forward(x, weight, b), what=what, fix=fix)


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_1d_input(submission):
    """A single sample of shape (4,) maps to shape (3,)."""
    _forward_case(submission, 4, 3, (4,), "Linear(4, 3) applied to a (4,) input")


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_3d_input(submission):
    """An input of shape (2, 5, 4) maps to shape (2, 5, 3)."""
    _forward_case(submission, 4, 3, (2, 5, 4), "Linear(4, 3) applied to a (2, 5, 4) input")


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_batch_size_equal_to_out_features(submission):
    """With 3 samples and out_features = 3, the output is still (samples, out_features)."""
    _forward_case(submission, 5, 3, (3, 5),
                  "Linear(5, 3) on a (3, 5) batch (batch size equal to out_features)")


@check(exercise="forward", points=1, tags=["forward"], visibility="hidden")
def test_forward_without_bias(submission):
    """Linear(4, 3, bias=False) computes x @ weight.T, adding nothing."""
    _forward_case(submission, 4, 3, (6, 4), "Linear(4, 3, bias=False)(x)", bias=False)


@check(exercise="forward", points=1, tags=["grad-flow"], visibility="hidden")
def test_gradients_reach_input_weight_and_bias(submission):
    """Backpropagating through the layer fills x.grad, weight.grad and bias.grad correctly."""
    layer = make_layer(submission, 4, 3, seed=3)
    w, b = known_weights(layer, layer.describe(values=False), True, seed=3)
    g = _generator(3)
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


@check(exercise="forward", points=2, tags=["forbidden-api"], visibility="hidden")
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
        x = torch.randn(2, 4, generator=_generator(6))
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


# -- extras ----------------------------------------------------------------------------------

@check(exercise="extras", points=1, tags=["repr"], visibility="hidden")
def test_repr_without_bias(submission):
    """repr(Linear(5, 1, bias=False)) shows 'in_features=5, out_features=1, bias=False'."""
    text = make_layer(submission, 5, 1, bias=False).method("__repr__")
    expect(isinstance(text, str) and "in_features=5, out_features=1, bias=False" in text,
           observed=f"repr is {text!r}",
           expected="'...(in_features=5, out_features=1, bias=False)'",
           fix="extra_repr returns the three settings; module repr() puts it in the brackets")


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
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


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
def test_meta_device(submission):
    """Linear(1000, 1000, device='meta') allocates no memory: parameters on the meta device."""
    layer = make_layer(submission, 1000, 1000, device="meta")
    devices = {n: p.device for n, p in layer.describe(values=False).parameters.items()}
    expect(set(devices.values()) == {"meta"},
           observed=f"parameter devices {devices}", expected="'meta' for both",
           fix="pass device on to every tensor you create for the parameters")
    y = layer(torch.empty(2, 1000, device="meta"))
    ok = isinstance(y, torch.Tensor) and tuple(y.shape) == (2, 1000) and y.device.type == "meta"
    expect(ok, observed=f"forward on meta gave {y!r}",
           expected="shape (2, 1000) on meta", fix="keep forward in tensor operations")


@check(exercise="extras", points=1, tags=["state-dict"], visibility="hidden")
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


@check(exercise="extras", points=1, tags=["state-dict"], visibility="hidden")
def test_state_dict_from_nn_linear(submission):
    """An nn.Linear's state_dict loads into your layer (strict), for bias=True and bias=False, and becomes its weight and bias."""
    from autograder.client import LearnerError

    for bias in (True, False):
        torch.manual_seed(5)
        reference = nn.Linear(4, 3, bias=bias)
        layer = make_layer(submission, 4, 3, bias=bias)
        try:
            layer.load_state_dict(reference.state_dict())
        except LearnerError as exc:
            raise CheckFailed(f"with bias={bias}, your_layer.load_state_dict(nn.Linear's) "
                              f"failed: {exc.evidence.error}",
                              f"keys {sorted(reference.state_dict())}",
                              "register weight, and bias only when bias=True (a slot registered "
                              "as None otherwise)") from None
        info = layer.describe()
        for name in ("weight", "bias") if bias else ("weight",):
            expect_close(registered_weight(info, name).value, getattr(reference, name).detach(),
                         what=f"your {name} after loading nn.Linear's state_dict (bias={bias})",
                         fix="load_state_dict copies into the registered parameters: register "
                             "weight and bias under exactly those names", rtol=0, atol=0)


# -- LinearFunction --------------------------------------------------------------------------

@check(exercise="function", points=2, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_3d(submission):
    """On a (2, 3, 4) input, the output and every gradient match the formulas: grad_W sums over both leading dimensions."""
    run = run_function(submission, (2, 3), 4, 3, seed=1, what=" on a (2, 3, 4) input")
    expect_gradients(run, "a (2, 3, 4) input with bias")


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_without_bias(submission):
    """With bias=None, on 2-D and 3-D inputs, the output and the gradients of x and weight match the formulas."""
    for shape, label in (((5,), "a (5, 4) input, bias None"), ((2, 3), "a (2, 3, 4) input, bias None")):
        run = run_function(submission, shape, 4, 3, bias=False, seed=2, what=f" on {label}")
        expect_gradients(run, label)


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_input_without_grad(submission):
    """With an input that does not require grad, weight and bias still get correct gradients; with a frozen weight, the input and the bias do."""
    run = run_function(submission, (4,), 3, 2, x_grad=False, seed=3,
                       what=" with an input that does not require grad")
    expect_gradients(run, "an input that does not require grad")
    run = run_function(submission, (4,), 3, 2, w_grad=False, seed=5,
                       what=" with a frozen weight (requires_grad=False)")
    expect_gradients(run, "a frozen weight: the input and the bias still need their gradients, "
                          "(ctx.needs_input_grad tells which inputs want one)")


AUTOGRAD_CALLS = ("autograd.grad", "autograd.backward", "enable_grad", "functional.vjp",
                  "functional.jacobian", "backward")


@check(exercise="function", points=1, tags=["autograd", "forbidden-api"], visibility="hidden")
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
