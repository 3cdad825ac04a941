"""What the learner side describes of its objects, checked as it is read: tensors, modules,
optimizers and classes as plain, bounded data (`TensorInfo`, `ModuleInfo`, `OptimizerInfo`,
`ClassInfo`). Every shape is bounded before a grader may allocate from it (`bounded_shape`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from autograder.config import MAX_DIMS, MAX_ITEMS, MAX_MODULE_ELEMENTS, MAX_SHAPE_ELEMENTS
from autograder.i18n import _
from autograder.judge_side.checks import CheckFailed
from autograder.wire.protocol import ProtocolError


class OversizedTensor(CheckFailed):
    """The learner side described a tensor larger than any check needs."""

    def __init__(self, shape: tuple):
        super().__init__(
            _("a tensor of shape {shape} ({count} elements) came back from your code").format(
                shape=shape[:MAX_DIMS], count=_count(shape)),
            _("tensors of at most {limit} elements (the exercise's tensors are far smaller)").format(
                limit=MAX_SHAPE_ELEMENTS),
            _("create your tensors with the sizes the exercise passes to your code"))


def _count(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def bounded_shape(shape) -> tuple[int, ...]:
    """A shape from the learner side, checked before anything is sized by it."""
    if (type(shape) not in (list, tuple) or len(shape) > MAX_DIMS
            or not all(type(n) is int and 0 <= n < (1 << 31) for n in shape)):
        raise ProtocolError("a malformed shape")
    shape = tuple(shape)
    if _count(shape) > MAX_SHAPE_ELEMENTS:
        raise OversizedTensor(shape)
    return shape


def _get(raw: dict, key: str, kind, default=None):
    value = raw.get(key, default)
    if kind is not None and not isinstance(value, kind):
        raise ProtocolError(f"a description with a malformed {key!r}")
    if isinstance(value, (list, dict)) and len(value) > MAX_ITEMS:
        raise ProtocolError(f"a description whose {key!r} has over {MAX_ITEMS} entries")
    return value


@dataclass(frozen=True)
class TensorInfo:
    id: int
    type: str
    shape: tuple[int, ...]
    dtype: str
    device: str
    requires_grad: bool
    is_leaf: bool
    is_parameter: bool
    grad_fn: str | None
    has_grad: bool
    value: torch.Tensor | None = None
    grad: torch.Tensor | None = None
    persistent: bool | None = None

    @classmethod
    def parse(cls, raw) -> "TensorInfo":
        if type(raw) is not dict:
            raise ProtocolError("a malformed tensor description")
        shape = bounded_shape(_get(raw, "shape", list))
        value, grad = raw.get("value"), raw.get("grad")
        for t in (value, grad):
            if t is not None and not isinstance(t, torch.Tensor):
                raise ProtocolError("a tensor description whose values are not a tensor")
        grad_fn = raw.get("grad_fn")
        persistent = raw.get("persistent")
        return cls(_get(raw, "id", int), _get(raw, "type", str), shape,
                   _get(raw, "dtype", str), _get(raw, "device", str),
                   _get(raw, "requires_grad", bool), _get(raw, "is_leaf", bool),
                   _get(raw, "is_parameter", bool),
                   grad_fn if type(grad_fn) is str else None, _get(raw, "has_grad", bool),
                   value, grad, persistent if type(persistent) is bool else None)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class SubmoduleInfo:
    id: int
    type: str
    bases: tuple[str, ...]     # qualified names of the class and those it inherits from
    training: bool

    def inherits(self, qualified: str) -> bool:
        return qualified in self.bases


def _mro(raw) -> tuple[str, ...]:
    mro = _get(raw, "mro", list)
    if not all(type(m) is str for m in mro):
        raise ProtocolError("a malformed list of base classes")
    return tuple(mro)


@dataclass
class ModuleInfo:
    """A module as nn.Module recorded it: parameters, buffers, submodules, attributes."""

    id: int
    type: str
    bases: tuple[str, ...]
    training: bool
    parameter_list: list[tuple[str, TensorInfo]]   # every name, shared parameters under each
    none_parameters: list[str]
    buffers: dict[str, TensorInfo]
    modules: list[tuple[str, SubmoduleInfo]]
    attributes: dict[str, object]
    state_dict_keys: list[str]

    @classmethod
    def parse(cls, raw) -> "ModuleInfo":
        if type(raw) is not dict or raw.get("kind") != "module":
            raise ProtocolError("a malformed module description")

        def pairs(key, parse):
            out = []
            for item in _get(raw, key, list):
                if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                    raise ProtocolError(f"a malformed {key} entry")
                out.append((item[0], parse(item[1])))
            return out

        def submodule(entry):
            if type(entry) is not dict:
                raise ProtocolError("a malformed submodule")
            return SubmoduleInfo(_get(entry, "id", int), _get(entry, "type", str), _mro(entry),
                                 _get(entry, "training", bool))

        attributes = {}
        for name, entry in _get(raw, "attributes", dict).items():
            if type(entry) is not dict:
                raise ProtocolError("a malformed attribute")
            attributes[name] = (TensorInfo.parse(entry["tensor"]) if "tensor" in entry
                                else entry.get("value"))
        none = _get(raw, "none_parameters", list)
        keys = _get(raw, "state_dict", list)
        if not all(type(n) is str for n in none + keys):
            raise ProtocolError("a malformed list of names")
        parameters, buffers = pairs("parameters", TensorInfo.parse), pairs("buffers", TensorInfo.parse)
        # Every entry counts (a shared parameter under each name: ids are the learner's word).
        total = sum(t.numel for t in [*(t for _, t in parameters + buffers),
                                      *(a for a in attributes.values() if isinstance(a, TensorInfo))])
        if total > MAX_MODULE_ELEMENTS:
            raise CheckFailed(
                _("the module's tensors hold {count} elements together").format(count=total),
                _("at most {limit} elements (the exercise's models are far smaller)").format(
                    limit=MAX_MODULE_ELEMENTS),
                _("create your tensors with the sizes the exercise passes to your code"))
        return cls(_get(raw, "id", int), _get(raw, "type", str), _mro(raw),
                   _get(raw, "training", bool), parameters, none, dict(buffers),
                   pairs("modules", submodule), attributes, keys)

    @property
    def parameters(self) -> dict[str, TensorInfo]:
        """By name, each shared parameter once under its first name (as named_parameters())."""
        seen, out = set(), {}
        for name, info in self.parameter_list:
            if info.id not in seen:
                seen.add(info.id)
                out[name] = info
        return out

    def submodule(self, name: str) -> SubmoduleInfo | None:
        return next((m for n, m in self.modules if n == name), None)

    def inherits(self, qualified: str) -> bool:
        return qualified in self.bases


@dataclass(frozen=True)
class GroupInfo:
    params: tuple[int, ...]
    options: dict


@dataclass
class OptimizerInfo:
    id: int
    type: str
    bases: tuple[str, ...]
    groups: list[GroupInfo]

    @classmethod
    def parse(cls, raw) -> "OptimizerInfo":
        if type(raw) is not dict or raw.get("kind") != "optimizer":
            raise ProtocolError("a malformed optimizer description")
        groups = []
        for group in _get(raw, "groups", list):
            if type(group) is not dict:
                raise ProtocolError("a malformed parameter group")
            params = _get(group, "params", list)
            if not all(type(p) is int for p in params):
                raise ProtocolError("a malformed parameter group")
            groups.append(GroupInfo(tuple(params), _get(group, "options", dict)))
        return cls(_get(raw, "id", int), _get(raw, "type", str), _mro(raw), groups)

    def inherits(self, qualified: str) -> bool:
        return qualified in self.bases


@dataclass(frozen=True)
class ClassInfo:
    name: str
    bases: tuple[str, ...]
    methods: dict = field(default_factory=dict)   # name -> "<module>.<qualified name>" of its function

    def inherits(self, qualified: str) -> bool:
        return qualified in self.bases
