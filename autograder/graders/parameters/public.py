"""Public checks of `parameters`: the learner runs these from the notebook while working."""
from __future__ import annotations

import torch

from autograder.judge_side.checks import CheckFailed, check, expect, expect_close
from autograder.graders.parameters.common import (LR, buffer, build, converted, expect_converted,
                                                  expect_every_parameter_changes,
                                                  expect_follows_state, expect_gradient,
                                                  expect_names, expect_shape, expect_standardized,
                                                  expect_state_keys, expect_trainable_leaf,
                                                  forward_leaves_input, fresh_entry, generator,
                                                  judge_values, load_values, output_tensor,
                                                  read_state, registered, registered_step, set_all,
                                                  set_values, standardize_module)
from autograder.graders.parameters.common.count import (SHARED_BLOCK, SHARED_FIX,
                                                        TIED_LANGUAGE_MODEL, call_count,
                                                        expect_count, linear, reference_count,
                                                        sequential)
from autograder.graders.parameters.common.mlp import (expect_mlp_layers, expect_mlp_output,
                                                      mlp_parameters, mlp_reference, mlp_shapes)
from autograder.graders.parameters.common.tied import (TIED_FORWARD_FIX, TIED_ORDER,
                                                       expect_tied_names, expect_tied_output,
                                                       tied_parameters, tied_reference,
                                                       tied_shapes)
from autograder.i18n import _

# -- Scale -------------------------------------------------------------------------------------

@check(exercise="scale", points=1, tags=["registration"], visibility="visible")
def test_scale_weight_is_parameter(submission):
    """Scale(4) registers exactly one parameter, `weight`, so named_parameters() lists it."""
    layer = build(submission, "Scale", 4)
    info = layer.describe(values=False)
    registered(info, "weight", "Scale")
    expect_names(info, ["weight"], "Scale(4)",
                 fix=_("register only `weight`; keep anything else as plain attributes"))
    expect_follows_state(layer, {"weight": (4,)}, torch.randn(4, 4, generator=generator(6)),
                         generator(6), "Scale(4)",
                         fix=_("multiply by the registered weight in forward, the tensor "
                               "state_dict() saves and load_state_dict() sets"))
    expect_state_keys(layer, ["weight"], "Scale(4)",
                      fix=_("register only `weight`; keep anything else as plain attributes"))


@check(exercise="scale", points=1, tags=["shapes", "init"], visibility="visible")
def test_scale_weight_starts_at_ones(submission):
    """Scale(5).weight has shape (5,) and starts at ones, so the layer starts as the identity."""
    weight = registered(build(submission, "Scale", 5).describe(), "weight", "Scale")
    expect_shape(weight, (5,), "Scale(5).weight",
                 _("one factor per feature: a 1-D parameter of length num_features"))
    expect(weight.dtype in ("float32", "float64", "float16", "bfloat16"),
           observed=_("Scale(5).weight has dtype torch.{dtype}").format(dtype=weight.dtype),
           expected=_("a floating-point weight (torch.float32 by default)"),
           fix=_("create the factors as floating-point values: gradients and optimizer steps "
                 "need a floating-point tensor"))
    fix = _("start every factor at one (a tensor of ones, one per feature): scaling "
            "by one changes nothing until training moves the factors")
    expect_close(weight.value, torch.ones(5), what=_("Scale(5).weight before training"),
                 fix=fix, rtol=0, atol=0)
    layer = build(submission, "Scale", 5)
    saved = fresh_entry(layer, "weight", (5,), "Scale(5)")
    expect_close(saved, torch.ones(5), what=_("state_dict()['weight'] of a new Scale(5)"),
                 fix=fix, rtol=0, atol=0)
    x = torch.randn(5, 5, generator=generator(7))
    expect_close(layer(x), x, what=_("a new Scale(5) on an input x (expected x itself)"), fix=fix,
                 rtol=0, atol=0)


