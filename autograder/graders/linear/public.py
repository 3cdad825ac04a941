"""Public checks of `linear`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch

from autograder.checks import check, expect, expect_close
from autograder.graders.linear.common import (
    get_function, gradcheck_inputs, make_layer, parameter_dict, reference_forward,
    registered_weight, run_gradcheck, uniform_bound,
)


@check(exercise="parameters", points=1, tags=["registration"], visibility="visible")
def test_weight_and_bias_are_parameters(submission):
    """Linear(3, 2) registers exactly `weight` and `bias` as nn.Parameters."""
    layer = make_layer(submission, 3, 2)
    registered_weight(layer, "weight")
    registered_weight(layer, "bias")
    names = sorted(parameter_dict(layer))
    expect(names == ["bias", "weight"],
           observed=f"named_parameters() lists {names}",
           expected="exactly ['bias', 'weight']",
           fix="register only weight and bias; keep other state as plain attributes")


@check(exercise="parameters", points=1, tags=["shapes"], visibility="visible")
def test_parameter_shapes(submission):
    """Linear(3, 2) has weight of shape (out_features, in_features) = (2, 3) and bias (2,)."""
    layer = make_layer(submission, 3, 2)
    weight, bias = registered_weight(layer, "weight"), registered_weight(layer, "bias")
    expect(tuple(weight.shape) == (2, 3),
           observed=f"weight has shape {tuple(weight.shape)}",
           expected="(out_features, in_features) = (2, 3)",
           fix="create weight as torch.empty(out_features, in_features): one row per output")
    expect(tuple(bias.shape) == (2,),
           observed=f"bias has shape {tuple(bias.shape)}",
           expected="(out_features,) = (2,)",
           fix="create bias as torch.empty(out_features)")


@check(exercise="init", points=1, tags=["init"], visibility="visible")
def test_init_within_bound(submission):
    """Linear(16, 32) starts with every weight and bias inside [-1/sqrt(16), 1/sqrt(16)] = [-0.25, 0.25]."""
    torch.manual_seed(0)
    layer = make_layer(submission, 16, 32)
    bound = uniform_bound(16)
    for name in ("weight", "bias"):
        values = registered_weight(layer, name).detach()
        worst = float(values.abs().max())
        expect(worst <= bound + 1e-6,
               observed=f"{name} holds values up to {worst:.3f} in magnitude",
               expected=f"values within +-1/sqrt(in_features) = +-{bound:.3f}",
               fix="in reset_parameters, fill both in place with "
                   "nn.init.uniform_(tensor, -bound, bound), bound = 1 / math.sqrt(in_features)")
        expect(float(values.abs().max()) > 0,
               observed=f"{name} is all zeros",
               expected="random values drawn from U(-bound, bound)",
               fix="draw the initial values with nn.init.uniform_ (or tensor.uniform_)")


@check(exercise="forward", points=1, tags=["forward"], visibility="visible")
def test_forward_2d(submission):
    """Linear(4, 3) maps a batch x of shape (5, 4) to x @ weight.T + bias, shape (5, 3)."""
    torch.manual_seed(0)
    layer = make_layer(submission, 4, 3)
    x = torch.randn(5, 4)
    y = layer(x)
    expect_close(y, reference_forward(x, layer.weight, layer.bias), what="Linear(4, 3)(x)",
                 fix="return x @ self.weight.T + self.bias (weight is (out, in), so transpose it)")


@check(exercise="extras", points=1, tags=["repr"], visibility="visible")
def test_extra_repr(submission):
    """Linear(3, 2).extra_repr() is 'in_features=3, out_features=2, bias=True'."""
    layer = make_layer(submission, 3, 2)
    text = layer.extra_repr()
    expect(text == "in_features=3, out_features=2, bias=True",
           observed=f"extra_repr() returned {text!r}",
           expected="'in_features=3, out_features=2, bias=True'",
           fix="return f'in_features={self.in_features}, out_features={self.out_features}, "
               "bias={self.bias is not None}'")


@check(exercise="function", points=1, tags=["autograd"], visibility="visible")
def test_function_forward(submission):
    """LinearFunction.apply(x, weight, bias) computes x @ weight.T + bias."""
    fn = get_function(submission)
    x, w, b = gradcheck_inputs((6,), 4, 3)
    y = fn.apply(x, w, b)
    expect_close(y, reference_forward(x, w, b), what="LinearFunction.apply(x, weight, bias)",
                 fix="in forward, save the tensors backward needs with ctx.save_for_backward "
                     "and return x @ weight.T + bias")


@check(exercise="function", points=2, tags=["autograd"], visibility="visible")
def test_function_gradcheck_2d(submission):
    """LinearFunction passes torch.autograd.gradcheck in float64 on a (6, 4) input with bias."""
    fn = get_function(submission)
    run_gradcheck(fn, *gradcheck_inputs((6,), 4, 3), what="a (6, 4) input with bias")
