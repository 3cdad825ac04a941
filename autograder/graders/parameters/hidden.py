"""Hidden checks of `parameters`: run by the instructor's grading only."""
from __future__ import annotations

import torch

from autograder.judge_side.checks import CheckFailed, check, expect, expect_close, plain
from autograder.judge_side.client import Remote
from autograder.judge_side.client import LearnerError
from autograder.graders.parameters.common import (LINEAR, MODULELIST, buffer, build, generator,
                                                  load_values, registered, set_all)
from autograder.graders.parameters.common.count import (SHARED_FIX, TIED_LANGUAGE_MODEL,
                                                        call_count, expect_count, reference_count)
from autograder.graders.parameters.common.mlp import (expect_mlp_layers, expect_mlp_output,
                                                      mlp_children, mlp_parameters, mlp_shapes)
from autograder.graders.parameters.common.tied import (TIED_FORWARD_FIX, expect_tied_output,
                                                       tied_parameters, tied_shapes)
from autograder.i18n import _


# -- Scale -------------------------------------------------------------------------------------


@check(exercise="scale", points=1, tags=["forward", "shapes"], visibility="hidden")
def test_scale_forward_broadcasts_over_last_dim(submission):
    """Scale(4) scales the last dimension of 1-D, square (4, 4) and 3-D (2, 4, 4) inputs."""
    g = generator(1)
    layer = build(submission, "Scale", 4)
    registered(layer.describe(values=False), "weight", "Scale")
    (weight,) = set_all(layer, {"weight": (4,)}, g, "Scale(4)")
    for shape in ((4,), (4, 4), (2, 4, 4)):
        x = torch.randn(*shape, generator=g)
        expect_close(layer(x), x * weight, what=_("Scale(4) on a {shape} input").format(
                         shape=shape),
                     fix=_("multiply by the weight as it is: a (num_features,) tensor broadcasts "
                           "over the last dimension of the input; reshaping it (a column, "
                           "unsqueeze) scales rows instead of features"))


# -- Standardize -------------------------------------------------------------------------------


@check(exercise="standardize", points=1, tags=["buffers"], visibility="hidden")
def test_standardize_keeps_its_own_copies(submission):
    """The buffers are copies: changing the tensors passed in, or loading a state_dict, affects only one side."""
    g = generator(3)
    mean, std = torch.randn(3, generator=g), torch.rand(3, generator=g) + 0.5
    # The caller's tensors live in the learner process, so that they can be changed in place.
    mean_remote, std_remote = submission.tensor(mean), submission.tensor(std)
    module = build(submission, "Standardize", mean_remote, std_remote)
    mean_remote.method("add_", 10.0, no_grad=True,
                       action=_("changing the caller's mean in place"))
    std_remote.method("mul_", 3.0, no_grad=True, action=_("changing the caller's std in place"))
    fix = _("register copies of the tensors you are given (detach and clone() them first); a "
            "buffer that is the caller's tensor changes whenever either side is modified in "
            "place (load_state_dict copies into buffers in place)")
    info = module.describe()
    for name, saved in (("mean", mean), ("std", std)):
        b = buffer(info, name, "Standardize").value
        expect(torch.equal(b, saved),
               observed=_("changing the caller's `{name}` in place changed the module's "
                          "buffer").format(name=name),
               expected=_("the buffer keeps the values it was built with"), fix=fix)
    # Verified by behaviour: the module's output still uses the values it was built with.
    x = torch.randn(4, 3, generator=g)
    expect(torch.allclose(plain(module(x)), (x - mean) / std, rtol=1e-5, atol=1e-6),
           observed=_("after the caller's tensors were changed in place, Standardize's output "
                      "follows the changed values"),
           expected=_("the buffer keeps the values it was built with"), fix=fix)
    caller = mean_remote.describe().value, std_remote.describe().value
    load_values(module, {"mean": torch.zeros(3), "std": torch.ones(3)}, "Standardize", fix)
    after = mean_remote.describe().value, std_remote.describe().value
    expect(torch.equal(after[0], caller[0]) and torch.equal(after[1], caller[1]),
           observed=_("module.load_state_dict(...) overwrote the tensors passed to Standardize"),
           expected=_("the caller's tensors left alone"), fix=fix)
    # Verified by behaviour: a new Standardize built from the caller's tensors now shows their
    # values, which loading into the first module must not have touched.
    other = build(submission, "Standardize", mean_remote, std_remote)
    expect(torch.allclose(plain(other(x)), (x - (mean + 10.0)) / (std * 3.0), rtol=1e-5,
                          atol=1e-6),
           observed=_("module.load_state_dict(...) overwrote the tensors passed to Standardize"),
           expected=_("the caller's tensors left alone"), fix=fix)
    expect_close(module(x), x, what=_("the output after loading mean=0 and std=1"),
                 fix=_("forward must use the buffers self.mean and self.std"))


