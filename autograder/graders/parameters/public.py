"""Public checks of `parameters`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch

from autograder.checks import check, expect, expect_close
from autograder.graders.parameters.common import (
    TIED_ORDER, build, buffer, call_count, expect_count, expect_names, expect_shape,
    expect_mlp_output, expect_tied_output, forward_leaves_input, linear, mlp_parameters,
    reference_count, registered, sequential, set_all, set_values, tied_parameters, values,
)

# -- Scale -------------------------------------------------------------------------------------

@check(exercise="scale", points=1, tags=["registration"], visibility="visible")
def test_scale_weight_is_parameter(submission):
    """Scale(4) registers exactly one parameter, `weight`, so named_parameters() lists it."""
    info = build(submission, "Scale", 4).describe(values=False)
    registered(info, "weight", "Scale")
    expect_names(info, ["weight"], "Scale(4)",
                 fix="register only `weight`; keep anything else as plain attributes")


@check(exercise="scale", points=1, tags=["shapes", "init"], visibility="visible")
def test_scale_weight_starts_at_ones(submission):
    """Scale(5).weight has shape (5,) and starts at ones, so the layer starts as the identity."""
    weight = registered(build(submission, "Scale", 5).describe(), "weight", "Scale")
    expect_shape(weight, (5,), "Scale(5).weight",
                 "one factor per feature: a 1-D parameter of length num_features")
    expect(weight.dtype in ("float32", "float64", "float16", "bfloat16"),
           observed=f"Scale(5).weight has dtype torch.{weight.dtype}",
           expected="a floating-point weight (torch.float32 by default)",
           fix="create the factors as floating-point values: gradients and optimizer steps need "
               "a floating-point tensor")
    expect_close(weight.value, torch.ones(5), what="Scale(5).weight before training",
                 fix="start every factor at one (a tensor of ones, one per feature): scaling by "
                     "one changes nothing until training moves the factors", rtol=0, atol=0)


@check(exercise="scale", points=1, tags=["forward"], visibility="visible")
def test_scale_forward(submission):
    """Scale(3) multiplies each feature of a (5, 3) batch by its own factor, and leaves the batch it is given unchanged."""
    g = torch.Generator().manual_seed(0)
    layer = build(submission, "Scale", 3)
    weight = set_values(layer, "weight", registered(layer.describe(values=False), "weight",
                                                     "Scale"), g)
    x = torch.randn(5, 3, generator=g)
    fix = ("multiply the input elementwise by the registered weight as it is: broadcasting "
           "matches the (num_features,) weight with the last dimension of x (reshaping the weight "
           "scales rows instead of features)")
    expect_close(forward_leaves_input(submission, layer, x, "Scale(3)", fix), x * weight,
                 what="Scale(3)(x)", fix=fix)


# -- Standardize -------------------------------------------------------------------------------

def standardize_inputs(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g), torch.rand(n, generator=g) + 0.5, g


@check(exercise="standardize", points=1, tags=["buffers"], visibility="visible")
def test_standardize_buffers_registered(submission):
    """Standardize(mean, std) keeps `mean` and `std` as buffers holding the values passed in."""
    mean, std, _ = standardize_inputs(3, 0)
    info = build(submission, "Standardize", mean, std).describe()
    for name, value in (("mean", mean), ("std", std)):
        expect_close(buffer(info, name, "Standardize").value, value, what=f"the `{name}` buffer",
                     fix=f"register a detached copy of the `{name}` tensor you are given, "
                         "unchanged, as a buffer")


@check(exercise="standardize", points=1, tags=["forward"], visibility="visible")
def test_standardize_forward(submission):
    """Standardize(mean, std) subtracts mean from each feature of a (6, 3) batch x and divides by std, and leaves x unchanged."""
    mean, std, g = standardize_inputs(3, 1)
    module = build(submission, "Standardize", mean, std)
    x = torch.randn(6, 3, generator=g)
    fix = ("subtract the mean buffer from the input, then divide by the std buffer: both are "
           "(num_features,) and broadcast over the last dimension")
    expect_close(forward_leaves_input(submission, module, x, "Standardize(mean, std)", fix),
                 (x - mean) / std, what="Standardize(mean, std)(x)", fix=fix)


# -- MLP -----------------------------------------------------------------------------------------

@check(exercise="mlp", points=1, tags=["modulelist", "registration"], visibility="visible")
def test_mlp_parameter_names(submission):
    """MLP([4, 8, 3]) has parameters layers.0.weight (8, 4), layers.0.bias, layers.1.weight (3, 8), layers.1.bias."""
    mlp_parameters(build(submission, "MLP", [4, 8, 3]).describe(values=False), [4, 8, 3])


@check(exercise="mlp", points=1, tags=["forward"], visibility="visible")
def test_mlp_forward(submission):
    """MLP([4, 8, 3]) applies layer 0, ReLU, then layer 1 (no ReLU after the last layer)."""
    model = build(submission, "MLP", [4, 8, 3], seed=0)
    params = values(mlp_parameters(model.describe(), [4, 8, 3]))
    x = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    expect_mlp_output(model(x), params, 2, x, what="MLP([4, 8, 3])(x)",
                      fix="loop over self.layers and apply ReLU after every layer except the "
                          "last: the last layer's outputs (scores, regression values) must be "
                          "able to be negative")


# -- TiedAutoencoder ---------------------------------------------------------------------------

@check(exercise="tied", points=1, tags=["tying", "registration"], visibility="visible")
def test_tied_parameter_names(submission):
    """TiedAutoencoder(6, 3) has exactly encoder.weight (3, 6), encoder.bias (3,) and decoder_bias (6,)."""
    tied_parameters(build(submission, "TiedAutoencoder", 6, 3).describe(values=False), 6, 3)


@check(exercise="tied", points=1, tags=["forward", "tying"], visibility="visible")
def test_tied_forward(submission):
    """TiedAutoencoder(5, 3) computes relu(x W^T + b) W + c, with W and b the encoder's weight and bias and c decoder_bias."""
    g = torch.Generator().manual_seed(0)
    model = build(submission, "TiedAutoencoder", 5, 3)
    params = tied_parameters(model.describe(), 5, 3)
    built_with = params["encoder.weight"].value
    w, b, c = set_all(model, params, TIED_ORDER, g)
    x = torch.randn(4, 5, generator=g)
    expect_tied_output(model(x), x, w, b, c, what="TiedAutoencoder(5, 3)(x)",
                       stale_weight=built_with)


# -- count_parameters --------------------------------------------------------------------------

SIMPLE_MODELS = (
    (linear(3, 4), "nn.Linear(3, 4)"),
    (sequential(linear(5, 6), {"class": "ReLU"}, linear(6, 2)),
     "nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))"),
)


@check(exercise="count", points=1, tags=["counting"], visibility="visible")
def test_count_simple_models(submission):
    """count_parameters counts scalars: nn.Linear(3, 4) has 16, a two-layer Sequential its weights plus biases."""
    for spec, label in SIMPLE_MODELS:
        # No parameter is shared or frozen here: every tensor parameters() yields counts.
        n = call_count(submission, submission.build(spec, seed=0))
        expect_count(n, spec, observed=f"count_parameters({label}) returned {n}",
                     expected=f"{reference_count(spec)}, the number of scalars in its parameters",
                     fix="count scalars, not tensors: each parameter holds p.numel() of them; "
                         "add these up over model.parameters()")