@check(exercise="scale", points=1, tags=["forward"], visibility="visible")
def test_scale_forward(submission):
    """Scale(3) multiplies each feature of a (5, 3) batch by its own factor, and leaves the batch it is given unchanged."""
    g = torch.Generator().manual_seed(0)
    layer = build(submission, "Scale", 3)
    registered(layer.describe(values=False), "weight", "Scale")
    weight = set_values(layer, "weight", (3,), g, "Scale(3)")
    x = torch.randn(5, 3, generator=g)
    fix = _("multiply the input elementwise by the registered weight as it is: broadcasting "
            "matches the (num_features,) weight with the last dimension of x (reshaping the "
            "weight scales rows instead of features)")
    expect_close(forward_leaves_input(submission, layer, x, "Scale(3)", fix), x * weight,
                 what="Scale(3)(x)", fix=fix)


# -- Standardize -------------------------------------------------------------------------------

def standardize_inputs(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, generator=g), torch.rand(n, generator=g) + 0.5, g


@check(exercise="standardize", points=1, tags=["buffers"], visibility="visible")
def test_standardize_buffers_registered(submission):
    """Standardize(mean, std) keeps `mean` and `std` as buffers holding the values passed in."""
    mean, std, _generator = standardize_inputs(3, 0)
    module = build(submission, "Standardize", mean, std)
    info = module.describe()
    for name, value in (("mean", mean), ("std", std)):
        fix = _("register a detached copy of the `{name}` tensor you are given, unchanged, as "
                "a buffer").format(name=name)
        expect_close(buffer(info, name, "Standardize").value, value,
                     what=_("the `{name}` buffer").format(name=name), fix=fix)
        expect_close(fresh_entry(module, name, (3,), "Standardize"), value,
                     what=f"state_dict()['{name}']", fix=fix, rtol=0, atol=0)


@check(exercise="standardize", points=1, tags=["forward"], visibility="visible")
def test_standardize_forward(submission):
    """Standardize(mean, std) subtracts mean from each feature of a (6, 3) batch x and divides by std, and leaves x unchanged."""
    mean, std, g = standardize_inputs(3, 1)
    module = build(submission, "Standardize", mean, std)
    x = torch.randn(6, 3, generator=g)
    fix = _("subtract the mean buffer from the input, then divide by the std buffer: both are "
            "(num_features,) and broadcast over the last dimension")
    expect_standardized(forward_leaves_input(submission, module, x, "Standardize(mean, std)",
                                             fix),
                        x, mean, std, what="Standardize(mean, std)(x)", fix=fix)


# -- MLP -----------------------------------------------------------------------------------------

@check(exercise="mlp", points=1, tags=["modulelist", "registration"], visibility="visible")
def test_mlp_parameter_names(submission):
    """MLP([4, 8, 3]) has parameters layers.0.weight (8, 4), layers.0.bias, layers.1.weight (3, 8), layers.1.bias."""
    model = build(submission, "MLP", [4, 8, 3])
    mlp_parameters(model.describe(values=False), [4, 8, 3])
    expect_mlp_layers(model, [4, 8, 3], generator(10))


@check(exercise="mlp", points=1, tags=["forward"], visibility="visible")
def test_mlp_forward(submission):
    """MLP([4, 8, 3]) applies layer 0, ReLU, then layer 1 (no ReLU after the last layer)."""
    model = build(submission, "MLP", [4, 8, 3], seed=0)
    mlp_parameters(model.describe(values=False), [4, 8, 3])
    g = generator(0)
    params = dict(zip(mlp_shapes([4, 8, 3]), set_all(model, mlp_shapes([4, 8, 3]), g, "MLP")))
    x = torch.randn(6, 4, generator=g)
    expect_mlp_output(model(x), params, 2, x, what="MLP([4, 8, 3])(x)",
                      fix=_("loop over self.layers and apply ReLU after every layer except the "
                            "last: the last layer's outputs (scores, regression values) must be "
                            "able to be negative"))


# -- TiedAutoencoder ---------------------------------------------------------------------------

@check(exercise="tied", points=1, tags=["tying", "registration"], visibility="visible")
def test_tied_parameter_names(submission):
    """TiedAutoencoder(6, 3) has exactly encoder.weight (3, 6), encoder.bias (3,) and decoder_bias (6,)."""
    model = build(submission, "TiedAutoencoder", 6, 3)
    tied_parameters(model.describe(values=False), 6, 3)
    expect_tied_names(model, 6, 3, generator(11))


