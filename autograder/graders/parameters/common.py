"""What both grader files of `parameters` share: building the learner's modules, explaining
registration, references computed on grader-owned copies, the grader's own models for counting."""
from __future__ import annotations

import torch
from torch import nn

from autograder.checks import CheckFailed, expect, plain

# -- building and registration -----------------------------------------------------------------

def build(submission, class_name: str, *args):
    """The learner's `class_name(*args)`, with a module that is not an nn.Module worded for them."""
    module = getattr(submission, class_name)(*args)
    expect(isinstance(module, nn.Module),
           observed=f"{class_name}(...) built a {type(module).__name__}",
           expected="an nn.Module subclass",
           fix=f"declare `class {class_name}(nn.Module):` and call super().__init__() first in "
               "__init__")
    return module


def parameter_dict(module) -> dict:
    """Registered parameters by name, each shared parameter once (as parameters() yields them)."""
    return dict(module.named_parameters())


def registered(module, name: str, owner: str) -> nn.Parameter:
    """The parameter called `name` (a dotted path), or a CheckFailed that explains registration."""
    params = parameter_dict(module)
    if name in params:
        return params[name]
    listed = sorted(params) or "nothing"
    value = module
    for part in name.split("."):
        value = getattr(value, part, None)
    attribute = name.rsplit(".", 1)[-1]
    if isinstance(value, torch.Tensor):
        raise CheckFailed(
            f"{owner}.{name} is a plain {type(value).__name__} (requires_grad="
            f"{value.requires_grad}), not a registered parameter: named_parameters() lists "
            f"{listed}, so an optimizer built from model.parameters() never updates it, "
            "state_dict() does not save it and .to() does not move it",
            f"`{name}` registered as an nn.Parameter",
            f"wrap the tensor: self.{attribute} = nn.Parameter(torch....); assigning an "
            "nn.Parameter to a module attribute is what registers it (requires_grad=True alone "
            "does not)",
        )
    raise CheckFailed(f"{owner} has no parameter `{name}` (named_parameters() lists {listed})",
                      f"a parameter named `{name}`",
                      f"create self.{attribute} = nn.Parameter(...) in __init__")


def expect_names(module, expected: list[str], owner: str, fix: str) -> dict:
    """The module's named_parameters() are exactly `expected` (any order); returns them."""
    params = parameter_dict(module)
    expect(sorted(params) == sorted(expected),
           observed=f"{owner}.named_parameters() lists {sorted(params) or 'nothing'}",
           expected=f"exactly {sorted(expected)}",
           fix=fix)
    return params


def expect_shape(tensor, shape: tuple, what: str, fix: str) -> None:
    expect(tuple(tensor.shape) == shape,
           observed=f"{what} has shape {tuple(tensor.shape)}", expected=f"shape {shape}", fix=fix)


def expect_trainable_leaf(p, what: str) -> None:
    expect(isinstance(p, nn.Parameter),
           observed=f"{what} is a {type(p).__name__}", expected="an nn.Parameter",
           fix=f"assign {what} = nn.Parameter(...)")
    expect(p.requires_grad,
           observed=f"{what}.requires_grad is False, so it never receives a gradient and no "
                    "optimizer step changes it",
           expected="requires_grad=True (an nn.Parameter's default)",
           fix="leave requires_grad at its default: nn.Parameter(tensor), without "
               "requires_grad=False")
    expect(p.is_leaf,
           observed=f"{what} is not a leaf of the autograd graph (it was computed from another "
                    "tensor that requires grad), so .grad is never filled",
           expected="a leaf tensor",
           fix="create the Parameter from a fresh tensor, e.g. nn.Parameter(torch.ones(n))")


