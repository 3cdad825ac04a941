"""autograder/wire/modelspec.py on its own (issue 22, item 5): a spec builds the module it
describes (classes, arguments, children, shared weights, frozen parameters, eval mode, seeded
weights identical on both sides), and a spec outside the allowlist or malformed is refused with
a SpecError that says what is wrong."""
from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from autograder.wire import modelspec
from autograder.wire.modelspec import ALLOWED, SpecError, build, build_seeded, resolve
from autograder.wire.protocol import FRAME, decode, encode

from kit import REPO

MLP = {"class": "Sequential", "children": [{"class": "Linear", "args": [5, 4]},
                                           {"class": "Tanh"}, {"class": "Linear", "args": [4, 3]}],
       "frozen": ["0"]}
TIED = {"class": "Module", "children": {"embedding": {"class": "Embedding", "args": [11, 4]},
                                        "head": {"class": "Linear", "args": [4, 11]}},
        "share": [["head.weight", "embedding.weight"]]}

# One spec per torch class the allowlist names, and what the module built must be.
TORCH_CASES = {
    "Linear": ({"args": [3, 2], "kwargs": {"bias": False}},
               lambda m: m.weight.shape == (2, 3) and m.bias is None),
    "Identity": ({}, lambda m: True),
    "ReLU": ({"kwargs": {"inplace": True}}, lambda m: m.inplace),
    "Tanh": ({}, lambda m: True),
    "SiLU": ({}, lambda m: True),
    "Sigmoid": ({}, lambda m: True),
    "Dropout": ({"args": [0.25]}, lambda m: m.p == 0.25),
    "Flatten": ({"kwargs": {"start_dim": 2}}, lambda m: m.start_dim == 2),
    "BatchNorm1d": ({"args": [6], "kwargs": {"momentum": None}},
                    lambda m: m.num_features == 6 and m.momentum is None),
    "BatchNorm2d": ({"args": [3], "kwargs": {"track_running_stats": False}},
                    lambda m: m.running_mean is None),
    "BatchNorm3d": ({"args": [2], "kwargs": {"affine": False}}, lambda m: m.weight is None),
    "LayerNorm": ({"args": [7]}, lambda m: m.normalized_shape == (7,)),
    "GroupNorm": ({"args": [2, 4]}, lambda m: (m.num_groups, m.num_channels) == (2, 4)),
    "Conv1d": ({"args": [2, 3, 5]}, lambda m: m.weight.shape == (3, 2, 5)),
    "Conv2d": ({"args": [3, 8, 3], "kwargs": {"stride": 2, "padding": 1}},
               lambda m: m.weight.shape == (8, 3, 3, 3) and m.stride == (2, 2)),
    "Embedding": ({"args": [10, 3], "kwargs": {"padding_idx": 0}},
                  lambda m: m.weight.shape == (10, 3) and m.padding_idx == 0),
}


def test_every_allowed_torch_class_has_a_case_here():
    assert set(TORCH_CASES) == {n for n in ALLOWED if not n.startswith("yolo.")}


@pytest.mark.parametrize("name", sorted(TORCH_CASES))
def test_each_allowed_class_builds_with_its_arguments(name):
    extra, holds = TORCH_CASES[name]
    module = build({"class": name, **extra})
    assert type(module) is getattr(nn, name)
    assert holds(module), module


def test_a_sequential_builds_its_children_in_order_and_freezes_what_it_names():
    model = build(MLP)
    assert type(model) is nn.Sequential
    assert [type(m) for m in model] == [nn.Linear, nn.Tanh, nn.Linear]
    assert (model[0].in_features, model[0].out_features, model[2].out_features) == (5, 4, 3)
    assert {n: p.requires_grad for n, p in model.named_parameters()} == {
        "0.weight": False, "0.bias": False, "2.weight": True, "2.bias": True}
    assert model(torch.zeros(2, 5)).shape == (2, 3)