@check(exercise="tied", points=1, tags=["forward", "tying"], visibility="visible")
def test_tied_forward(submission):
    """TiedAutoencoder(5, 3) computes relu(x W^T + b) W + c, with W and b the encoder's weight and bias and c decoder_bias."""
    g = torch.Generator().manual_seed(0)
    model = build(submission, "TiedAutoencoder", 5, 3)
    params = tied_parameters(model.describe(), 5, 3)
    built_with = params["encoder.weight"].value
    w, b, c = set_all(model, tied_shapes(5, 3), g, "TiedAutoencoder")
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
        expect_count(n, spec,
                     observed=_("count_parameters({model}) returned {count}").format(model=label,
                                                                                     count=n),
                     expected=_("{count}, the number of scalars in its parameters").format(
                         count=reference_count(spec)),
                     fix=_("count scalars, not tensors: each parameter holds p.numel() of them; "
                           "add these up over model.parameters()"))


@check(exercise="scale", points=1, tags=["registration", "autograd"], visibility="visible")
def test_scale_weight_is_trainable_leaf(submission):
    """Scale's weight is an nn.Parameter, a leaf of the autograd graph, with requires_grad=True."""
    layer = build(submission, "Scale", 4)
    info = layer.describe(values=False)
    expect_trainable_leaf(registered(info, "weight", "Scale"), "self.weight", "Scale", "weight")
    # The description only explains: the gradient the judge computes must reach the registered
    # weight, as it reaches a trainable leaf.
    g = generator(8)
    set_values(layer, "weight", (4,), g, "Scale(4)")
    x, grad_out = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    expect_gradient(layer, x, grad_out, "weight", (x * grad_out).sum(0), "Scale(4)",
                    fix=_("make weight an nn.Parameter wrapping a fresh tensor (requires_grad "
                          "left at True) and use it as it is in forward"))


@check(exercise="scale", points=1, tags=["optimizer", "grad-flow"], visibility="visible")
def test_scale_optimizer_updates_weight(submission):
    """One SGD step on Scale(3).parameters() changes the weight."""
    g = generator(2)
    layer = build(submission, "Scale", 3)
    registered(layer.describe(values=False), "weight", "Scale")
    x, upstream = torch.randn(8, 3, generator=g), torch.randn(8, 3, generator=g)
    expect_every_parameter_changes(
        submission, layer, "Scale", x=x, upstream=upstream, shapes={"weight": (3,)},
        reference=lambda p: x * p["weight"], generator=g,
        fix=_("multiply the input elementwise by the registered weight"))


@check(exercise="scale", points=1, tags=["state-dict", "dtype-device"], visibility="visible")
def test_scale_saves_and_converts_weight(submission):
    """state_dict() of Scale(3) holds `weight`, and .to(torch.float64) converts it."""
    layer = build(submission, "Scale", 3)
    info = layer.describe(values=False)
    registered(info, "weight", "Scale")
    keys = sorted(layer.state_dict())
    expect(keys == ["weight"], observed=_("state_dict() holds {keys}").format(keys=keys),
           expected="['weight']",
           fix=_("register weight as an nn.Parameter and nothing else as parameter or buffer"))
    layer = converted(layer, torch.float64, "Scale(3)")
    weight = registered(layer.describe(values=False), "weight", "Scale")
    fix = _("register weight as an nn.Parameter so .to() converts it")
    expect(weight.dtype == "float64",
           observed=_("after .to(torch.float64), weight is torch.{dtype}").format(
               dtype=weight.dtype),
           expected="torch.float64", fix=fix)
    g = generator(9)
    chosen = expect_converted(layer, {"weight": (3,)}, g, "Scale(3)", fix)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    expect_close(layer(x), x * chosen["weight"], what=_("the float64 Scale(3)(x)"), fix=fix,
                 rtol=1e-12, atol=1e-12)


