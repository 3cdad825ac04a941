"""Hidden checks of `linear`: run by the instructor's grading only."""
from __future__ import annotations

import math

import torch
from torch import nn

from autograder.checks import CheckFailed, check, expect, expect_close
from autograder.client import LearnerError
from autograder.graders.linear.common import (
    expect_drawn, expect_gradients, expect_step_moves, forward_case, generator, known_weights,
    layer_tensor, make_layer, read_tensor, reference_forward, registered_weight, run_function,
    uniform_bound,
)
from autograder.i18n import _


# -- parameters ------------------------------------------------------------------------------

@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_parameters_are_leaves_that_require_grad(submission):
    """weight and bias are leaf tensors that require grad: two backward passes through Linear(5, 4) accumulate both gradients in .grad."""
    layer = make_layer(submission, 5, 4)
    info = layer.describe(values=False)
    weight, bias = known_weights(layer, info, True, seed=12)
    g = generator(12)
    passes = [(torch.randn(3, 5, generator=g), torch.randn(3, 4, generator=g)) for _i in range(2)]
    fix = _("create the Parameter directly from a fresh tensor, not from the result of an "
            "operation on another parameter, keep requires_grad at its default, and use "
            "self.weight and self.bias themselves in forward")
    for x, upstream in passes:
        try:
            y = layer.call(x, keep=True, action=_("calling your layer")).value
            y.call(upstream, method="backward",
                   action=_("calling backward() on your layer's output"))
        except (LearnerError, AttributeError) as exc:
            error = exc.evidence.error if isinstance(exc, LearnerError) else _("not a tensor")
            raise CheckFailed(_("a backward pass through the layer failed: {error}").format(
                                  error=error),
                              _("gradients for weight and bias, accumulated in .grad"),
                              fix) from None
    expected = {"weight": sum(u.T @ x for x, u in passes),
                "bias": sum(u.sum(0) for _x, u in passes)}
    for name in ("weight", "bias"):
        try:
            grad = layer.get(f"{name}.grad")
        except LearnerError:
            grad = None
        if not isinstance(grad, torch.Tensor):
            p = registered_weight(info, name)
            raise CheckFailed(
                _("after two backward passes, {name}.grad is None (is_leaf={is_leaf}, "
                  "requires_grad={requires_grad})").format(
                    name=name, is_leaf=p.is_leaf, requires_grad=p.requires_grad),
                _("a leaf that requires grad"), fix)
        expect_close(grad, expected[name],
                     what=_("{name}.grad after two backward passes (they add up)").format(
                         name=name), fix=fix)


@check(exercise="parameters", points=1, tags=["shapes"], visibility="hidden")
def test_in_and_out_features_attributes(submission):
    """Linear(7, 2) keeps in_features=7 and out_features=2 as attributes."""
    layer = make_layer(submission, 7, 2)

    def attribute(name):
        try:
            value = layer.get(name)
        except LearnerError:
            return None
        return value if type(value) is int else None

    got = (attribute("in_features"), attribute("out_features"))
    expect(got == (7, 2),
           observed=f"(in_features, out_features) = {got}", expected="(7, 2)",
           fix=_("store both sizes as attributes of the layer in __init__"))
    weight = read_tensor(layer, "weight")
    expect(tuple(weight.shape) == (2, 7),
           observed=_("Linear(7, 2).weight has shape {shape}").format(shape=tuple(weight.shape)),
           expected="(out_features, in_features) = (2, 7)",
           fix=_("the weight's first dimension is the output, its second the input"))