def test_a_module_list_and_a_bare_module_hold_their_children():
    listed = build({"class": "ModuleList", "children": [{"class": "ReLU"}, {"class": "Identity"}]})
    assert type(listed) is nn.ModuleList and [type(m) for m in listed] == [nn.ReLU, nn.Identity]
    bare = build({"class": "Module", "children": {"body": MLP, "norm": {"class": "LayerNorm",
                                                                         "args": [3]}}})
    assert type(bare) is nn.Module and list(bare._modules) == ["body", "norm"]
    assert type(bare.body[2]) is nn.Linear and not bare.body[0].weight.requires_grad
    assert build({"class": "Sequential"}).__len__() == 0


def test_a_shared_weight_is_one_parameter_under_two_names():
    model = build(TIED)
    assert model.head.weight is model.embedding.weight
    assert len(list(model.parameters())) == 2          # the shared weight and the head's bias
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "embedding.weight", "head.weight", "head.bias"]


def test_sharing_comes_before_freezing_and_eval_applies_to_the_modules_named():
    spec = {**TIED, "frozen": ["embedding.weight"], "eval": ["head"]}
    model = build(spec)
    assert not model.head.weight.requires_grad and model.head.bias.requires_grad
    assert not model.head.training and model.embedding.training and model.training


def test_a_frozen_module_path_freezes_each_of_its_parameters():
    model = build({"class": "Sequential", "children": [MLP, {"class": "BatchNorm1d", "args": [3]}],
                   "frozen": ["1"], "eval": ["1"]})
    assert [p.requires_grad for p in model[1].parameters()] == [False, False]
    assert model[0][2].weight.requires_grad and not model[1].training


def test_resolve_finds_modules_parameters_and_buffers():
    model = build({"class": "Sequential", "children": [MLP, {"class": "BatchNorm1d", "args": [3]}]})
    assert resolve(model, "") is model
    assert resolve(model, "0.2") is model[0][2]
    assert resolve(model, "0.2.weight") is model[0][2].weight
    assert resolve(model, "1.running_mean") is model[1].running_mean
    for missing in ("2", "0.9", "0.2.gradient", "1.running_mean.x"):
        with pytest.raises(SpecError, match="no submodule, parameter or buffer"):
            resolve(model, missing)


def test_the_same_seed_builds_the_same_weights_and_another_seed_others():
    a, b, c = build_seeded(MLP, 3), build_seeded(MLP, 3), build_seeded(MLP, 4)
    for (name, x), (_, y), (_, z) in zip(a.state_dict().items(), b.state_dict().items(),
                                         c.state_dict().items()):
        assert torch.equal(x, y), name
        assert not torch.equal(x, z), name


def test_no_seed_leaves_the_generator_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    build_seeded({"class": "Tanh"}, None)     # draws nothing, seeds nothing
    assert torch.equal(torch.rand(3), expected)


def test_a_spec_is_plain_data_that_builds_the_same_model_after_the_wire():
    wire = encode(TIED)
    total, header = FRAME.unpack_from(wire)
    spec = decode(memoryview(wire)[FRAME.size:], header)
    assert spec == TIED
    here, there = build_seeded(TIED, 7), build_seeded(spec, 7)
    assert there.head.weight is there.embedding.weight
    assert all(torch.equal(x, y) for x, y in zip(here.state_dict().values(),
                                                 there.state_dict().values()))


def test_the_freeze_helpers_build_from_the_released_yolo_file(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO / "assignments" / "freeze"))
    monkeypatch.delitem(sys.modules, "yolo", raising=False)
    try:
        model = build_seeded({"class": "yolo.TinyYOLO", "kwargs": {"num_classes": 2}}, 0)
        yolo = sys.modules["yolo"]
        assert type(model) is yolo.TinyYOLO
        assert str(REPO / "assignments" / "freeze") in yolo.__file__
        assert isinstance(model, nn.Module) and sum(p.numel() for p in model.parameters()) > 0
    finally:
        sys.modules.pop("yolo", None)


