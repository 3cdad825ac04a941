"""Hidden checks of `linear`: run by the instructor's grading only."""
from __future__ import annotations

import math

import torch
from torch import nn

from autograder.judge_side.checks import CheckFailed, check, expect, expect_close
from autograder.judge_side.client import LearnerError
from autograder.graders.linear.common import (
    GRAD_CUT_CAUSE, call_layer, expect_drawn, expect_gradients, expect_step_moves, forward_case, generator,
    known_weights, layer_tensor, make_layer, not_implemented, read_tensor, reference_forward, registered_weight,
    run_function, uniform_bound,
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
        y = call_layer(layer, x, weight, keep=True)
        try:
            y.call(upstream, method="backward",
                   action=_("calling backward() on your layer's output"))
        except (LearnerError, AttributeError) as exc:
            error = exc.evidence.error if isinstance(exc, LearnerError) else _("not a tensor")
            raise CheckFailed(_("a backward pass through the layer failed: {error}").format(
                                  error=error),
                              _("gradients for weight and bias, accumulated in .grad"),
                              fix, cause=GRAD_CUT_CAUSE if "does not require grad" in error
                              else None) from None
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
    low, high = float(values.min()), float(values.max())
    expect(low < 0 < high,
           observed=(_("{name} of Linear({in_features}, ...) holds no negative value (from "
                       "{low:.4f} to {high:.4f}): it is drawn from U(0, {bound:.3f}), half the "
                       "interval, so its mean is not 0") if low >= 0 else
                     _("{name} of Linear({in_features}, ...) holds no positive value (from "
                       "{low:.4f} to {high:.4f}): it is drawn from U(-{bound:.3f}, 0), half the "
                       "interval, so its mean is not 0")).format(
               name=name, in_features=in_features, low=low, high=high, bound=bound),
           expected=_("values on both sides of 0, from U(-{bound:.3f}, {bound:.3f})").format(
               bound=bound), fix=fix)
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


def _failed(exc: LearnerError, what: str) -> str:
    if not_implemented(exc):
        raise exc
    evidence = exc.evidence
    place = evidence.frames[-1].place() if evidence.frames else None
    text = (_("{what} failed with {error} at {place}") if place else
            _("{what} failed with {error}"))
    return text.format(what=what, error=evidence.error, place=place)


@check(exercise="forward", points=1, tags=["shapes", "forward"], visibility="hidden")
def test_forward_empty_batch(submission):
    """A batch of zero samples, shape (0, 4), maps to an empty output of shape (0, 3), as with nn.Linear."""
    layer = make_layer(submission, 4, 3, seed=2)
    weight, bias = known_weights(layer, layer.describe(values=False), True, seed=2)
    x = torch.zeros(0, 4)
    fix = _("write forward with whole-tensor operations (x @ self.weight.T + self.bias), which "
            "work for any number of samples, zero included; no loop over the samples, no "
            "special case for the batch size")
    what = _("Linear(4, 3) on a (0, 4) batch (zero samples)")
    try:
        y = call_layer(layer, x, weight)
    except LearnerError as exc:
        raise CheckFailed(_failed(exc, what), _("an output of shape (0, 3)"), fix) from None
    shape = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
    expect(shape == (0, 3),
           observed=_("{what} gave {shape}").format(what=what, shape=shape),
           expected=_("an output of shape (0, 3)"), fix=fix)
    expect_close(y, reference_forward(x, weight, bias), what=what, fix=fix)


@check(exercise="forward", points=1, tags=["forward"], visibility="hidden")
def test_forward_leaves_input_unchanged(submission):
    """forward leaves the caller's input as it was, in shape and values, for (4,), (5, 4) and (2, 5, 4) inputs, and works on a 1-D input that requires grad (its gradient reaches it)."""
    layer = make_layer(submission, 4, 3, seed=2)
    weight, bias = known_weights(layer, layer.describe(values=False), True, seed=2)
    fix = _("never change the input in forward: use the out-of-place versions (x.unsqueeze(0), "
            "x.reshape(...), x + ..., not x.unsqueeze_(0), x.resize_(...), x += ...); the "
            "caller's tensor is theirs, and a leaf that requires grad refuses in-place changes")
    for seed, shape in enumerate(((4,), (5, 4), (2, 5, 4))):
        x = torch.randn(*shape, generator=generator(21 + seed))
        sent = submission.tensor(x)
        what = _("Linear(4, 3) on a {shape} input").format(shape=shape)
        y = call_layer(layer, x, weight, sent=sent)
        after = sent.describe().value
        same = tuple(after.shape) == tuple(x.shape) and torch.equal(after, x)
        expect(same,
               observed=(_("after {what}, the caller's input has shape {after}: forward changed "
                           "it in place").format(what=what, after=tuple(after.shape))
                         if tuple(after.shape) != tuple(x.shape) else
                         _("after {what}, the caller's input holds other values: forward "
                           "changed it in place").format(what=what)),
               expected=_("the input unchanged, shape {shape}").format(shape=shape), fix=fix)
        expect_close(y, reference_forward(x, weight, bias), what=what, fix=fix)
    x = torch.randn(4, generator=generator(25))
    upstream = torch.randn(3, generator=generator(26))
    sent = submission.tensor(x.clone().requires_grad_())
    what = _("Linear(4, 3) on a (4,) input that requires grad")
    try:
        y = layer.call(sent, keep=True, action=_("calling your layer")).value
        y.call(upstream, method="backward", action=_("calling backward() on your layer's output"))
    except (LearnerError, AttributeError) as exc:
        observed = (_failed(exc, what) if isinstance(exc, LearnerError) else
                    _("{what} did not return a tensor").format(what=what))
        raise CheckFailed(observed + _(" (an in-place change of a leaf that requires grad is "
                                       "refused)"),
                          _("an output of shape (3,), and x.grad after backward()"), fix) from None
    expect_close(sent.describe().grad, upstream @ weight,
                 what=_("x.grad after backward() through {what}").format(what=what), fix=fix)


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


@check(exercise="extras", points=1, tags=["dtype-device"], visibility="hidden")
def test_conversion_copy_and_reload(submission):
    """The layer computes x @ weight.T + bias from the parameters it holds now: after .double(), after .to(torch.float64) and back to float32, after load_state_dict, and in a copy.deepcopy (each with its own values)."""
    fix = _("compute everything forward needs from self.weight and self.bias inside forward: a "
            "tensor computed from the weight once, in __init__ (a cached weight.T, say), is "
            "left behind when .double() or .to() gives the parameters new data, and cannot be "
            "deep-copied")

    def forward_matches(layer, what, dtype, seed, converted=True):
        weight, bias = known_weights(layer, layer.describe(values=False), True, seed=seed)
        x = torch.randn(5, 4, generator=generator(seed)).to(dtype)
        try:
            y = call_layer(layer, x, weight)
        except LearnerError as exc:
            if not converted:
                raise
            raise CheckFailed(_failed(exc, what) + _(": forward still uses something cached "
                                                       "from the parameters as they were"),
                              _("x @ weight.T + bias, in {dtype}").format(
                                  dtype=str(dtype).removeprefix("torch.")), fix) from None
        tight = dict(rtol=1e-12, atol=1e-12) if dtype == torch.float64 else {}
        expect_close(y, reference_forward(x, weight, bias), what=what, fix=fix, **tight)

    layer = make_layer(submission, 4, 3, seed=30)
    # The layer as built first: a forward that fails before any conversion is the forward
    # checks' mistake, said as theirs.
    forward_matches(layer, "Linear(4, 3)", torch.float32, 29, converted=False)
    layer.method("double")
    forward_matches(layer, _("Linear(4, 3) after .double(), on a float64 input"),
                    torch.float64, 30)
    layer = make_layer(submission, 4, 3, seed=31)
    layer.method("to", torch.float64)
    layer.method("to", torch.float32)
    forward_matches(layer, _("Linear(4, 3) after .to(torch.float64) and .to(torch.float32)"),
                    torch.float32, 31)
    layer = make_layer(submission, 4, 3, seed=32)
    g = generator(32)
    state = {"weight": torch.randn(3, 4, generator=g), "bias": torch.randn(3, generator=g)}
    try:
        layer.load_state_dict(state)
    except LearnerError as exc:
        raise CheckFailed(_failed(exc, _("load_state_dict")), _("the values loaded"),
                          fix) from None
    x = torch.randn(5, 4, generator=g)
    what = _("Linear(4, 3) after load_state_dict")
    expect_close(call_layer(layer, x, state["weight"]),
                 reference_forward(x, state["weight"], state["bias"]), what=what, fix=fix)
    original = make_layer(submission, 4, 3, seed=33)
    try:
        answer = submission.instrument("deepcopy_module", _("copying your layer with "
                                                            "copy.deepcopy"), module=original)
    except LearnerError as exc:
        raise CheckFailed(_failed(exc, "copy.deepcopy(Linear(4, 3))") +
                          _(": only tensors created by the user (graph leaves) can be "
                            "deep-copied, so an attribute computed from the weight in __init__ "
                            "(a cached weight.T, say) breaks the copy"),
                          _("a copy of the layer that computes like the original"), fix) from None
    copy = answer.get("copy") if isinstance(answer, dict) else None
    expect(getattr(copy, "kind", None) == "module",
           observed=_("copy.deepcopy gave {value!r}").format(value=copy),
           expected=_("a copy of the layer"), fix=fix)
    forward_matches(copy, _("a deep copy of Linear(4, 3), given its own values"),
                    torch.float32, 34)
    forward_matches(original, _("the original Linear(4, 3) after it was deep-copied"),
                    torch.float32, 35)


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


@check(exercise="function", points=1, tags=["autograd"], visibility="hidden")
def test_function_1d_input(submission):
    """On a single sample, a 1-D input of shape (4,) as the docstring's (*, in) allows, the output has shape (3,) and every gradient matches the formulas."""
    run = run_function(submission, (), 4, 3, seed=6, condition=_("on a 1-D (4,) input"))
    expect_gradients(run, _("a 1-D (4,) input with bias"))
