"""`TiedAutoencoder` of `parameters`: one weight used twice (the decoder uses the encoder's,
transposed), its names and its output on values the judge chose."""
from __future__ import annotations

import torch

from autograder.i18n import N_, _
from autograder.judge_side.checks import CheckFailed, expect, expect_close
from autograder.judge_side.client import ModuleInfo, Remote, TensorInfo
from autograder.graders.parameters.common import (LINEAR, _same, expect_output, expect_shape,
                                                  read_state, registered, set_all)


TIED_NAMES = ["decoder_bias", "encoder.bias", "encoder.weight"]
TIED_ORDER = ("encoder.weight", "encoder.bias", "decoder_bias")


def tied_parameters(info: ModuleInfo, in_features: int, hidden_features: int) -> dict:
    """The autoencoder's three parameters by their contract names, with feedback on tying.

    A tensor registered under a second name as well (`self.decoder_weight = self.encoder.weight`)
    is still one parameter: what counts is which tensors parameters() yields.
    """
    names_of: dict[int, list[str]] = {}
    tensors: dict[int, TensorInfo] = {}
    for name, p in info.parameter_list:
        names_of.setdefault(p.id, []).append(name)
        tensors[p.id] = p
    params = {name: tensors[key] for key, names in names_of.items() for name in names
              if name in TIED_NAMES}
    listed = sorted(info.parameters)
    extra = [names[0] for key, names in names_of.items() if not set(names) & set(TIED_NAMES)]
    if extra:
        raise CheckFailed(
            _("TiedAutoencoder.named_parameters() lists {listed}: {extra} trains on its own, so "
              "encoder and decoder are not tied (a copy made in "
              "__init__ drifts apart after the first optimizer step)").format(listed=listed,
                                                                              extra=extra),
            _("exactly the tensors {names}: the decoder shares the encoder's weight").format(
                names=TIED_NAMES),
            _("create no decoder weight at all: in forward, the decoder multiplies by the "
              "encoder's own weight (its (hidden, in) shape already maps the code back to the "
              "input), so one tensor serves both"), cause="tied:separate-decoder")
    registered(info, "decoder_bias", "TiedAutoencoder")
    expect(sorted(params) == TIED_NAMES and len(tensors) == 3,
           observed=_("{owner}.named_parameters() lists {listed}").format(
               owner="TiedAutoencoder", listed=listed),
           expected=_("exactly {names}").format(names=TIED_NAMES),
           fix=_("register two things only: an nn.Linear called encoder (mapping in_features to "
                 "hidden_features) and one learnable decoder_bias of size in_features"),
           cause="tied:names")
    encoder = info.submodule("encoder")
    expect(encoder is not None and encoder.inherits(LINEAR),
           observed=(_("encoder is an instance of {type}").format(type=encoder.type)
                     if encoder is not None
                     else _("the model has no submodule called encoder")),
           expected=_("an nn.Linear"),
           fix=_("make self.encoder an nn.Linear from in_features to hidden_features"))
    expect_shape(params["encoder.weight"], (hidden_features, in_features), "encoder.weight",
                 _("an nn.Linear from in_features to hidden_features holds a (hidden, in) "
                   "weight"))
    expect_shape(params["decoder_bias"], (in_features,), "decoder_bias",
                 _("the decoder reconstructs the input: one bias per input feature"))
    return params


def tied_shapes(in_features: int, hidden_features: int) -> dict:
    """The contract's parameters of TiedAutoencoder, in TIED_ORDER, with their shapes."""
    return {"encoder.weight": (hidden_features, in_features),
            "encoder.bias": (hidden_features,), "decoder_bias": (in_features,)}


