"""Hidden checks of `parameters`: run by the instructor's grading only."""
from __future__ import annotations

import torch
from torch import nn

from autograder.checks import CheckFailed, check, expect, expect_close, plain
from autograder.graders.parameters.common import (
    build, buffer, call_count, expect_every_parameter_changes, expect_trainable_leaf,
    mlp_parameters, mlp_reference, registered, set_values, tied_parameters, tied_reference,
)


# -- counting: the grader's own models -------------------------------------------------------------

def reference_count(model: nn.Module, trainable_only: bool = False) -> int:
    """Scalars in the model's parameters, each tensor once however many names it has."""
    seen, total = set(), 0
    for _, p in model.named_parameters(remove_duplicate=False):
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return total


def naive_count(model: nn.Module, trainable_only: bool = False) -> int:
    """What a count that visits a shared parameter under each of its names gives."""
    return sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False)
               if p.requires_grad or not trainable_only)


class TiedLanguageModel(nn.Module):
    """Embedding and output head share one (vocab, dim) weight, the classic tied pair."""

    def __init__(self, vocab: int = 11, dim: int = 4):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.body = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab)
        self.head.weight = self.embedding.weight


class SharedBlock(nn.Module):
    """One Linear registered under two names: parameters() yields its tensors once."""

    def __init__(self):
        super().__init__()
        self.block = nn.Linear(6, 5)
        self.again = self.block
        self.out = nn.Linear(5, 2)


# -- Scale -------------------------------------------------------------------------------------

@check(exercise="scale", points=1, tags=["registration", "autograd"], visibility="hidden")
def test_scale_weight_is_trainable_leaf(submission):
    """Scale's weight is an nn.Parameter, a leaf of the autograd graph, with requires_grad=True."""
    layer = build(submission, "Scale", 4)
    expect_trainable_leaf(registered(layer, "weight", "Scale"), "self.weight")


@check(exercise="scale", points=1, tags=["forward", "shapes"], visibility="hidden")
def test_scale_forward_broadcasts_over_last_dim(submission):
    """Scale(4) scales the last dimension of 1-D, square (4, 4) and 3-D (2, 4, 4) inputs."""
    g = torch.Generator().manual_seed(1)
    layer = build(submission, "Scale", 4)
    weight = set_values(registered(layer, "weight", "Scale"), g)
    for shape in ((4,), (4, 4), (2, 4, 4)):
        x = torch.randn(*shape, generator=g)
        expect_close(layer(x), plain(x) * weight, what=f"Scale(4) on a {shape} input",
                     fix="multiply by the weight as it is, x * self.weight: a (num_features,) "
                         "tensor broadcasts over the last dimension; reshaping it scales "
                         "rows instead of features")


@check(exercise="scale", points=1, tags=["optimizer", "grad-flow"], visibility="hidden")
def test_scale_optimizer_updates_weight(submission):
    """One SGD step on Scale(3).parameters() changes the weight."""
    g = torch.Generator().manual_seed(2)
    layer = build(submission, "Scale", 3)
    registered(layer, "weight", "Scale")
    x, target = torch.randn(8, 3, generator=g), torch.randn(8, 3, generator=g)
    expect_every_parameter_changes(layer, lambda m: (m(x) * target).sum(), "Scale")


@check(exercise="scale", points=1, tags=["state-dict", "dtype-device"], visibility="hidden")
def test_scale_saves_and_converts_weight(submission):
    """state_dict() of Scale(3) holds `weight`, and .to(torch.float64) converts it."""
    layer = build(submission, "Scale", 3)
    weight = registered(layer, "weight", "Scale")
    keys = sorted(layer.state_dict())
    expect(keys == ["weight"], observed=f"state_dict() holds {keys}", expected="['weight']",
           fix="register weight as an nn.Parameter and nothing else as parameter or buffer")
    layer = layer.to(torch.float64)
    weight = registered(layer, "weight", "Scale")
    expect(weight.dtype == torch.float64,
           observed=f"after .to(torch.float64), weight is {weight.dtype}",
           expected="torch.float64", fix="register weight as an nn.Parameter so .to() converts it")


# -- Standardize -------------------------------------------------------------------------------