@check(exercise="standardize", points=1, tags=["buffers"], visibility="hidden")
def test_standardize_buffers_detached_from_caller(submission):
    """Built from statistics that require grad (as when they are computed with autograd on), Standardize keeps detached copies: its output is right, backward through it gives x its gradient and the caller's mean and std none, and a copy.deepcopy of the module computes the same."""
    g = generator(41)
    mean, std = torch.randn(3, generator=g), torch.rand(3, generator=g) + 0.5
    sent = {"mean": submission.tensor(mean.clone().requires_grad_()),
            "std": submission.tensor(std.clone().requires_grad_())}
    module = build(submission, "Standardize", sent["mean"], sent["std"])
    x, upstream = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    x_sent = submission.tensor(x.clone().requires_grad_())
    fix = _("register a detached copy of each statistic, mean.detach().clone(): clone() alone "
            "copies the values but keeps the copy in the caller's autograd graph, so the buffer "
            "requires grad, is not a leaf, and cannot be deep-copied or saved on its own")
    try:
        y = module.call(x_sent, keep=True, action=_("calling Standardize")).value
        y.call(upstream, method="backward",
               action=_("calling backward() on Standardize's output"))
    except (LearnerError, AttributeError) as exc:
        error = exc.evidence.error if isinstance(exc, LearnerError) else _("not a tensor")
        raise CheckFailed(_("with mean and std that require grad, forward and backward through "
                            "Standardize failed: {error}").format(error=error),
                          _("an output, and a gradient for x"), fix) from None
    expect_close(y.describe().value, (x - mean) / std,
                 what=_("Standardize's output, built from statistics that require grad"),
                 fix=fix)
    expect_close(x_sent.describe().grad, upstream / std,
                 what=_("x.grad after backward through Standardize"), fix=fix)
    for name, tensor in sent.items():
        grad = tensor.describe().grad
        expect(grad is None,
               observed=_("backward through Standardize's output gave the caller's `{name}` a "
                          "gradient: the buffer is still attached to the caller's autograd "
                          "graph").format(name=name),
               expected=_("buffers detached from the tensors they were copied from"), fix=fix,
               cause="standardize:attached")
    try:
        answer = submission.instrument("deepcopy_module",
                                       _("copying Standardize with copy.deepcopy"), module=module)
    except LearnerError as exc:
        raise CheckFailed(_("copy.deepcopy(Standardize(mean, std)) failed with {error}: a "
                            "buffer that is not a leaf of the graph cannot be deep-copied").format(
                              error=exc.evidence.error),
                          _("a copy of the module"), fix, cause="standardize:attached") from None
    copy = answer.get("copy") if isinstance(answer, dict) else None
    expect(isinstance(copy, Remote) and copy.kind == "module",
           observed=_("copy.deepcopy gave {value!r}").format(value=copy),
           expected=_("a copy of the module"), fix=fix)
    expect_close(copy(x), (x - mean) / std, what=_("a deep copy of Standardize on x"), fix=fix)


# -- MLP -----------------------------------------------------------------------------------------