def expect_tied_names(model: Remote, in_features: int, hidden_features: int,
                      generator: torch.Generator) -> dict:
    """Verified: values the judge loads into encoder.weight, encoder.bias and decoder_bias come
    back; every other entry of state_dict() is one of those tensors under a second name (it holds
    the same values after loading), never a tensor of its own; and `model.encoder` is the
    nn.Linear holding the loaded weight and bias. Returns the values loaded."""
    shapes = tied_shapes(in_features, hidden_features)
    owner = "TiedAutoencoder"
    chosen = dict(zip(shapes, set_all(model, shapes, generator, owner)))
    state = read_state(model, owner)
    own = [k for k, v in state.items() if k not in chosen
           and not any(_same(v, c) for c in chosen.values())]
    expect(not own,
           observed=_("{owner}.state_dict() also holds {extra}, which kept values of its own when "
                      "the grader loaded encoder.weight, encoder.bias and decoder_bias: it trains "
                      "on its own, so encoder and decoder are not tied").format(owner=owner,
                                                                                extra=own),
           expected=_("exactly the tensors {names}: the decoder shares the encoder's "
                      "weight").format(names=TIED_NAMES),
           fix=_("create no decoder weight at all: in forward, the decoder multiplies by the "
                 "encoder's own weight"), cause="tied:separate-decoder")
    x = torch.randn(4, in_features, generator=generator)
    encoder = model.get("encoder", keep=True)
    fix = _("make self.encoder an nn.Linear from in_features to hidden_features")
    expect(isinstance(encoder, Remote) and encoder.kind == "module",
           observed=_("model.encoder is not a module"), expected=_("an nn.Linear"), fix=fix)
    expect_close(encoder(x), x @ chosen["encoder.weight"].T + chosen["encoder.bias"],
                 what=_("model.encoder(x) with the values loaded into encoder.weight and "
                        "encoder.bias"), fix=fix)
    return chosen


def tied_reference(x, weight, enc_bias, dec_bias, *, through_encoder=True, through_decoder=True):
    """relu(x W^T + b) W + c on judge-owned tensors; the flags cut one path's gradient."""
    w_enc = weight if through_encoder else weight.detach()
    w_dec = weight if through_decoder else weight.detach()
    return torch.relu(x @ w_enc.T + enc_bias) @ w_dec + dec_bias


TIED_FORWARD_FIX = N_("encode with the encoder followed by a ReLU, then decode by multiplying "
                      "the code by the encoder's own weight (untransposed: it is (hidden, in)) "
                      "and adding decoder_bias")

def expect_tied_output(output, x, weight, enc_bias, dec_bias, *, what: str,
                       stale_weight: torch.Tensor | None = None, fix: str | None = None):
    """`output` is the tied autoencoder's on `x` for these parameter values. When it is not but
    matches what a known mistake computes, the failure names that mistake (with its cause, so
    every check that sees it refers to the first): no ReLU on the code, a ReLU on the output,
    or (given `stale_weight`, the encoder's weight before it changed) a decoder that still
    multiplies by a copy of the old weight (`fix` defaults to TIED_FORWARD_FIX)."""
    fix = fix if fix is not None else _(TIED_FORWARD_FIX)
    pre = x @ weight.T + enc_bias
    on_output = CheckFailed(
        _("{what} equals a computation with a ReLU on the reconstruction: no output is "
          "negative").format(what=what),
        _("a ReLU on the code only: the reconstruction must be able to take any value"),
        _("apply the ReLU to the encoder's output (the code), before decoding, and return the "
          "decoded value plus decoder_bias as it is"),
        cause="tied:relu-on-output")

    def mistakes():
        yield (pre @ weight + dec_bias, CheckFailed(
            _("{what} equals the computation without the ReLU: the encoder's output is decoded "
              "as it is, negative code values included").format(what=what),
            _("a code that is the ReLU of the encoder's output, decoded with the encoder's "
              "weight"),
            _("apply a ReLU (torch.relu or F.relu) to the encoder's output before decoding: the "
              "nonlinearity is what makes the code more than a linear projection"),
            cause="tied:no-relu"))
        yield torch.relu(pre @ weight + dec_bias), on_output
        yield torch.relu(torch.relu(pre) @ weight + dec_bias), on_output
        if stale_weight is not None:
            yield (torch.relu(pre) @ stale_weight + dec_bias, CheckFailed(
                _("{what} is decoded with the encoder's weight as it was when the model was "
                  "built: after encoder.weight changed, the decoder still multiplies by the old "
                  "values").format(what=what),
                _("a decoder that follows every change of encoder.weight (the weights are "
                  "tied)"),
                _("do not keep a copy of the encoder's weight for the decoder (a copy made in "
                  "__init__ keeps the values it was made from); in forward, read the encoder's "
                  "weight itself, so both halves use the one tensor"),
                cause="tied:stale-copy"))

    expect_output(output, tied_reference(x, weight, enc_bias, dec_bias), mistakes(),
                  what=what, fix=fix)