def _standardize(submission, n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    mean, std = torch.randn(n, generator=g), torch.rand(n, generator=g) + 0.5
    return build(submission, "Standardize", mean, std), mean, std, g


@check(exercise="standardize", points=1, tags=["buffers", "optimizer"], visibility="hidden")
def test_standardize_buffers_not_parameters(submission):
    """Standardize has no parameters: mean and std are constants that no optimizer may change."""
    module, *_ = _standardize(submission)
    params = sorted(dict(module.named_parameters()))
    expect(not params,
           observed=f"named_parameters() lists {params}: an optimizer built from "
                    "model.parameters() would train these statistics",
           expected="no parameters at all",
           fix="register mean and std as buffers (self.register_buffer(name, tensor)), not as "
               "nn.Parameter, even with requires_grad=False")
    for name in ("mean", "std"):
        b = buffer(module, name, "Standardize")
        expect(not b.requires_grad, observed=f"the `{name}` buffer requires grad",
               expected="a constant buffer", fix="register a detached copy: tensor.detach().clone()")


@check(exercise="standardize", points=1, tags=["buffers", "state-dict"], visibility="hidden")
def test_standardize_buffers_in_state_dict(submission):
    """state_dict() holds exactly `mean` and `std`, and loading it into another Standardize carries them over."""
    module, mean, std, g = _standardize(submission, 4, 1)
    keys = sorted(module.state_dict())
    expect(keys == ["mean", "std"],
           observed=f"state_dict() holds {keys}",
           expected="['mean', 'std']",
           fix="register both as persistent buffers: self.register_buffer(name, tensor) "
               "(persistent=False keeps a buffer out of state_dict(), so a saved model would "
               "lose its statistics)")
    other = build(submission, "Standardize", torch.zeros(4), torch.ones(4))
    other.load_state_dict(module.state_dict())
    x = torch.randn(5, 4, generator=g)
    expect_close(other(x), (x - mean) / std, what="the output after load_state_dict",
                 fix="forward must use the buffers self.mean and self.std")


@check(exercise="standardize", points=1, tags=["buffers", "dtype-device"], visibility="hidden")
def test_standardize_buffers_follow_to(submission):
    """After .to(torch.float64), mean, std and the output are float64 and still correct."""
    module, mean, std, g = _standardize(submission, 3, 2)
    module = module.to(torch.float64)
    for name in ("mean", "std"):
        value = getattr(module, name, None)
        dtype = value.dtype if isinstance(value, torch.Tensor) else type(value).__name__
        expect(dtype == torch.float64,
               observed=f"after .to(torch.float64), self.{name} is {dtype}",
               expected="torch.float64: .to() converts every parameter and buffer",
               fix=f"register {name} with self.register_buffer('{name}', ...); .to() does not "
                   "touch plain tensor attributes")
    x = torch.randn(6, 3, dtype=torch.float64, generator=g)
    expect_close(module(x), (x - mean.double()) / std.double(), what="the float64 output",
                 fix="forward must use self.mean and self.std", rtol=1e-12, atol=1e-12)


@check(exercise="standardize", points=1, tags=["buffers"], visibility="hidden")
def test_standardize_keeps_its_own_copies(submission):
    """The buffers are copies: changing the tensors passed in, or loading a state_dict, affects only one side."""
    module, mean, std, _ = _standardize(submission, 3, 3)
    saved_mean, saved_std = plain(mean), plain(std)
    with torch.no_grad():
        mean.add_(10.0)
        std.mul_(3.0)
    fix = ("store copies: self.register_buffer('mean', mean.detach().clone()); a buffer that is "
           "the caller's tensor changes whenever either side is modified in place "
           "(load_state_dict copies into buffers in place)")
    for name, saved in (("mean", saved_mean), ("std", saved_std)):
        b = plain(buffer(module, name, "Standardize"))
        expect(torch.equal(b, saved),
               observed=f"changing the caller's `{name}` in place changed the module's buffer",
               expected="the buffer keeps the values it was built with", fix=fix)
    caller = mean.clone(), std.clone()
    module.load_state_dict({"mean": torch.zeros(3), "std": torch.ones(3)}, strict=False)
    expect(torch.equal(mean, caller[0]) and torch.equal(std, caller[1]),
           observed="module.load_state_dict(...) overwrote the tensors passed to Standardize",
           expected="the caller's tensors left alone", fix=fix)


# -- MLP -----------------------------------------------------------------------------------------

@check(exercise="mlp", points=1, tags=["modulelist"], visibility="hidden")
def test_mlp_layers_is_modulelist(submission):
    """MLP([5, 7, 6, 2]).layers is an nn.ModuleList of three nn.Linear layers of the right sizes."""
    sizes = [5, 7, 6, 2]
    model = build(submission, "MLP", sizes)
    layers = getattr(model, "layers", None)
    expect(isinstance(layers, nn.ModuleList),
           observed=f"self.layers is a {type(layers).__name__}",
           expected="an nn.ModuleList",
           fix="self.layers = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1]) for i in "
               "range(len(sizes) - 1)]): a Python list hides the layers from parameters(), "
               ".to() and state_dict()")
    shapes = [(m.in_features, m.out_features) if isinstance(m, nn.Linear) else type(m).__name__
              for m in layers]
    wanted = list(zip(sizes[:-1], sizes[1:]))
    expect(shapes == wanted,
           observed=f"self.layers holds {shapes}",
           expected=f"nn.Linear layers with (in, out) = {wanted}",
           fix="one nn.Linear(sizes[i], sizes[i + 1]) per consecutive pair of sizes, nothing else")
    mlp_parameters(model, sizes)


@check(exercise="mlp", points=1, tags=["forward"], visibility="hidden")
def test_mlp_no_relu_after_last_layer(submission):
    """MLP([3, 2]) is a single linear layer; MLP([5, 7, 6, 2]) on a (2, 3, 5) input has ReLU only between layers."""
    torch.manual_seed(1)
    for sizes, shape in (([3, 2], (9, 3)), ([5, 7, 6, 2], (2, 3, 5))):
        model = build(submission, "MLP", sizes)
        params = mlp_parameters(model, sizes)
        x = torch.randn(*shape)
        expect_close(model(x), mlp_reference(params, len(sizes) - 1, x),
                     what=f"MLP({sizes}) on a {shape} input",
                     fix="apply ReLU after every layer except the last (so MLP([3, 2]) has no "
                         "ReLU at all) and act on the last dimension only")


@check(exercise="mlp", points=1, tags=["optimizer", "dtype-device"], visibility="hidden")
def test_mlp_optimizer_and_to_reach_every_layer(submission):
    """One SGD step changes every parameter of MLP([4, 16, 8, 3]); .to(torch.float64) converts them all."""
    torch.manual_seed(2)
    sizes = [4, 16, 8, 3]
    model = build(submission, "MLP", sizes)
    mlp_parameters(model, sizes)
    x, target = torch.randn(64, 4), torch.randn(64, 3)
    expect_every_parameter_changes(model, lambda m: (m(x) - target).pow(2).sum(), "MLP")
    model = model.to(torch.float64)
    dtypes = {n: p.dtype for n, p in mlp_parameters(model, sizes).items()
              if p.dtype != torch.float64}
    expect(not dtypes, observed=f"after .to(torch.float64): {dtypes}",
           expected="every parameter float64", fix="hold the layers in an nn.ModuleList")
    y = model(x.double())
    expect(plain(y).dtype == torch.float64, observed=f"the float64 model returned {y.dtype}",
           expected="torch.float64", fix="do not convert dtypes inside forward")


# -- TiedAutoencoder ---------------------------------------------------------------------------

@check(exercise="tied", points=1, tags=["registration", "init"], visibility="hidden")
def test_tied_decoder_bias_starts_at_zero(submission):
    """decoder_bias of TiedAutoencoder(7, 2) is a trainable leaf nn.Parameter of zeros, shape (7,)."""
    model = build(submission, "TiedAutoencoder", 7, 2)
    bias = tied_parameters(model, 7, 2)["decoder_bias"]
    expect_trainable_leaf(bias, "self.decoder_bias")
    expect_close(bias, torch.zeros(7), what="decoder_bias before training (expected all zeros)",
                 fix="self.decoder_bias = nn.Parameter(torch.zeros(in_features))", rtol=0, atol=0)


@check(exercise="tied", points=1, tags=["tying"], visibility="hidden")
def test_tied_weight_is_one_tensor(submission):
    """The decoder reads encoder.weight itself: after encoder.weight changes in place, the output follows."""
    g = torch.Generator().manual_seed(3)
    model = build(submission, "TiedAutoencoder", 5, 3)
    params = tied_parameters(model, 5, 3)
    w, b, c = (set_values(params[n], g) for n in ("encoder.weight", "encoder.bias", "decoder_bias"))
    x = torch.randn(6, 5, generator=g)
    y = model(x)
    expected = tied_reference(plain(x), w, b, c)
    expect_close(y, expected, what="the output after encoder.weight was overwritten in place",
                 fix="use self.encoder.weight in the decoder at every forward call; a copy "
                     "taken in __init__ (even a plain tensor that is not a parameter) keeps the "
                     "old values, so the two halves stop being tied as soon as training starts")


@check(exercise="tied", points=2, tags=["tying", "grad-flow"], visibility="hidden")
def test_tied_gradient_from_both_paths(submission):
    """encoder.weight's gradient adds the encoder's and the decoder's contributions, as for one shared tensor."""
    g = torch.Generator().manual_seed(4)
    model = build(submission, "TiedAutoencoder", 5, 4)
    params = tied_parameters(model, 5, 4)
    values = [set_values(params[n], g) for n in ("encoder.weight", "encoder.bias", "decoder_bias")]
    x, grad_out = torch.randn(16, 5, generator=g), torch.randn(16, 5, generator=g)
    model.zero_grad(set_to_none=True)
    (model(x) * grad_out).sum().backward()

    def reference_grads(**paths):
        leaves = [v.clone().requires_grad_() for v in values]
        (tied_reference(plain(x), *leaves, **paths) * grad_out).sum().backward()
        return [leaf.grad for leaf in leaves]

    full = reference_grads()
    got = params["encoder.weight"].grad
    expect(got is not None,
           observed="encoder.weight.grad is None after backward",
           expected="a gradient from the encoder and from the decoder path",
           fix="use self.encoder.weight (not a detached copy) in both halves of forward")
    got = plain(got, what="encoder.weight.grad")
    if not torch.allclose(got, full[0], rtol=1e-4, atol=1e-5):
        for label, paths in (("the encoder path only", {"through_decoder": False}),
                             ("the decoder path only", {"through_encoder": False})):
            if torch.allclose(got, reference_grads(**paths)[0], rtol=1e-4, atol=1e-5):
                raise CheckFailed(
                    f"encoder.weight's gradient comes from {label}",
                    "the sum of both contributions: the encoder and the decoder use one tensor, "
                    "so autograd adds the gradient of each use",
                    "in forward, use self.encoder.weight itself in both the encoder and the "
                    "decoder (no .detach(), .data, or copy taken in __init__)")
    expect_close(got, full[0], what="encoder.weight.grad", rtol=1e-4, atol=1e-5,
                 fix="forward must be relu(self.encoder(x)) @ self.encoder.weight + "
                     "self.decoder_bias, with self.encoder.weight itself in both places: a "
                     "copy of it (taken in __init__, .detach(), .data) is another tensor, which "
                     "neither follows the updates nor passes the decoder's gradient back")
    for name, expected in (("encoder.bias", full[1]), ("decoder_bias", full[2])):
        grad = params[name].grad
        expect(grad is not None, observed=f"{name}.grad is None", expected="a gradient",
               fix=f"use self.{name} in forward, not a copy of it")
        expect_close(grad, expected, what=f"{name}.grad", rtol=1e-4, atol=1e-5,
                     fix="forward must be relu(self.encoder(x)) @ self.encoder.weight + "
                         "self.decoder_bias")


@check(exercise="tied", points=1, tags=["optimizer", "tying"], visibility="hidden")
def test_tied_optimizer_updates_every_parameter(submission):
    """One SGD step changes encoder.weight, encoder.bias and decoder_bias, and the model stays tied."""
    g = torch.Generator().manual_seed(5)
    model = build(submission, "TiedAutoencoder", 6, 4)
    tied_parameters(model, 6, 4)
    x = torch.randn(32, 6, generator=g)
    expect_every_parameter_changes(model, lambda m: (m(x) - x).pow(2).sum(), "TiedAutoencoder")
    params = tied_parameters(model, 6, 4)
    w, b, c = (plain(params[n]) for n in ("encoder.weight", "encoder.bias", "decoder_bias"))
    expect_close(model(x), tied_reference(plain(x), w, b, c),
                 what="the output after one optimizer step",
                 fix="the decoder must read self.encoder.weight at forward time, so that it sees "
                     "every update the optimizer makes")


# -- count_parameters --------------------------------------------------------------------------

SHARED_FIX = ("iterate over model.parameters(): it yields a shared parameter once, however many "
              "modules hold it; named_parameters(remove_duplicate=False), state_dict() or a "
              "walk over model.modules() visit it under each of its names")


@check(exercise="count", points=1, tags=["counting", "tying"], visibility="hidden")
def test_count_shared_parameter_once(submission):
    """A weight shared by an embedding and an output head, or a layer registered twice, counts once."""
    torch.manual_seed(0)
    for model, what in ((TiedLanguageModel(), "a language model whose embedding and head share "
                                              "a (11, 4) weight"),
                        (SharedBlock(), "a model holding one Linear(6, 5) under two names")):
        n = call_count(submission, model)
        expected = reference_count(model)
        note = (" (the shared parameters counted twice)" if n == naive_count(model) else "")
        expect(n == expected,
               observed=f"count_parameters on {what} returned {n}{note}",
               expected=f"{expected}: every shared parameter counted once", fix=SHARED_FIX)


@check(exercise="count", points=1, tags=["counting", "freezing"], visibility="hidden")
def test_count_trainable_only(submission):
    """With the first layer frozen, trainable_only=True counts only the parameters with requires_grad."""
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3))
    model[0].requires_grad_(False)
    for flag in (True, False):
        n = call_count(submission, model, trainable_only=flag)
        expected = reference_count(model, flag)
        expect(n == expected,
               observed=f"with the first Linear(5, 4) frozen, count_parameters(model, "
                        f"trainable_only={flag}) returned {n}",
               expected=f"{expected}" + (": only parameters with requires_grad=True" if flag
                                         else ": frozen parameters too"),
               fix="when trainable_only is True, skip parameters whose requires_grad is False; "
                   "otherwise count every parameter")
    expect(call_count(submission, model) == reference_count(model),
           observed="count_parameters(model) without trainable_only skipped frozen parameters",
           expected="trainable_only=False by default", fix="def count_parameters(model, "
           "trainable_only=False)")