@check(exercise="standardize", points=1, tags=["buffers", "optimizer"], visibility="visible")
def test_standardize_buffers_not_parameters(submission):
    """Standardize has no parameters: mean and std are constants that no optimizer may change."""
    module, mean, std, g = standardize_module(submission)
    info = module.describe(values=False)
    params = sorted(info.parameters)
    statistic = next((n for n in ("mean", "std") if n in params), None)
    expect(not params,
           observed=_("named_parameters() lists {listed}: an optimizer built from "
                      "model.parameters() would train these statistics").format(listed=params),
           expected=_("no parameters at all"),
           fix=_("register mean and std as buffers (the module's register_buffer method), not "
                 "as nn.Parameter, even with requires_grad=False"),
           # the same mistake as buffer() reports for a statistic held as a parameter
           cause=f"buffer:Standardize.{statistic}" if statistic else None)
    for name in ("mean", "std"):
        b = buffer(info, name, "Standardize")
        expect(not b.requires_grad,
               observed=_("the `{name}` buffer requires grad").format(name=name),
               expected=_("a constant buffer"),
               fix=_("register a detached copy of the tensor you are given (cut from any "
                     "graph)"))
    # Verified: with every registered parameter made trainable, an optimizer step leaves the
    # statistics exactly as they were (a buffer is not a parameter, frozen or not).
    for name in ("mean", "std"):
        fresh_entry(module, name, (3,), "Standardize")
    x, upstream = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    registered_step(submission, module, x, upstream, unfreeze=True)
    state = read_state(module, "Standardize")
    moved = [n for n, v in (("mean", mean), ("std", std))
             if not isinstance(state.get(n), torch.Tensor) or not torch.equal(
                 state[n].to(v.dtype), v)]
    expect(not moved,
           observed=_("after making every registered parameter trainable and one optimizer step, "
                      "{names} changed: the statistics are parameters that an optimizer "
                      "built from model.parameters() trains").format(names=moved),
           expected=_("mean and std unchanged: buffers are not parameters"),
           fix=_("register mean and std as buffers (the module's register_buffer method), not "
                 "as nn.Parameter, even with requires_grad=False"),
           cause=f"buffer:Standardize.{moved[0]}" if moved else None)


@check(exercise="standardize", points=1, tags=["buffers", "state-dict"], visibility="visible")
def test_standardize_buffers_in_state_dict(submission):
    """state_dict() holds exactly `mean` and `std`, and loading it into another Standardize carries them over."""
    module, mean, std, g = standardize_module(submission, 4, 1)
    info = module.describe(values=False)
    for name in ("mean", "std"):
        if name not in info.parameters:     # neither buffer nor parameter: state_dict() lacks it
            buffer(info, name, "Standardize")   # the mistake named once, with its cause
    state = module.state_dict()
    keys = sorted(state)
    expect(keys == ["mean", "std"],
           observed=_("state_dict() holds {keys}").format(keys=keys),
           expected="['mean', 'std']",
           fix=_("register both as persistent buffers, with register_buffer "
                 "(persistent=False keeps a buffer out of state_dict(), so a saved model would "
                 "lose its statistics)"))
    for name, value in (("mean", mean), ("std", std)):
        expect_close(state[name], value, what=f"state_dict()['{name}']",
                     fix=_("register a detached copy of the `{name}` tensor you are given, "
                           "unchanged, as a buffer").format(name=name), rtol=0, atol=0)
    # The round trip with values the judge chose: what load_state_dict sets is what forward uses.
    other = build(submission, "Standardize", torch.zeros(4), torch.ones(4))
    chosen = judge_values({"mean": (4,), "std": (4,)}, g)
    chosen["std"] = chosen["std"].abs() + 0.5
    load_values(other, chosen, "Standardize", fix=_(
        "register both as persistent buffers, with register_buffer"))
    x = torch.randn(5, 4, generator=g)
    expect_standardized(other(x), x, chosen["mean"], chosen["std"],
                 what=_("the output after load_state_dict"),
                 fix=_("forward must use the buffers self.mean and self.std"))


