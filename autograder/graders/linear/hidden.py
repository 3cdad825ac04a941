"""Hidden checks of `linear`: run by the instructor's grading only."""
from __future__ import annotations

import math

import torch
from torch import nn

from autograder.checks import CheckFailed, check, expect, expect_close, plain
from autograder.graders.linear.common import (
    ForbiddenCallSpy, expect_no_forbidden, get_function, gradcheck_inputs, make_layer,
    parameter_dict, reference_forward, registered_weight, run_gradcheck, uniform_bound,
)


# -- parameters ------------------------------------------------------------------------------

@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_parameters_are_leaves_that_require_grad(submission):
    """weight and bias are leaf tensors that require grad, so gradients accumulate in .grad."""
    layer = make_layer(submission, 5, 4)
    for name in ("weight", "bias"):
        p = registered_weight(layer, name)
        expect(type(p) is nn.Parameter or isinstance(p, nn.Parameter),
               observed=f"{name} is a {type(p).__name__}", expected="an nn.Parameter",
               fix=f"assign self.{name} = nn.Parameter(...)")
        expect(p.is_leaf and p.requires_grad,
               observed=f"{name}.is_leaf={p.is_leaf}, requires_grad={p.requires_grad}",
               expected="a leaf that requires grad",
               fix="create the Parameter directly from a fresh tensor (nn.Parameter(torch.empty"
                   "(...))), not from the result of an operation, and keep requires_grad=True")


@check(exercise="parameters", points=1, tags=["shapes"], visibility="hidden")
def test_in_and_out_features_attributes(submission):
    """Linear(7, 2) keeps in_features=7 and out_features=2 as attributes."""
    layer = make_layer(submission, 7, 2)
    got = (getattr(layer, "in_features", None), getattr(layer, "out_features", None))
    expect(got == (7, 2),
           observed=f"(in_features, out_features) = {got}", expected="(7, 2)",
           fix="store both sizes in __init__: self.in_features = in_features, and so on")
    weight = registered_weight(layer, "weight")
    expect(tuple(weight.shape) == (2, 7),
           observed=f"Linear(7, 2).weight has shape {tuple(weight.shape)}",
           expected="(out_features, in_features) = (2, 7)",
           fix="torch.empty(out_features, in_features): the first dimension is the output")


@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_bias_false_registers_none(submission):
    """Linear(3, 2, bias=False) has only `weight`, and `bias` registered as None."""
    layer = make_layer(submission, 3, 2, bias=False)
    names = sorted(parameter_dict(layer))
    expect(names == ["weight"],
           observed=f"with bias=False, named_parameters() lists {names}",
           expected="only ['weight']",
           fix="when bias is False, do not create a bias tensor at all")
    expect("bias" in layer._parameters and layer.bias is None,
           observed=("layer.bias is missing" if not hasattr(layer, "bias")
                     else f"layer.bias is {type(layer.bias).__name__}, not a registered None"),
           expected="layer.bias is None, registered with register_parameter('bias', None)",
           fix="write self.register_parameter('bias', None) so that code reading layer.bias "
               "(and state_dict loading) sees the slot, as nn.Linear does")


@check(exercise="parameters", points=1, tags=["optimizer"], visibility="hidden")
def test_optimizer_updates_weight_and_bias(submission):
    """One SGD step on model.parameters() changes both weight and bias."""
    torch.manual_seed(1)
    layer = make_layer(submission, 4, 3)
    before = {n: plain(p) for n, p in layer.named_parameters()}
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    layer(torch.randn(8, 4)).pow(2).sum().backward()
    optimizer.step()
    for name in ("weight", "bias"):
        expect(name in before,
               observed=f"the optimizer was given {sorted(before)}",
               expected=f"{name} among the parameters the optimizer updates",
               fix=f"register {name} as an nn.Parameter")
        after = plain(registered_weight(layer, name))
        expect(not torch.equal(after, before[name]),
               observed=f"{name} did not change after optimizer.step()",
               expected=f"{name} updated by the step",
               fix=f"make sure forward uses self.{name} itself (not a copy or a .data view), "
                   "so the loss's gradient reaches it")


