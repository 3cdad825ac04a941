"""`MLP` of `parameters`: its layers in an nn.ModuleList, their names and shapes, and its
output on values the judge chose (with the mistakes it shows)."""
from __future__ import annotations

import re

import torch

from autograder.i18n import _
from autograder.judge_side.checks import CheckFailed, expect, expect_close
from autograder.judge_side.client import ModuleInfo, Remote
from autograder.graders.parameters.common import (LINEAR, MODULELIST, expect_output, expect_shape,
                                                  expect_state_keys, set_all)


def mlp_names(sizes) -> list[str]:
    return [f"layers.{i}.{kind}" for i in range(len(sizes) - 1) for kind in ("weight", "bias")]


def mlp_children(info: ModuleInfo) -> list:
    """The direct children of the MLP's `layers` container, as (name, SubmoduleInfo)."""
    return [(n, m) for n, m in info.modules
            if n.startswith("layers.") and "." not in n[len("layers."):]]


def mlp_layer_count(sizes, n_layers: int, listed: str) -> CheckFailed:
    """The feedback for an MLP that holds one layer too few or too many (or any wrong count)."""
    observed = (_("MLP({sizes}) holds {count} linear layer ({listed})") if n_layers == 1
                else _("MLP({sizes}) holds {count} linear layers ({listed})"))
    return CheckFailed(
        observed.format(sizes=list(sizes), count=n_layers, listed=listed),
        _("{count} layers: one for each consecutive pair of sizes").format(count=len(sizes) - 1),
        _("build one nn.Linear(sizes[i], sizes[i + 1]) for every i from 0 to len(sizes) - 2: "
          "a list of n sizes makes n - 1 layers, one per consecutive pair, so check where your "
          "loop starts and stops"),
        cause="mlp:layer-count")


def mlp_parameters(info: ModuleInfo, sizes) -> dict:
    """The MLP's parameters by the contract's names, with feedback on containers and shapes."""
    params = info.parameters
    expected = mlp_names(sizes)
    layers = info.attributes.get("layers")
    container = info.submodule("layers")
    children = mlp_children(info)
    outside = sorted({n.rsplit(".", 1)[0] for n in params if not n.startswith("layers.")})
    if (container is not None and container.inherits(MODULELIST)
            and all(m.inherits(LINEAR) for _name, m in children)
            and len(children) < len(sizes) - 1 and outside
            and len(children) + len(outside) == len(sizes) - 1):
        raise CheckFailed(
            _("MLP({sizes}) keeps {count} of its layers in self.layers and the others outside "
              "self.layers, as {outside} (named_parameters() lists {listed})").format(
                sizes=list(sizes), count=len(children), outside=outside, listed=sorted(params)),
            _("every layer, the output layer included, in self.layers: {names}").format(
                names=expected),
            _("put all len(sizes) - 1 layers, the last one too, in the one nn.ModuleList "
              "self.layers, and apply the ReLU in forward after every layer but the last"),
            cause="mlp:layer-outside")
    if (container is not None and container.inherits(MODULELIST)
            and all(m.inherits(LINEAR) for _name, m in children)
            and len(children) != len(sizes) - 1):
        raise mlp_layer_count(sizes, len(children),
                              _("named_parameters() lists {listed}").format(
                                  listed=sorted(params) or _("nothing")))
    if not params and isinstance(layers, (list, tuple, dict)):
        raise CheckFailed(
            _("self.layers is a Python {type}: nn.Module does not look inside "
              "Python containers, so named_parameters() lists nothing and an optimizer built "
              "from model.parameters() has nothing to train").format(type=type(layers).__name__),
            _("named_parameters() listing {names}").format(names=expected),
            _("hold the layers in an nn.ModuleList assigned to self.layers: it registers each "
              "layer under its index, as a Python list cannot"), cause="mlp:python-container")
    indices = sorted({int(m.group(1)) for n in params
                      for m in [re.fullmatch(r"layers\.(\d+)\.(weight|bias)", n)] if m})
    contiguous = indices == list(range(len(indices))) and len(params) == 2 * len(indices)
    if contiguous and indices and len(indices) != len(sizes) - 1:
        raise mlp_layer_count(sizes, len(indices),
                              _("named_parameters() lists {listed}").format(listed=sorted(params)))
    expect(sorted(params) == sorted(expected),
           observed=_("{owner}.named_parameters() lists {listed}").format(
               owner=f"MLP({list(sizes)})", listed=sorted(params) or _("nothing")),
           expected=_("exactly {names}").format(names=sorted(expected)),
           fix=_("keep only the nn.Linear layers, in order, in an nn.ModuleList called "
                 "self.layers (the index in the list becomes part of the name) and apply ReLU in "
                 "forward (F.relu or torch.relu), not as entries of the list"),
           cause="mlp:names")
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        for kind, shape in (("weight", (n_out, n_in)), ("bias", (n_out,))):
            expect_shape(params[f"layers.{i}.{kind}"], shape, f"layers.{i}.{kind}",
                         _("layer {i} maps sizes[{i}]={n_in} to sizes[{next}]={n_out}: one "
                           "nn.Linear per consecutive pair of sizes").format(
                             i=i, next=i + 1, n_in=n_in, n_out=n_out))
    return params