@check(exercise="count", points=1, tags=["counting", "buffers"], visibility="hidden")
def test_count_excludes_buffers(submission):
    """A model with BatchNorm counts its weights and biases, not its running statistics (buffers)."""
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    n = call_count(submission, model)
    expected = reference_count(model)
    buffers = sum(b.numel() for b in model.buffers())
    expect(n == expected,
           observed=f"count_parameters on Linear(3, 4) + BatchNorm1d(4) + Linear(4, 2) returned "
                    f"{n}" + (" (buffers counted as parameters)" if n == expected + buffers else ""),
           expected=f"{expected}: parameters only; running_mean, running_var and "
                    "num_batches_tracked are buffers, saved in state_dict() but not learned",
           fix="count model.parameters(), not model.state_dict() (which also holds the buffers)")


@check(exercise="count", points=1, tags=["counting", "tying", "freezing"], visibility="hidden")
def test_count_shared_and_frozen(submission):
    """With the shared embedding/head weight frozen, it counts once in the total and not at all as trainable."""
    torch.manual_seed(0)
    model = TiedLanguageModel()
    model.embedding.weight.requires_grad_(False)
    for flag in (False, True):
        n = call_count(submission, model, trainable_only=flag)
        expected = reference_count(model, flag)
        expect(n == expected,
               observed=f"with the shared (11, 4) weight frozen, count_parameters(model, "
                        f"trainable_only={flag}) returned {n}",
               expected=str(expected),
               fix=SHARED_FIX + "; with trainable_only=True, skip the parameters whose "
                   "requires_grad is False (frozen ones), and count them otherwise")