def buffer(module, name: str, owner: str) -> torch.Tensor:
    """The buffer called `name`, or a CheckFailed that explains buffers."""
    buffers = dict(module.named_buffers())
    if name in buffers:
        return buffers[name]
    value = getattr(module, name, None)
    listed = sorted(buffers) or "nothing"
    fix = (f"store it with self.register_buffer('{name}', {name}.detach().clone()): a buffer is "
           "state that state_dict() saves and .to() moves, but that is not learned")
    if isinstance(value, nn.Parameter):
        raise CheckFailed(
            f"{owner}.{name} is an nn.Parameter, so parameters() lists it and an optimizer built "
            "from model.parameters() would train this constant (named_buffers() lists "
            f"{listed})",
            f"`{name}` registered as a buffer", fix)
    if isinstance(value, torch.Tensor):
        raise CheckFailed(
            f"{owner}.{name} is a plain tensor attribute: named_buffers() lists {listed}, so "
            "state_dict() does not save it and .to() does not move or convert it",
            f"`{name}` registered as a buffer", fix)
    raise CheckFailed(f"{owner} has no buffer `{name}` (named_buffers() lists {listed})",
                      f"a buffer named `{name}`", fix)


def set_values(tensor: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Overwrite a learner's parameter in place with grader-drawn values; return a plain copy."""
    values = torch.randn(tensor.shape, generator=generator, dtype=tensor.dtype)
    with torch.no_grad():
        tensor.copy_(values)
    return plain(values)


def expect_every_parameter_changes(module, loss_fn, owner: str) -> None:
    """One SGD step on module.parameters() changes every registered parameter."""
    params = parameter_dict(module)
    expect(bool(params),
           observed=f"{owner}.parameters() is empty", expected="the module's parameters",
           fix="register every learnable tensor as an nn.Parameter (and submodules as "
               "attributes or in an nn.ModuleList)")
    for name, p in params.items():
        expect(p.requires_grad,
               observed=f"{owner}'s `{name}` has requires_grad=False, so backward never gives "
                        "it a gradient and the optimizer step skips it",
               expected="every registered parameter trainable (requires_grad=True)",
               fix="create it as nn.Parameter(tensor), whose requires_grad defaults to True")
    before = {n: plain(p) for n, p in params.items()}
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    optimizer.zero_grad()
    loss = loss_fn(module)
    expect(isinstance(loss, torch.Tensor) and loss.requires_grad,
           observed=f"a loss computed from {owner}'s output does not require grad: none of the "
                    "registered parameters took part in forward as far as autograd can see",
           expected="an output that depends on the parameters through autograd",
           fix="use the registered parameters themselves in forward, not self.weight.data, "
               ".detach() or a copy: those cut the graph, so no gradient ever reaches them")
    loss.backward()
    optimizer.step()
    for name, p in params.items():
        expect(p.grad is not None,
               observed=f"after backward, {owner}'s `{name}` has no gradient (.grad is None)",
               expected="a gradient for every registered parameter",
               fix=f"make forward use the registered `{name}` itself, not a copy, .detach() or "
                   ".data, so the loss's gradient reaches it")
        expect(not torch.equal(plain(p), before[name]),
               observed=f"`{name}` did not change after optimizer.step()",
               expected="every registered parameter updated by the step",
               fix=f"make forward use `{name}` so that it gets a non-zero gradient")


# -- references on grader-owned copies ------------------------------------------------------------

def mlp_names(sizes) -> list[str]:
    return [f"layers.{i}.{kind}" for i in range(len(sizes) - 1) for kind in ("weight", "bias")]


def mlp_parameters(model, sizes) -> dict:
    """The MLP's parameters by the contract's names, with feedback on containers and shapes."""
    params = parameter_dict(model)
    expected = mlp_names(sizes)
    layers = getattr(model, "layers", None)
    if not params and isinstance(layers, (list, tuple, dict)):
        raise CheckFailed(
            f"self.layers is a Python {type(layers).__name__}: nn.Module does not look inside "
            "Python containers, so named_parameters() lists nothing and an optimizer built from "
            "model.parameters() has nothing to train",
            f"named_parameters() listing {expected}",
            "hold the layers in an nn.ModuleList: self.layers = nn.ModuleList([...]), which "
            "registers each layer under its index")
    expect(sorted(params) == sorted(expected),
           observed=f"MLP({list(sizes)}).named_parameters() lists {sorted(params) or 'nothing'}",
           expected=f"exactly {sorted(expected)}",
           fix="keep only the nn.Linear layers, in order, in self.layers = nn.ModuleList([...]) "
               "(the index in the list becomes part of the name) and apply ReLU in forward "
               "(F.relu or torch.relu), not as entries of the list")
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        for kind, shape in (("weight", (n_out, n_in)), ("bias", (n_out,))):
            expect_shape(params[f"layers.{i}.{kind}"], shape, f"layers.{i}.{kind}",
                         f"layer {i} maps sizes[{i}]={n_in} to sizes[{i + 1}]={n_out}: "
                         f"nn.Linear(sizes[i], sizes[i + 1])")
    return params


def mlp_reference(params: dict, n_layers: int, x: torch.Tensor) -> torch.Tensor:
    """ReLU between the layers, none after the last, on plain copies of the parameters."""
    h = plain(x, what="the input")
    for i in range(n_layers):
        h = h @ plain(params[f"layers.{i}.weight"]).T + plain(params[f"layers.{i}.bias"])
        if i < n_layers - 1:
            h = torch.relu(h)
    return h


TIED_NAMES = ["decoder_bias", "encoder.bias", "encoder.weight"]


def tied_parameters(model, in_features: int, hidden_features: int) -> dict:
    """The autoencoder's three parameters by their contract names, with feedback on tying.

    A tensor registered under a second name as well (`self.decoder_weight = self.encoder.weight`)
    is still one parameter: what counts is which tensors parameters() yields.
    """
    names_of: dict[int, list[str]] = {}
    tensors: dict[int, nn.Parameter] = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        names_of.setdefault(id(p), []).append(name)
        tensors[id(p)] = p
    params = {name: tensors[key] for key, names in names_of.items() for name in names
              if name in TIED_NAMES}
    listed = sorted(parameter_dict(model))
    extra = [names[0] for key, names in names_of.items() if not set(names) & set(TIED_NAMES)]
    if extra:
        raise CheckFailed(
            f"TiedAutoencoder.named_parameters() lists {listed}: {extra} trains on its own, so "
            "encoder and decoder are not tied (a copy made in "
            "__init__ drifts apart after the first optimizer step)",
            f"exactly the tensors {TIED_NAMES}: the decoder shares the encoder's weight",
            "create no decoder weight at all: in forward, multiply by self.encoder.weight "
            "itself (h @ self.encoder.weight is the transposed map), so one tensor serves both")
    registered(model, "decoder_bias", "TiedAutoencoder")
    expect(sorted(params) == TIED_NAMES and len(tensors) == 3,
           observed=f"TiedAutoencoder.named_parameters() lists {listed}",
           expected=f"exactly {TIED_NAMES}",
           fix="self.encoder = nn.Linear(in_features, hidden_features) and "
               "self.decoder_bias = nn.Parameter(torch.zeros(in_features))")
    expect(isinstance(getattr(model, "encoder", None), nn.Linear),
           observed=f"encoder is a {type(getattr(model, 'encoder', None)).__name__}",
           expected="an nn.Linear", fix="self.encoder = nn.Linear(in_features, hidden_features)")
    expect_shape(params["encoder.weight"], (hidden_features, in_features), "encoder.weight",
                 "nn.Linear(in_features, hidden_features) holds a (hidden, in) weight")
    expect_shape(params["decoder_bias"], (in_features,), "decoder_bias",
                 "the decoder reconstructs the input: one bias per input feature")
    return params


def tied_reference(x, weight, enc_bias, dec_bias, *, through_encoder=True, through_decoder=True):
    """relu(x W^T + b) W + c on grader-owned leaves; the flags cut one path's gradient."""
    w_enc = weight if through_encoder else weight.detach()
    w_dec = weight if through_decoder else weight.detach()
    return torch.relu(x @ w_enc.T + enc_bias) @ w_dec + dec_bias


def call_count(submission, model, **kwargs):
    """count_parameters(model, **kwargs), which must be a Python int."""
    n = submission.count_parameters(model, **kwargs)
    call = "count_parameters(model" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
    expect(isinstance(n, int) and not isinstance(n, bool),
           observed=f"{call} returned a {type(n).__name__} ({n!r})",
           expected="a Python int",
           fix="add up p.numel() (already an int) over the parameters; convert a tensor or "
               "float total with int(...)")
    return n

