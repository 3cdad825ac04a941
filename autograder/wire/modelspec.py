"""Torch modules described as plain data, so that the judge can have one built on either side.

A grader that needs a model of its own (a model with a tied weight to count, a backbone with a
BatchNorm1d to freeze) writes a spec; the judge builds it with its own torch for its reference,
and asks the learner process to build the same spec there for the learner's code to act on.
Only the classes in `ALLOWED` can be built, with plain arguments:

    {"class": "Sequential", "children": [{"class": "Linear", "args": [5, 4]},
                                         {"class": "Tanh"}, {"class": "Linear", "args": [4, 3]}],
     "frozen": ["0"]}
    {"class": "Module", "children": {"embedding": {"class": "Embedding", "args": [11, 4]},
                                     "head": {"class": "Linear", "args": [4, 11]}},
     "share": [["head.weight", "embedding.weight"]]}
    {"class": "yolo.TinyYOLO", "kwargs": {"num_classes": 2}}

`children` (a list for Sequential/ModuleList, a dict for a bare Module), `share` (make the
attribute at the first path the very object at the second), `frozen` (requires_grad_(False) on
the parameters or modules at these paths) and `eval` (modules to put in eval mode) are applied
in that order.
"""
from __future__ import annotations

import importlib

import torch
from torch import nn


class SpecError(ValueError):
    """A spec that names a class outside the allowlist or is malformed (a bug in a grader)."""


def _torch(name):
    return lambda *args, **kwargs: getattr(nn, name)(*args, **kwargs)


def _helper(module, name):
    def build(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)
    return build


ALLOWED = {
    **{name: _torch(name) for name in (
        "Linear", "Identity", "ReLU", "Tanh", "SiLU", "Sigmoid", "Dropout", "Flatten",
        "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "Conv1d",
        "Conv2d", "Embedding")},
    **{f"yolo.{name}": _helper("yolo", name) for name in ("TinyYOLO", "ConvBNAct", "CSPBlock")},
}
CONTAINERS = ("Module", "Sequential", "ModuleList")
_PLAIN = (bool, int, float, str, type(None))


def _plain(values, what: str):
    for value in values:
        if type(value) not in _PLAIN:
            raise SpecError(f"{what}: only plain arguments are allowed, not {type(value).__name__}")
    return values


def resolve(root: nn.Module, path: str):
    """The submodule, parameter or buffer at a dotted `path` ("" is the root)."""
    target = root
    for part in filter(None, path.split(".")):
        if isinstance(target, nn.Module) and part in target._modules:
            target = target._modules[part]
        elif isinstance(target, nn.Module) and part in target._parameters:
            target = target._parameters[part]
        elif isinstance(target, nn.Module) and part in target._buffers:
            target = target._buffers[part]
        else:
            raise SpecError(f"no submodule, parameter or buffer at {path!r}")
    return target


def build(spec: dict) -> nn.Module:
    if type(spec) is not dict or type(spec.get("class")) is not str:
        raise SpecError("a spec is a dict with a 'class'")
    unknown = set(spec) - {"class", "args", "kwargs", "children", "share", "frozen", "eval"}
    if unknown:
        raise SpecError(f"unknown spec keys {sorted(unknown)}")
    name = spec["class"]
    children = spec.get("children", [])
    if "children" in spec and name not in CONTAINERS:
        raise SpecError(f"{name!r} takes no children (only {', '.join(CONTAINERS)} do)")
    if name in CONTAINERS:
        if name == "Module":
            if type(children) is not dict:
                raise SpecError("a Module's children are a dict")
            module = nn.Module()
            for child_name, child in children.items():
                if not str(child_name).isidentifier():
                    raise SpecError(f"bad child name {child_name!r}")
                setattr(module, child_name, build(child))
        else:
            if type(children) is not list:
                raise SpecError(f"a {name}'s children are a list")
            module = getattr(nn, name)([build(c) for c in children]) if name == "ModuleList" \
                else nn.Sequential(*[build(c) for c in children])
    elif name in ALLOWED:
        args, kwargs = spec.get("args", []), spec.get("kwargs", {})
        if type(args) not in (list, tuple) or type(kwargs) is not dict or \
                not all(type(k) is str for k in kwargs):
            raise SpecError(f"{name}: args are a list, kwargs a dict with str keys")
        args = _plain(list(args), name)
        _plain(kwargs.values(), name)
        module = ALLOWED[name](*args, **kwargs)
    else:
        raise SpecError(f"{name!r} is not a class specs may build")
    share = spec.get("share", [])
    if type(share) is not list or not all(
            type(pair) in (list, tuple) and len(pair) == 2 for pair in share):
        raise SpecError("share is a list of [target, source] path pairs")
    for target, source in share:
        parent_path, _, attribute = str(target).rpartition(".")
        setattr(resolve(module, parent_path), attribute, resolve(module, str(source)))
    for path in spec.get("frozen", []):
        resolve(module, str(path)).requires_grad_(False)
    for path in spec.get("eval", []):
        resolve(module, str(path)).eval()
    return module


def build_seeded(spec: dict, seed: int | None) -> nn.Module:
    """`build(spec)` with torch's generator seeded first, so both sides get the same weights."""
    if seed is not None:
        torch.manual_seed(seed)
    return build(spec)