@check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
def test_bias_false_registers_none(submission):
    """Linear(3, 2, bias=False) has only `weight`, and `bias` registered as None: the empty slot takes a Parameter later, which the optimizer then updates."""
    layer = make_layer(submission, 3, 2, bias=False)
    expect_step_moves(submission, layer, ("weight",), seed=13)
    info = layer.describe(values=False)
    names = sorted(info.parameters)
    expect(names == ["weight"],
           observed=_("with bias=False, named_parameters() lists {names}").format(names=names),
           expected=_("only ['weight']"),
           fix=_("when bias is False, do not create a bias tensor at all"))
    fix = _("register the empty slot with the module's register_parameter method, so that "
            "code reading layer.bias (and state_dict loading) sees it, as nn.Linear does")
    try:
        bias = layer.get("bias")
    except LearnerError:
        raise CheckFailed(_("layer.bias is missing"),
                          _("layer.bias is None, registered with register_parameter"),
                          fix) from None
    expect(bias is None,
           observed=_("with bias=False, layer.bias is {value!r}").format(value=bias),
           expected=_("layer.bias is None, registered with register_parameter"),
           fix=_("when bias is False, do not create a bias tensor at all"))
    # A slot registered as None takes a Parameter (nn.Module refuses one for a plain attribute
    # of that name); once filled, an optimizer over model.parameters() updates it.
    donor = submission.build({"class": "Linear", "args": [3, 2]}, seed=13)
    try:
        layer.call("bias", donor.get("bias", keep=True), method="register_parameter",
                   action=_("calling layer.register_parameter('bias', nn.Parameter(...))"))
    except LearnerError as exc:
        raise CheckFailed(
            _("layer.bias is a plain attribute, not a parameter slot registered as None: "
              "layer.register_parameter('bias', ...) failed with {error}").format(
                error=exc.evidence.error),
            _("layer.bias is None, registered with register_parameter"), fix) from None
    expect_step_moves(submission, layer, ("weight", "bias"), seed=14)


# -- init ------------------------------------------------------------------------------------

def _spread(values: torch.Tensor, bound: float, name: str, in_features: int) -> None:
    values = values.double().flatten()
    expected_std = bound / math.sqrt(3.0)  # std of U(-b, b)
    std, mean, top = float(values.std()), float(values.mean()), float(values.abs().max())
    fix = _("draw from the uniform distribution on [-1/sqrt(in_features), "
            "1/sqrt(in_features)], the bound nn.Linear uses (it keeps the output's variance "
            "independent of in_features)")
    expect(abs(std - expected_std) < 0.15 * expected_std,
           observed=_("{name} of Linear({in_features}, ...) has standard deviation "
                      "{std:.4f}").format(name=name, in_features=in_features, std=std),
           expected=_("about {expected_std:.4f}, the spread of U(-{bound:.3f}, "
                      "{bound:.3f})").format(expected_std=expected_std, bound=bound),
           fix=fix)
    expect(abs(mean) < 0.1 * bound,
           observed=_("{name} has mean {mean:.4f}").format(name=name, mean=mean),
           expected=_("a mean close to 0"), fix=fix)
    expect(top > 0.9 * bound,
           observed=_("{name} never comes close to the bound ({top:.4f} < {bound:.4f})").format(
               name=name, top=top, bound=bound),
           expected=_("values filling the whole interval"), fix=fix)


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
           observed=(_("the same seed gave different weights: they do not come from torch's "
                       "random generator") if not torch.equal(a, b)
                     else _("different seeds gave the same weights: nothing random drew them")),
           expected=_("weights drawn from torch's random generator"),
           fix=_("draw with torch's own random functions (nn.init or the tensor's in-place "
                 "methods), not with numpy or Python's random module, so that torch.manual_seed "
                 "makes runs reproducible; and make sure __init__ calls reset_parameters, or the "
                 "weights keep whatever torch.empty left"))


# -- forward ---------------------------------------------------------------------------------


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_1d_input(submission):
    """A single sample of shape (4,) maps to shape (3,)."""
    forward_case(submission, 4, 3, (4,), _("Linear(4, 3) applied to a (4,) input"))


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_batch_size_equal_to_out_features(submission):
    """With 3 samples and out_features = 3, the output is still (samples, out_features)."""
    forward_case(submission, 5, 3, (3, 5),
                 _("Linear(5, 3) on a (3, 5) batch (batch size equal to out_features)"))


@check(exercise="forward", points=1, tags=["forward"], visibility="hidden")
def test_forward_without_bias(submission):
    """Linear(4, 3, bias=False) computes x @ weight.T, adding nothing."""
    forward_case(submission, 4, 3, (6, 4), "Linear(4, 3, bias=False)(x)", bias=False)


# -- extras ----------------------------------------------------------------------------------