# -- init ------------------------------------------------------------------------------------

def _spread(values: torch.Tensor, bound: float, name: str, in_features: int) -> None:
    values = plain(values).double().flatten()
    expected_std = bound / math.sqrt(3.0)  # std of U(-b, b)
    std, mean, top = float(values.std()), float(values.mean()), float(values.abs().max())
    fix = ("draw from U(-1/sqrt(in_features), 1/sqrt(in_features)) with nn.init.uniform_, "
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
    torch.manual_seed(0)
    for in_f, out_f in ((64, 256), (4, 300)):
        layer = make_layer(submission, in_f, out_f)
        _spread(registered_weight(layer, "weight"), uniform_bound(in_f), "weight", in_f)


@check(exercise="init", points=1, tags=["init"], visibility="hidden")
def test_bias_init_spread(submission):
    """The bias of Linear(9, 2000) spreads like U(-1/3, 1/3), not zeros."""
    torch.manual_seed(0)
    layer = make_layer(submission, 9, 2000)
    _spread(registered_weight(layer, "bias"), uniform_bound(9), "bias", 9)


@check(exercise="init", points=1, tags=["init"], visibility="hidden")
def test_init_follows_torch_seed(submission):
    """Two layers built after the same torch.manual_seed are identical; different seeds differ."""
    torch.manual_seed(123)
    a = plain(registered_weight(make_layer(submission, 6, 5), "weight"))
    torch.manual_seed(123)
    b = plain(registered_weight(make_layer(submission, 6, 5), "weight"))
    torch.manual_seed(124)
    c = plain(registered_weight(make_layer(submission, 6, 5), "weight"))
    expect(torch.equal(a, b) and not torch.equal(a, c),
           observed=("the same seed gave different weights" if not torch.equal(a, b)
                     else "different seeds gave the same weights"),
           expected="weights drawn from torch's random generator",
           fix="draw with torch (nn.init.uniform_ or tensor.uniform_), not with numpy or "
               "Python's random module, so torch.manual_seed makes runs reproducible")


@check(exercise="init", points=1, tags=["init", "registration"], visibility="hidden")
def test_reset_parameters_keeps_the_same_parameters(submission):
    """reset_parameters() redraws weight and bias in place: the same Parameter objects stay registered."""
    torch.manual_seed(0)
    layer = make_layer(submission, 8, 6)
    weight, bias = registered_weight(layer, "weight"), registered_weight(layer, "bias")
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    old_w, old_b = plain(weight), plain(bias)
    layer.reset_parameters()
    same = layer.weight is weight and layer.bias is bias
    expect(same,
           observed="after reset_parameters(), layer.weight/layer.bias are new objects, so an "
                    "optimizer built earlier still holds the old ones and never updates the layer",
           expected="the same Parameter objects, refilled in place",
           fix="fill the existing tensors in place: nn.init.uniform_(self.weight, -bound, bound), "
               "instead of assigning new nn.Parameter objects")
    expect(not torch.equal(plain(layer.weight), old_w) and not torch.equal(plain(layer.bias), old_b),
           observed="reset_parameters() left the values unchanged",
           expected="freshly drawn values",
           fix="redraw both tensors in reset_parameters and call it at the end of __init__")
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    expect(id(layer.weight) in held and id(layer.bias) in held,
           observed="the optimizer built before reset no longer holds the layer's parameters",
           expected="the same parameters before and after reset",
           fix="refill in place rather than re-creating the parameters")


# -- forward ---------------------------------------------------------------------------------

def _forward_case(submission, in_f, out_f, x_shape, what, bias=True):
    torch.manual_seed(2)
    layer = make_layer(submission, in_f, out_f, bias=bias)
    x = torch.randn(*x_shape)
    y = layer(x)
    expect_close(y, reference_forward(x, layer.weight, layer.bias if bias else None), what=what,
                 fix="forward maps (*, in_features) to (*, out_features): use x @ self.weight.T "
                     "(which works for any number of leading dimensions), then add the bias "
                     "if there is one")


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
    torch.manual_seed(3)
    layer = make_layer(submission, 4, 3)
    x = torch.randn(5, 4, requires_grad=True)
    upstream = torch.randn(5, 3)
    (layer(x) * upstream).sum().backward()
    w = registered_weight(layer, "weight")
    b = registered_weight(layer, "bias")
    for name, grad, ref in (("x.grad", x.grad, upstream @ plain(w)),
                            ("weight.grad", w.grad, upstream.T @ plain(x)),
                            ("bias.grad", b.grad, upstream.sum(0))):
        if grad is None:
            raise CheckFailed(f"{name} is None after backward()",
                              "a gradient for the input, the weight and the bias",
                              "compute forward from x, self.weight and self.bias directly with "
                              "differentiable operations (no .detach(), .data, .item() or numpy)")
        expect_close(grad, ref, what=name, fix="let autograd differentiate x @ weight.T + bias; "
                     "do not detach or copy any of the three")


@check(exercise="forward", points=2, tags=["forbidden-api"], visibility="hidden")
def test_does_not_use_nn_linear(submission):
    """Linear builds the affine map itself: no nn.Linear inside, no F.linear while it runs."""
    Linear = submission.Linear
    expect(not (isinstance(Linear, type) and issubclass(Linear, nn.Linear)),
           observed="Linear subclasses nn.Linear", expected="a subclass of nn.Module only",
           fix="declare `class Linear(nn.Module):` and create the parameters yourself")
    spy = ForbiddenCallSpy()
    with spy:
        layer = make_layer(submission, 4, 3)
        layer(torch.randn(2, 4))
        layer_no_bias = make_layer(submission, 4, 3, bias=False)
        layer_no_bias(torch.randn(2, 4))
    inner = [n for n, m in layer.named_modules() if isinstance(m, nn.Linear)]
    expect(not inner,
           observed=f"the layer contains nn.Linear submodules: {inner}",
           expected="no nn.Linear inside", fix="hold weight and bias as your own nn.Parameters")
    expect_no_forbidden(spy, "building and calling Linear")


# -- extras ----------------------------------------------------------------------------------

@check(exercise="extras", points=1, tags=["repr"], visibility="hidden")
def test_repr_without_bias(submission):
    """repr(Linear(5, 1, bias=False)) shows 'in_features=5, out_features=1, bias=False'."""
    layer = make_layer(submission, 5, 1, bias=False)
    text = repr(layer)
    expect("in_features=5, out_features=1, bias=False" in text,
           observed=f"repr is {text!r}",
           expected="'...(in_features=5, out_features=1, bias=False)'",
           fix="extra_repr returns the three settings; module repr() puts it in the brackets")


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
def test_dtype_argument(submission):
    """Linear(3, 2, dtype=torch.float64) has float64 parameters and computes in float64."""
    layer = make_layer(submission, 3, 2, dtype=torch.float64)
    dtypes = {n: p.dtype for n, p in layer.named_parameters()}
    expect(set(dtypes.values()) == {torch.float64},
           observed=f"parameter dtypes {dtypes}", expected="torch.float64 for both",
           fix="pass dtype (and device) to every torch.empty: "
               "factory_kwargs = {'device': device, 'dtype': dtype}; torch.empty(..., **factory_kwargs)")
    y = layer(torch.randn(4, 3, dtype=torch.float64))
    expect(plain(y).dtype == torch.float64, observed=f"the output is {y.dtype}",
           expected="torch.float64", fix="do not convert inside forward")


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
def test_meta_device(submission):
    """Linear(1000, 1000, device='meta') allocates no memory: parameters on the meta device."""
    layer = make_layer(submission, 1000, 1000, device="meta")
    devices = {n: p.device.type for n, p in layer.named_parameters()}
    expect(set(devices.values()) == {"meta"},
           observed=f"parameter devices {devices}", expected="'meta' for both",
           fix="pass device to torch.empty when creating weight and bias")
    y = layer(torch.empty(2, 1000, device="meta"))
    expect(tuple(y.shape) == (2, 1000) and y.device.type == "meta",
           observed=f"forward on meta gave shape {tuple(y.shape)} on {y.device}",
           expected="shape (2, 1000) on meta", fix="keep forward in tensor operations")


@check(exercise="extras", points=1, tags=["state-dict"], visibility="hidden")
def test_state_dict_loads_into_nn_linear(submission):
    """Your layer's state_dict loads into nn.Linear(4, 3) (strict), which then computes the same."""
    torch.manual_seed(4)
    layer = make_layer(submission, 4, 3)
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
    x = torch.randn(5, 4)
    expect_close(layer(x), reference(x), what="your layer's output next to nn.Linear's with the "
                 "same weights", fix="forward must be x @ weight.T + bias")


@check(exercise="extras", points=1, tags=["state-dict"], visibility="hidden")
def test_state_dict_from_nn_linear(submission):
    """An nn.Linear's state_dict loads into your layer (strict), for bias=True and bias=False."""
    for bias in (True, False):
        torch.manual_seed(5)
        reference = nn.Linear(4, 3, bias=bias)
        layer = make_layer(submission, 4, 3, bias=bias)
        try:
            layer.load_state_dict(reference.state_dict())
        except RuntimeError as exc:
            raise CheckFailed(f"with bias={bias}, your_layer.load_state_dict(nn.Linear's) "
                              f"failed: {str(exc).splitlines()[0]}",
                              f"keys {sorted(reference.state_dict())}",
                              "register weight, and bias only when bias=True "
                              "(register_parameter('bias', None) otherwise)") from None
        x = torch.randn(2, 4)
        expect_close(layer(x), reference(x), what=f"output after loading (bias={bias})",
                     fix="forward must use the loaded weight and bias")


# -- LinearFunction --------------------------------------------------------------------------

@check(exercise="function", points=2, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_3d(submission):
    """gradcheck passes on a (2, 3, 4) input: the weight gradient sums over both leading dims."""
    fn = get_function(submission)
    run_gradcheck(fn, *gradcheck_inputs((2, 3), 4, 3), what="a (2, 3, 4) input with bias")


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_without_bias(submission):
    """gradcheck passes with bias=None, on 2-D and 3-D inputs."""
    fn = get_function(submission)
    run_gradcheck(fn, *gradcheck_inputs((5,), 4, 3, bias=False), what="a (5, 4) input, bias None")
    run_gradcheck(fn, *gradcheck_inputs((2, 3), 4, 3, bias=False),
                  what="a (2, 3, 4) input, bias None")


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_input_without_grad(submission):
    """With an input that does not require grad, weight and bias still get correct gradients."""
    fn = get_function(submission)
    run_gradcheck(fn, *gradcheck_inputs((4,), 3, 2, x_grad=False),
                  what="an input that does not require grad")


@check(exercise="function", points=1, tags=["autograd", "forbidden-api"], visibility="hidden")
def test_function_backward_is_its_own(submission):
    """The output's grad_fn is LinearFunction's backward, computed without F.linear."""
    fn = get_function(submission)
    x, w, b = gradcheck_inputs((3,), 4, 2)
    spy = ForbiddenCallSpy()
    with spy:
        y = fn.apply(x, w, b)
        y.sum().backward()
    node = type(y.grad_fn).__name__ if y.grad_fn is not None else "None"
    expect(node.startswith(fn.__name__),
           observed=f"the output's grad_fn is {node}",
           expected=f"{fn.__name__}Backward, the node of your Function",
           fix="compute the output inside forward (where autograd is off) and return it; "
               "call LinearFunction.apply, not LinearFunction.forward")
    expect_no_forbidden(spy, "LinearFunction")