@check(exercise="standardize", points=1, tags=["buffers", "dtype-device"], visibility="visible")
def test_standardize_buffers_follow_to(submission):
    """After .to(torch.float64), mean, std and the output are float64 and still correct."""
    module, mean, std, g = standardize_module(submission, 3, 2)
    module = converted(module, torch.float64, "Standardize")
    info = module.describe(values=False)
    for name in ("mean", "std"):
        value = buffer(info, name, "Standardize")   # a statistic that is no buffer, named once
        dtype = f"torch.{value.dtype}"
        expect(dtype == "torch.float64",
               observed=_("after .to(torch.float64), self.{name} is {dtype}").format(
                   name=name, dtype=dtype),
               expected=_("torch.float64: .to() converts every parameter and buffer"),
               fix=_("register {name} with the module's register_buffer method; .to() does not "
                     "touch plain tensor attributes").format(name=name))
    x = torch.randn(6, 3, dtype=torch.float64, generator=g)
    expect_standardized(module(x), x, mean.double(), std.double(), what=_("the float64 output"),
                 fix=_("forward must use self.mean and self.std"), rtol=1e-12, atol=1e-12)
    chosen = expect_converted(module, {"mean": (3,), "std": (3,)}, g, "Standardize", fix=_(
        "register mean and std with the module's register_buffer method; .to() does not touch "
        "plain tensor attributes"))
    chosen["std"] = chosen["std"].abs() + 0.5
    load_values(module, chosen, "Standardize", fix=_("forward must use self.mean and self.std"))
    expect_standardized(module(x), x, chosen["mean"], chosen["std"],
                 what=_("the float64 output after load_state_dict"),
                 fix=_("forward must use self.mean and self.std"), rtol=1e-12, atol=1e-12)


@check(exercise="mlp", points=1, tags=["optimizer", "dtype-device"], visibility="visible")
def test_mlp_optimizer_and_to_reach_every_layer(submission):
    """One SGD step changes every parameter of MLP([4, 16, 8, 3]); .to(torch.float64) converts them all."""
    g = generator(2)
    sizes = [4, 16, 8, 3]
    model = build(submission, "MLP", sizes, seed=2)
    mlp_parameters(model.describe(values=False), sizes)
    x, upstream = torch.randn(64, 4, generator=g), torch.randn(64, 3, generator=g)
    fix = _("apply every layer of self.layers in order, with ReLU between layers and none after "
            "the last")
    expect_every_parameter_changes(
        submission, model, "MLP", x=x, upstream=upstream, shapes=mlp_shapes(sizes),
        reference=lambda p: mlp_reference(p, len(sizes) - 1, x), fix=fix, generator=g,
        compare=lambda out, p: expect_mlp_output(out, p, len(sizes) - 1, x, what="MLP(x)",
                                                 fix=fix))
    model = converted(model, torch.float64, "MLP")
    params = mlp_parameters(model.describe(values=False), sizes)
    dtypes = {n: f"torch.{p.dtype}" for n, p in params.items() if p.dtype != "float64"}
    expect(not dtypes, observed=_("after .to(torch.float64): {dtypes}").format(dtypes=dtypes),
           expected=_("every parameter float64"), fix=_("hold the layers in an nn.ModuleList"))
    params = expect_converted(model, mlp_shapes(sizes), g, "MLP",
                              fix=_("hold the layers in an nn.ModuleList"))
    y = model(x.double())
    got = str(y.dtype) if isinstance(y, torch.Tensor) else type(y).__name__
    expect(got == "torch.float64",
           observed=_("the float64 model returned {got}").format(got=got),
           expected="torch.float64", fix=_("do not convert dtypes inside forward"))
    expect_mlp_output(y, params, len(sizes) - 1, x.double(),
                      what=_("the float64 MLP's output"), rtol=1e-10, atol=1e-10,
                      fix=_("do not convert dtypes inside forward; apply the layers of "
                            "self.layers"))