@check(exercise="extras", points=1, tags=["repr"], visibility="hidden")
def test_repr_without_bias(submission):
    """repr(Linear(5, 1, bias=False)) shows 'in_features=5, out_features=1, bias=False'."""
    text = make_layer(submission, 5, 1, bias=False).method("__repr__")
    expect(isinstance(text, str) and "in_features=5, out_features=1, bias=False" in text,
           observed=_("repr is {text!r}").format(text=text),
           expected="'...(in_features=5, out_features=1, bias=False)'",
           fix=_("extra_repr returns the three settings; module repr() puts it in the brackets"))


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
def test_meta_device(submission):
    """Linear(1000, 1000, device='meta') allocates no memory: parameters on the meta device."""
    layer = make_layer(submission, 1000, 1000, device="meta")
    devices = {n: read_tensor(layer, n).device.type for n in ("weight", "bias")}
    expect(set(devices.values()) == {"meta"},
           observed=_("parameter devices {devices}").format(devices=devices),
           expected=_("'meta' for both"),
           fix=_("pass device on to every tensor you create for the parameters"))
    y = layer(torch.empty(2, 1000, device="meta"))
    ok = isinstance(y, torch.Tensor) and tuple(y.shape) == (2, 1000) and y.device.type == "meta"
    expect(ok, observed=_("forward on meta gave {value!r}").format(value=y),
           expected=_("shape (2, 1000) on meta"), fix=_("keep forward in tensor operations"))


@check(exercise="extras", points=1, tags=["state-dict"], visibility="hidden")
def test_state_dict_from_nn_linear(submission):
    """An nn.Linear's state_dict loads into your layer (strict), for bias=True and bias=False, and becomes its weight and bias."""
    for bias in (True, False):
        torch.manual_seed(5)
        reference = nn.Linear(4, 3, bias=bias)
        layer = make_layer(submission, 4, 3, bias=bias)
        try:
            layer.load_state_dict(reference.state_dict())
        except LearnerError as exc:
            raise CheckFailed(_("with bias={bias}, your_layer.load_state_dict(nn.Linear's) "
                                "failed: {error}").format(bias=bias, error=exc.evidence.error),
                              _("keys {keys}").format(keys=sorted(reference.state_dict())),
                              _("register weight, and bias only when bias=True (a slot "
                                "registered as None otherwise)")) from None
        for name in ("weight", "bias") if bias else ("weight",):
            expect_close(read_tensor(layer, name), getattr(reference, name).detach(),
                         what=_("your {name} after loading nn.Linear's state_dict "
                                "(bias={bias})").format(name=name, bias=bias),
                         fix=_("load_state_dict copies into the registered parameters: register "
                               "weight and bias under exactly those names"), rtol=0, atol=0)


# -- LinearFunction --------------------------------------------------------------------------

@check(exercise="function", points=2, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_3d(submission):
    """On a (2, 3, 4) input, the output and every gradient match the formulas: grad_W sums over both leading dimensions."""
    run = run_function(submission, (2, 3), 4, 3, seed=1, condition=_("on a (2, 3, 4) input"))
    expect_gradients(run, _("a (2, 3, 4) input with bias"))


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_gradcheck_without_bias(submission):
    """With bias=None, on 2-D and 3-D inputs, the output and the gradients of x and weight match the formulas."""
    cases = (((5,), _("a (5, 4) input, bias None"), _("on a (5, 4) input, bias None")),
             ((2, 3), _("a (2, 3, 4) input, bias None"), _("on a (2, 3, 4) input, bias None")))
    for shape, label, condition in cases:
        run = run_function(submission, shape, 4, 3, bias=False, seed=2, condition=condition)
        expect_gradients(run, label)


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_input_without_grad(submission):
    """With an input that does not require grad, weight and bias still get correct gradients; with a frozen weight, the input and the bias do."""
    run = run_function(submission, (4,), 3, 2, x_grad=False, seed=3,
                       condition=_("with an input that does not require grad"))
    expect_gradients(run, _("an input that does not require grad"))
    run = run_function(submission, (4,), 3, 2, w_grad=False, seed=5,
                       condition=_("with a frozen weight (requires_grad=False)"))
    expect_gradients(run, _("a frozen weight: the input and the bias still need their "
                            "gradients, (ctx.needs_input_grad tells which inputs want one)"))