@check(exercise="mlp", points=1, tags=["modulelist"], visibility="hidden")
def test_mlp_layers_is_modulelist(submission):
    """MLP([5, 7, 6, 2]).layers is an nn.ModuleList of three nn.Linear layers of the right sizes."""
    sizes = [5, 7, 6, 2]
    model = build(submission, "MLP", sizes)
    info = model.describe(values=False)
    # A Python list, activations among the layers or a wrong number of layers: the mistake
    # mlp_parameters names (with its cause), shared with every other MLP check.
    mlp_parameters(info, sizes)
    expect_mlp_layers(model, sizes, generator(13))
    layers = info.submodule("layers")
    attribute = info.attributes.get("layers", "missing")
    if layers is not None:
        observed = _("self.layers is of type {type}").format(type=layers.type)
    elif attribute == "missing":
        observed = _("self.layers is a missing attribute")
    elif isinstance(attribute, (list, tuple, dict)):
        observed = _("self.layers is a Python {type}").format(type=type(attribute).__name__)
    else:
        observed = _("self.layers is of type {type}").format(
            type=getattr(attribute, "type", type(attribute).__name__))
    expect(layers is not None and layers.inherits(MODULELIST),
           observed=observed,
           expected=_("an nn.ModuleList"),
           fix=_("hold one nn.Linear per consecutive pair of sizes in an nn.ModuleList assigned "
                 "to self.layers: a Python list hides the layers from parameters(), .to() and "
                 "state_dict()"))
    # Verified by behaviour: a ModuleList only holds modules; it has no forward of its own.
    container = model.get("layers", keep=True)
    try:
        container(torch.randn(2, sizes[0]))
        runs = True
    except LearnerError:
        runs = False
    expect(not runs,
           observed=_("self.layers(x) runs as a model of its own, as an nn.Sequential does"),
           expected=_("an nn.ModuleList"),
           fix=_("hold one nn.Linear per consecutive pair of sizes in an nn.ModuleList assigned "
                 "to self.layers, and apply them (with ReLU between) in forward"))
    children = mlp_children(info)
    shapes = []
    for name, child in children:
        if not child.inherits(LINEAR):
            shapes.append(child.type)
            continue
        layer = model.get(name, keep=True)
        layer_info = layer.describe(values=False) if isinstance(layer, Remote) else None
        if layer_info is not None and layer_info.id == child.id:
            attributes = layer_info.attributes
            shapes.append((attributes.get("in_features"), attributes.get("out_features")))
        else:   # indexing the list gave another module: read the registered weight instead
            weight = info.parameters.get(f"{name}.weight")
            shapes.append(tuple(reversed(weight.shape)) if weight is not None else child.type)
    wanted = list(zip(sizes[:-1], sizes[1:]))
    expect(shapes == wanted,
           observed=_("self.layers holds {shapes}").format(shapes=shapes),
           expected=_("nn.Linear layers with (in, out) = {wanted}").format(wanted=wanted),
           fix=_("one nn.Linear from sizes[i] to sizes[i + 1] per consecutive pair of sizes, "
                 "nothing else"))
    mlp_parameters(info, sizes)


@check(exercise="mlp", points=1, tags=["forward"], visibility="hidden")
def test_mlp_no_relu_after_last_layer(submission):
    """MLP([3, 2]) is a single linear layer; MLP([5, 7, 6, 2]) on a (2, 3, 5) input has ReLU only between layers."""
    g = generator(1)
    for sizes, shape in (([3, 2], (9, 3)), ([5, 7, 6, 2], (2, 3, 5))):
        model = build(submission, "MLP", sizes, seed=1)
        mlp_parameters(model.describe(values=False), sizes)
        params = dict(zip(mlp_shapes(sizes), set_all(model, mlp_shapes(sizes), g, "MLP")))
        x = torch.randn(*shape, generator=g)
        expect_mlp_output(model(x), params, len(sizes) - 1, x,
                          what=_("MLP({sizes}) on a {shape} input").format(sizes=sizes,
                                                                            shape=shape),
                          fix=_("apply ReLU after every layer except the last (so MLP([3, 2]) "
                                "has no ReLU at all) and act on the last dimension only"))


# -- TiedAutoencoder ---------------------------------------------------------------------------


@check(exercise="tied", points=1, tags=["tying"], visibility="hidden")
def test_tied_weight_is_one_tensor(submission):
    """The decoder reads encoder.weight itself: after encoder.weight changes in place, the output follows."""
    g = generator(3)
    model = build(submission, "TiedAutoencoder", 5, 3)
    params = tied_parameters(model.describe(), 5, 3)
    built_with = params["encoder.weight"].value
    w, b, c = set_all(model, tied_shapes(5, 3), g, "TiedAutoencoder")
    x = torch.randn(6, 5, generator=g)
    expect_tied_output(model(x), x, w, b, c, stale_weight=built_with,
                       what=_("the output after encoder.weight was overwritten in place"),
                       fix=_("{forward_fix}; the decoder must follow every change of "
                             "encoder.weight, so read the encoder's weight itself in "
                             "forward").format(forward_fix=_(TIED_FORWARD_FIX)))


# -- count_parameters --------------------------------------------------------------------------


@check(exercise="count", points=1, tags=["counting", "tying", "freezing"], visibility="hidden")
def test_count_shared_and_frozen(submission):
    """With the shared embedding/head weight frozen, it counts once in the total and not at all as trainable."""
    spec = {**TIED_LANGUAGE_MODEL, "frozen": ["embedding.weight"]}
    model = submission.build(spec, seed=0)
    for flag in (False, True):
        n = call_count(submission, model, trainable_only=flag)
        expect_count(n, spec, trainable_only=flag,
                     observed=_("with the shared (11, 4) weight frozen, count_parameters(model, "
                                "trainable_only={flag}) returned {count}").format(flag=flag,
                                                                                  count=n),
                     expected=str(reference_count(spec, flag)),
                     fix=_("{shared_fix}; with trainable_only=True, skip the parameters whose "
                           "requires_grad is False (frozen ones), and count them "
                           "otherwise").format(shared_fix=_(SHARED_FIX)))