@check(exercise="tied", points=1, tags=["registration", "init"], visibility="visible")
def test_tied_decoder_bias_starts_at_zero(submission):
    """decoder_bias of TiedAutoencoder(7, 2) is a trainable leaf nn.Parameter of zeros, shape (7,)."""
    model = build(submission, "TiedAutoencoder", 7, 2)
    bias = tied_parameters(model.describe(), 7, 2)["decoder_bias"]
    expect_trainable_leaf(bias, "self.decoder_bias", "TiedAutoencoder", "decoder_bias")
    fix = _("start decoder_bias at zeros, one per input feature: the reconstruction starts "
            "unbiased until training moves it")
    expect_close(bias.value, torch.zeros(7),
                 what=_("decoder_bias before training (expected all zeros)"), fix=fix,
                 rtol=0, atol=0)
    # Verified: state_dict() holds zeros, and one SGD step moves them by exactly -lr times the
    # loss's gradient for an output bias (the upstream gradient summed over the batch).
    expect_close(fresh_entry(model, "decoder_bias", (7,), "TiedAutoencoder"), torch.zeros(7),
                 what=_("state_dict()['decoder_bias'] of a new TiedAutoencoder(7, 2)"), fix=fix,
                 rtol=0, atol=0)
    g = generator(12)
    x, upstream = torch.randn(9, 7, generator=g), torch.randn(9, 7, generator=g)
    registered_step(submission, model, x, upstream)
    after = read_state(model, "TiedAutoencoder").get("decoder_bias")
    expect_close(after, torch.zeros(7) - LR * upstream.sum(0),
                 what=_("decoder_bias after one SGD step (lr={lr}) from a new model").format(
                     lr=LR),
                 fix=_("make decoder_bias an nn.Parameter of zeros (requires_grad left at True) "
                       "and add it, as it is, to the decoded output"))


@check(exercise="tied", points=2, tags=["tying", "grad-flow"], visibility="visible")
def test_tied_gradient_from_both_paths(submission):
    """encoder.weight's gradient adds the encoder's and the decoder's contributions, as for one shared tensor."""
    g = generator(4)
    model = build(submission, "TiedAutoencoder", 5, 4)
    params = tied_parameters(model.describe(), 5, 4)
    built_with = params["encoder.weight"].value
    leaves = set_all(model, tied_shapes(5, 4), g, "TiedAutoencoder")
    x, grad_out = torch.randn(16, 5, generator=g), torch.randn(16, 5, generator=g)
    model.method("zero_grad", set_to_none=True, action=_("calling model.zero_grad()"))
    y = output_tensor(model.call(x, keep=True, action=_("calling {owner}(x)").format(
        owner="TiedAutoencoder")).value, "TiedAutoencoder")
    expect_tied_output(y.describe().value, x, *leaves, stale_weight=built_with,
                       what=_("TiedAutoencoder(5, 4)(x) before backward"))
    y.call(grad_out, method="backward",
           action=_("calling backward() on your model's output"))

    def reference_grads(**paths):
        copies = [v.clone().requires_grad_() for v in leaves]
        (tied_reference(x, *copies, **paths) * grad_out).sum().backward()
        return [leaf.grad for leaf in copies]

    full = reference_grads()
    after = tied_parameters(model.describe(), 5, 4)
    got = after["encoder.weight"].grad
    expect(got is not None,
           observed=_("encoder.weight.grad is None after backward"),
           expected=_("a gradient from the encoder and from the decoder path"),
           fix=_("use the encoder's own weight (not a detached copy) in both halves of forward"))
    if not torch.allclose(got, full[0], rtol=1e-4, atol=1e-5):
        for observed, paths in ((_("encoder.weight's gradient comes from the encoder path only"),
                                 {"through_decoder": False}),
                                (_("encoder.weight's gradient comes from the decoder path only"),
                                 {"through_encoder": False})):
            if torch.allclose(got, reference_grads(**paths)[0], rtol=1e-4, atol=1e-5):
                raise CheckFailed(
                    observed,
                    _("the sum of both contributions: the encoder and the decoder use one "
                      "tensor, so autograd adds the gradient of each use"),
                    _("in forward, use the encoder's weight itself in both the encoder and the "
                      "decoder (no .detach(), .data, or copy taken in __init__)"))
    expect_close(got, full[0], what="encoder.weight.grad", rtol=1e-4, atol=1e-5,
                 fix=_("the decoder must multiply by the encoder's weight itself, the very "
                       "tensor the encoder uses: a copy of it (taken in __init__, .detach(), "
                       ".data) is another tensor, which neither follows the updates nor passes "
                       "the decoder's gradient back"))
    for name, expected in (("encoder.bias", full[1]), ("decoder_bias", full[2])):
        grad = after[name].grad
        expect(grad is not None, observed=_("{name}.grad is None").format(name=name),
               expected=_("a gradient"),
               fix=_("use the registered {name} in forward, not a copy of it").format(name=name))
        expect_close(grad, expected, what=f"{name}.grad", rtol=1e-4, atol=1e-5,
                     fix=_(TIED_FORWARD_FIX))


