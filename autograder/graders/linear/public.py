"""Public checks of `linear`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch

from autograder.checks import check, expect, expect_close
from autograder.graders.linear.common import (
    expect_drawn, expect_gradients, forward_diagnosis, known_weights, layer_tensor, make_layer,
    reference_forward, registered_weight, run_function, uniform_bound,
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