def mlp_shapes(sizes) -> dict:
    """The contract's parameters of MLP(sizes), by name, with their shapes."""
    shapes = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        shapes[f"layers.{i}.weight"] = (n_out, n_in)
        shapes[f"layers.{i}.bias"] = (n_out,)
    return shapes


def expect_mlp_layers(model: Remote, sizes, generator: torch.Generator) -> dict:
    """Verified: state_dict() holds exactly the contract's names; values the judge loads come
    back; and `model.layers[i]` is the nn.Linear that holds layers.i.*: on an input of the
    judge's it gives x @ weight.T + bias with the values loaded. Returns those values."""
    shapes = mlp_shapes(sizes)
    fix = _("keep only the nn.Linear layers, in order, in an nn.ModuleList called "
            "self.layers (the index in the list becomes part of the name)")
    chosen = dict(zip(shapes, set_all(model, shapes, generator, f"MLP({list(sizes)})", fix)))
    expect_state_keys(model, list(shapes), f"MLP({list(sizes)})", fix)
    for i, (n_in, _n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        x = torch.randn(3, n_in, generator=generator)
        layer = model.get(f"layers.{i}", keep=True)
        expect(isinstance(layer, Remote) and layer.kind == "module",
               observed=_("model.layers[{i}] is not a module").format(i=i),
               expected=_("an nn.Linear"), fix=fix)
        expect_close(layer(x), x @ chosen[f"layers.{i}.weight"].T + chosen[f"layers.{i}.bias"],
                     what=_("model.layers[{i}](x) with the values loaded into "
                            "layers.{i}.weight and layers.{i}.bias").format(i=i), fix=fix)
    return chosen


def mlp_reference(params: dict, n_layers: int, x: torch.Tensor, *,
                  relu_after=lambda i, n: i < n - 1) -> torch.Tensor:
    """ReLU between the layers, none after the last, on the judge's copies of the parameters
    (`relu_after(i, n_layers)` says after which layers: a mistake's placement for diagnoses)."""
    h = x
    for i in range(n_layers):
        h = h @ params[f"layers.{i}.weight"].T + params[f"layers.{i}.bias"]
        if relu_after(i, n_layers):
            h = torch.relu(h)
    return h


def expect_mlp_output(output, params: dict, n_layers: int, x: torch.Tensor, *, what: str,
                      fix: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """The MLP's output on `x`; a ReLU after the last layer, or no ReLU at all, is named (with
    a cause every MLP check shares)."""

    def mistakes():
        yield (mlp_reference(params, n_layers, x, relu_after=lambda i, n: True),
               CheckFailed(_("{what} equals the computation with a ReLU after every layer, the "
                             "last one included: no output can be negative").format(what=what),
                           _("ReLU between layers only, none after the last layer"),
                           _("apply the ReLU after every layer except the last: the last layer's "
                             "outputs (scores, regression values) must be free to be negative"),
                           cause="mlp:relu-after-last"))
        yield (mlp_reference(params, n_layers, x, relu_after=lambda i, n: False),
               CheckFailed(_("{what} equals the computation without any ReLU: the layers are "
                             "applied one after the other with nothing between them").format(
                                 what=what),
                           _("a ReLU between consecutive layers"),
                           _("apply a ReLU (torch.relu or F.relu) to the output of every layer "
                             "but the last: without it the layers collapse into one linear map"),
                           cause="mlp:no-relu"))
        yield (mlp_reference(params, n_layers, torch.relu(x)),
               CheckFailed(_("{what} equals the computation with a ReLU on the input itself, "
                             "before the first layer: the input's negative values are lost").format(
                                 what=what),
                           _("the input given to the first layer as it is, a ReLU after each "
                             "layer but the last"),
                           _("apply the ReLU to the output of every layer but the last, never to "
                             "the input: x = layer(x), then x = relu(x) if it is not the last "
                             "layer"), cause="mlp:relu-on-input"))

    expect_output(output, mlp_reference(params, n_layers, x), mistakes(), what=what, fix=fix,
                  rtol=rtol, atol=atol)