@check(exercise="tied", points=1, tags=["optimizer", "tying"], visibility="visible")
def test_tied_optimizer_updates_every_parameter(submission):
    """One SGD step changes encoder.weight, encoder.bias and decoder_bias, and the model stays tied."""
    g = generator(5)
    model = build(submission, "TiedAutoencoder", 6, 4, seed=5)
    before = tied_parameters(model.describe(), 6, 4)["encoder.weight"].value
    x, upstream = torch.randn(32, 6, generator=g), torch.randn(32, 6, generator=g)

    def reference(p):
        return tied_reference(x, *(p[n] for n in TIED_ORDER))

    def compare(output, p):
        expect_tied_output(output, x, *(p[n] for n in TIED_ORDER), what="TiedAutoencoder(x)")

    after = expect_every_parameter_changes(
        submission, model, "TiedAutoencoder", x=x, upstream=upstream, shapes=tied_shapes(6, 4),
        reference=reference, fix=_(TIED_FORWARD_FIX), compare=compare, generator=g)
    params = {n: after[n] for n in TIED_ORDER}
    expect_tied_output(model(x), x, *(params[n] for n in TIED_ORDER), stale_weight=before,
                       what=_("the output after one optimizer step"),
                       fix=_("the decoder must read the encoder's weight at forward time, so "
                             "that it sees every update the optimizer makes"))


@check(exercise="count", points=1, tags=["counting", "tying"], visibility="visible")
def test_count_shared_parameter_once(submission):
    """A weight shared by an embedding and an output head, or a layer registered twice, counts once."""
    for spec, observed in (
            (TIED_LANGUAGE_MODEL, _("count_parameters on a language model whose embedding and "
                                    "head share a (11, 4) weight returned {count}")),
            (SHARED_BLOCK, _("count_parameters on a model holding one Linear(6, 5) under two "
                             "names returned {count}"))):
        n = call_count(submission, submission.build(spec, seed=0))
        expect_count(n, spec, observed=observed.format(count=n),
                     expected=_("{count}: every shared parameter counted once").format(
                         count=reference_count(spec)),
                     fix=_(SHARED_FIX))


@check(exercise="count", points=1, tags=["counting", "freezing"], visibility="visible")
def test_count_trainable_only(submission):
    """With the first layer frozen, trainable_only=True counts only the parameters with requires_grad."""
    spec = sequential(linear(5, 4), {"class": "Tanh"}, linear(4, 3), frozen=["0"])
    model = submission.build(spec, seed=0)
    for flag in (True, False):
        n = call_count(submission, model, trainable_only=flag)
        expected = (_("{count}: only parameters with requires_grad=True") if flag
                    else _("{count}: frozen parameters too"))
        expect_count(n, spec, trainable_only=flag,
                     observed=_("with the first Linear(5, 4) frozen, count_parameters(model, "
                                "trainable_only={flag}) returned {count}").format(flag=flag,
                                                                                  count=n),
                     expected=expected.format(count=reference_count(spec, flag)),
                     fix=_("when trainable_only is True, skip parameters whose requires_grad is "
                           "False; otherwise count every parameter"))
    expect(call_count(submission, model) == reference_count(spec),
           observed=_("count_parameters(model) without trainable_only skipped frozen "
                      "parameters"),
           expected=_("trainable_only=False by default"),
           fix=_("give trainable_only the default False in the signature of count_parameters"))


@check(exercise="count", points=1, tags=["counting", "buffers"], visibility="visible")
def test_count_excludes_buffers(submission):
    """A model with BatchNorm counts its weights and biases, not its running statistics (buffers)."""
    spec = sequential(linear(3, 4), {"class": "BatchNorm1d", "args": [4]}, linear(4, 2))
    n = call_count(submission, submission.build(spec, seed=0))
    expect_count(n, spec,
                 observed=_("count_parameters on Linear(3, 4) + BatchNorm1d(4) + Linear(4, 2) "
                            "returned {count}").format(count=n),
                 expected=_("{count}: parameters only; running_mean, running_var "
                            "and num_batches_tracked are buffers, saved in state_dict() but not "
                            "learned").format(count=reference_count(spec)),
                 fix=_("count model.parameters(), not model.state_dict() (which also holds the "
                       "buffers)"))