# -- refused -------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, why", [
    (None, "a spec is a dict with a 'class'"),
    (["Linear"], "a spec is a dict with a 'class'"),
    ({"args": [1, 2]}, "a spec is a dict with a 'class'"),
    ({"class": nn.Linear}, "a spec is a dict with a 'class'"),
    ({"class": "Linear", "args": [1, 2], "init": "zeros"}, "unknown spec keys ['init']"),
    ({"class": "Conv3d", "args": [1, 1, 1]}, "'Conv3d' is not a class specs may build"),
    ({"class": "torch.nn.Linear", "args": [1, 1]}, "is not a class specs may build"),
    ({"class": "os.system", "args": ["true"]}, "'os.system' is not a class specs may build"),
    ({"class": "__import__", "args": ["os"]}, "is not a class specs may build"),
    ({"class": "yolo.Evil"}, "'yolo.Evil' is not a class specs may build"),
    ({"class": "linear"}, "is not a class specs may build"),
    ({"class": "Module", "children": [{"class": "ReLU"}]}, "a Module's children are a dict"),
    ({"class": "Sequential", "children": {"a": {"class": "ReLU"}}},
     "a Sequential's children are a list"),
    ({"class": "ModuleList", "children": "ReLU"}, "a ModuleList's children are a list"),
    ({"class": "Module", "children": {"a.b": {"class": "ReLU"}}}, "bad child name 'a.b'"),
    ({"class": "Module", "children": {"": {"class": "ReLU"}}}, "bad child name ''"),
    ({"class": "Sequential", "children": [{"class": "ReLU"}, {"class": "Eval"}]},
     "'Eval' is not a class specs may build"),
    ({"class": "Linear", "args": [torch.tensor(3), 2]},
     "only plain arguments are allowed, not Tensor"),
    ({"class": "Linear", "args": [[3], 2]}, "only plain arguments are allowed, not list"),
    ({"class": "Linear", "args": [3, 2], "kwargs": {"bias": {"a": 1}}},
     "only plain arguments are allowed, not dict"),
    ({"class": "Linear", "args": [3, 2], "kwargs": {"device": torch.device("meta")}},
     "only plain arguments are allowed, not device"),
    ({**TIED, "share": [["head.weight", "embedding.bias"]]},
     "no submodule, parameter or buffer at 'embedding.bias'"),
    ({**TIED, "share": [["tail.weight", "embedding.weight"]]},
     "no submodule, parameter or buffer at 'tail'"),
    ({**MLP, "frozen": ["3"]}, "no submodule, parameter or buffer at '3'"),
    ({"class": "Linear", "args": "34"}, "Linear: args are a list, kwargs a dict with str keys"),
    ({"class": "Linear", "args": [3, 4], "kwargs": [["bias", False]]},
     "Linear: args are a list, kwargs a dict with str keys"),
    ({"class": "Linear", "args": [3, 4], "kwargs": {1: False}},
     "Linear: args are a list, kwargs a dict with str keys"),
    ({"class": "Linear", "args": [3, 4], "children": [{"class": "ReLU"}]},
     "'Linear' takes no children (only Module, Sequential, ModuleList do)"),
    ({**TIED, "share": [["head.weight"]]}, "share is a list of [target, source] path pairs"),
    ({**TIED, "share": ["head.weight", "embedding.weight"]},
     "share is a list of [target, source] path pairs"),
    ({**TIED, "share": {"head.weight": "embedding.weight"}},
     "share is a list of [target, source] path pairs"),
    ({**MLP, "eval": ["0.running_mean"]}, "no submodule, parameter or buffer at '0.running_mean'"),
])
def test_a_bad_spec_is_refused_saying_why(spec, why):
    with pytest.raises(SpecError) as error:
        build(spec)
    assert why in str(error.value)


def test_tuples_from_the_wire_are_accepted_where_lists_are():
    model = build({"class": "Module", "children": {"a": {"class": "Linear", "args": (2, 3)},
                                                   "b": {"class": "Linear", "args": (2, 3)}},
                   "share": [("b", "a")]})
    assert model.a is model.b and model.a.weight.shape == (3, 2)


def test_a_spec_error_is_a_value_error():
    # The learner server answers a grader's bad spec like any failed request (a ValueError).
    assert issubclass(SpecError, ValueError)


def test_refused_specs_build_nothing_of_their_own(monkeypatch):
    # The allowlist is all that can be built: a name that reaches `nn` or `importlib` otherwise
    # is never looked up.
    looked_up = []
    monkeypatch.setattr(modelspec.importlib, "import_module",
                        lambda name: looked_up.append(name) or pytest.fail(name))
    for name in ("os.path", "yolo", "yolo.", "builtins.eval"):
        with pytest.raises(SpecError):
            build({"class": name})
    assert looked_up == []
