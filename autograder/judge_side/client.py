"""The graders' view of a submission: requests to the learner side, answers as plain data.

Every check receives a `Learner` (the `submission` fixture). It can look a name up, create
objects from the classes the submission defined, call them, read attributes and describe
modules and optimizers; what comes back is plain data (numbers, short strings, tensors that the
judge owns) or a `Remote`, a handle on an object that stays with the learner's code. A check
compares that data with references it computes itself: it never holds a learner object.

Two transports carry the requests (`transport`): to the learner process, or within the
learner's own kernel. The rest lives beside this module and is re-exported here for the graders:
`text` (cleaning what comes back), `evidence` (what learner code raised: `LearnerError`,
`LearnerGone`, `MissingName`, `Evidence`), `descriptions` (`TensorInfo`, `ModuleInfo`,
`OptimizerInfo`, `ClassInfo`, their bounds).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from autograder.config import MAX_DIMS, MAX_ITEMS, MAX_MODULE_ELEMENTS, MAX_SHAPE_ELEMENTS, MAX_TEXT
from autograder.i18n import _
from autograder.judge_side.checks import CheckFailed
from autograder.judge_side.descriptions import (ClassInfo, GroupInfo, ModuleInfo, OptimizerInfo,
                                                OversizedTensor, SubmoduleInfo, TensorInfo, _get,
                                                _mro, bounded_shape)
from autograder.judge_side.evidence import Evidence, Frame, LearnerError, LearnerGone, MissingName
from autograder.judge_side.text import clean
from autograder.judge_side.transport import LocalTransport, PipeTransport
from autograder.wire import modelspec
from autograder.wire.protocol import Opaque, Oversized, ProtocolError, Ref

# What the graders (autograder/graders/*/) and the engine import from here.
__all__ = [
    "MAX_DIMS", "MAX_ITEMS", "MAX_MODULE_ELEMENTS", "MAX_SHAPE_ELEMENTS", "MAX_TEXT", "Answer",
    "CheckFailed", "ClassInfo", "Evidence", "Frame", "GroupInfo", "Learner", "LearnerError",
    "LearnerGone", "LocalTransport", "MissingName", "ModuleInfo", "OptimizerInfo",
    "OversizedTensor", "PipeTransport", "Remote", "SubmoduleInfo", "TensorInfo",
    "bounded_shape", "clean", "reference_model",
]

# -- requests and answers --------------------------------------------------------------------------


def _plain(value, learner: "Learner"):
    """Decoded data, with every string cleaned and references wrapped as `Remote`s."""
    kind = type(value)
    if kind is str:
        return clean(value)
    if kind is list:
        return [_plain(v, learner) for v in value]
    if kind is tuple:
        return tuple(_plain(v, learner) for v in value)
    if kind is dict:
        return {clean(k, 200): _plain(v, learner) for k, v in value.items()}
    if kind is Ref:
        return Remote(learner, Ref(value.id, value.kind, clean(value.type, 100),
                                   tuple(clean(m, 200) for m in value.mro)))
    if kind is Opaque:
        return Opaque(clean(value.type, 100), clean(value.text, 200))
    if isinstance(value, torch.Tensor):   # a meta tensor's shape is any size, a value's up to 64 MiB
        bounded_shape(tuple(value.shape))
    if kind is Oversized:
        raise OversizedTensor(value.shape)
    return value


def _wire(value):
    """A request as it travels: handles on learner objects become their references."""
    if isinstance(value, Remote):
        return value.ref
    if type(value) in (list, tuple):
        return type(value)(_wire(v) for v in value)
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


# -- the API -------------------------------------------------------------------------------------------


@dataclass
class Answer:
    """A call's full answer: its value, and the dispatcher operators it ran (when watched)."""

    value: object
    ops: tuple[str, ...] = ()


class Remote:
    """A handle on an object in the learner process. Nothing about it runs learner code in
    the judge: each method is a request, each result plain data."""

    def __init__(self, learner: "Learner", ref: Ref):
        self._learner, self.ref = learner, ref

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def type(self) -> str:
        return self.ref.type

    @property
    def mro(self) -> tuple[str, ...]:
        return self.ref.mro

    def inherits(self, qualified: str) -> bool:
        return qualified in self.ref.mro

    def same(self, other) -> bool:
        """Whether `other` is a handle on the very same object."""
        return isinstance(other, Remote) and other.ref.id == self.ref.id

    def __repr__(self) -> str:
        return f"<learner {self.kind} {self.type}>"

    def __call__(self, *args, **kwargs):
        return self.call(*args, **kwargs).value

    def call(self, *args, method: str | None = None, seed: int | None = None,
             keep: bool = False, watch: bool = False, no_grad: bool = False,
             action: str | None = None, **kwargs) -> Answer:
        answer = self._learner.request(
            {"op": "call", "target": self.ref.id, "method": method, "args": list(args),
             "kwargs": kwargs, "seed": seed, "keep": keep, "watch": watch, "no_grad": no_grad},
            action or _("calling {target}").format(
                target=f"{self.type}{'.' + method if method else ''}"))
        ops = answer.get("ops", [])
        if type(ops) is not list or not all(type(o) is str for o in ops):
            raise LearnerGone("a malformed list of operators")
        return Answer(answer.get("value"), tuple(ops))

    def method(self, name: str, *args, **kwargs):
        return self.call(*args, method=name, **kwargs).value

    def get(self, path: str, keep: bool = False):
        answer = self._learner.request({"op": "get", "target": self.ref.id, "path": path,
                                        "keep": keep}, _("reading .{path}").format(path=path))
        return answer.get("value")

    def describe(self, values: bool = True):
        raw = self._learner.request({"op": "describe", "target": self.ref.id,
                                     "values": values}, _("describing {type}").format(type=self.type))
        info = raw.get("info")
        kind = info.get("kind") if type(info) is dict else None
        try:
            if kind == "module":
                return ModuleInfo.parse(info)
            if kind == "optimizer":
                return OptimizerInfo.parse(info)
            if kind == "tensor":
                return TensorInfo.parse(info)
            if kind == "class":
                methods = _get(info, "methods", dict, {})
                return ClassInfo(_get(info, "name", str), _mro(info),
                                 {k: v for k, v in methods.items() if type(v) is str})
            if kind == "object":
                return ClassInfo(_get(info, "type", str), _mro(info))
        except (ProtocolError, KeyError, TypeError) as exc:
            raise LearnerGone(f"a malformed description ({exc})") from None
        raise LearnerGone("a description of an unknown kind")

    def state_dict(self) -> dict[str, torch.Tensor]:
        """nn.Module.state_dict() of the object, as nn.Module records it."""
        value = self._learner.request({"op": "state_dict", "target": self.ref.id},
                                      _("reading state_dict()")).get("value")
        if type(value) is not dict or not all(isinstance(v, torch.Tensor) for v in value.values()):
            raise LearnerGone("a state_dict that is not a dict of tensors")
        return value

    def load_state_dict(self, state: dict, strict: bool = True) -> tuple[list, list]:
        """nn.Module.load_state_dict on the object; raises LearnerError when loading fails."""
        answer = self._learner.request({"op": "load_state_dict", "target": self.ref.id,
                                        "state": state, "strict": strict},
                                       _("loading a state_dict"))
        return list(answer.get("missing", [])), list(answer.get("unexpected", []))


class Learner:
    """What the submission defined, as the graders may see it."""

    def __init__(self, transport, *, sources: dict[int, str] | None = None,
                 cell_errors: tuple[Evidence, ...] = (), labels: dict[int, str] | None = None):
        self.transport = transport
        self.sources = dict(sources or {})          # code cell index -> source, as the judge read it
        self.labels = dict(labels or {})            # code cell index -> "cell 12 [7]"
        self.cell_errors = tuple(cell_errors)

    # low level ----------------------------------------------------------------------------------
    def request(self, message: dict, action: str):
        answer = self.transport.request(_wire(message))
        if type(answer) is not dict:
            raise LearnerGone("an answer that is not a dict")
        answer = _plain(answer, self)
        if "error" in answer:
            try:
                evidence = Evidence.parse(answer["error"], self.labels)
            except ProtocolError as exc:
                raise LearnerGone(str(exc)) from None
            raise LearnerError(evidence, action)
        return answer

    # names the submission defined -------------------------------------------------------------------
    def lookup(self, name: str):
        """The value of a name the submission defined (a `Remote` for classes and functions)."""
        answer = self.request({"op": "lookup", "name": name},
                              _("looking up `{name}`").format(name=name))
        if not answer.get("defined"):
            hint = _("Run the cell that defines it.")
            if self.cell_errors:
                first = self.cell_errors[0]
                where = (first.frames[-1].place() if first.frames
                         else self.labels.get(first.cell) or
                         _("code cell {number}").format(number=first.cell))
                hint = _("A cell raised an error before it could be defined: {where}: {error}. "
                         "Fix that cell first.").format(where=where, error=first.error)
            raise MissingName(_("`{name}` is not defined").format(name=name),
                              _("your notebook to define `{name}`").format(name=name), hint)
        return answer.get("value")

    def function(self, name: str) -> Remote:
        value = self.lookup(name)
        if not isinstance(value, Remote) or value.kind not in ("function", "class"):
            kind = value.type if isinstance(value, Remote) else type(value).__name__
            raise CheckFailed(_("`{name}` is a {kind}, not a function").format(name=name, kind=kind),
                              _("`{name}` defined with def or class").format(name=name),
                              _("define `{name}` as the exercise asks").format(name=name))
        return value

    def new(self, name: str, *args, seed: int | None = None, **kwargs) -> Remote:
        """`name(*args, **kwargs)` in the learner process; the object stays there."""
        factory = self.function(name)
        value = factory.call(*args, seed=seed, keep=True, action=_("creating {name}(...)").format(name=name),
                             **kwargs).value
        if not isinstance(value, Remote):
            raise LearnerGone("an object reference was expected")
        return value

    def call(self, name: str, *args, **kwargs):
        return self.function(name)(*args, **kwargs)

    def build(self, spec: dict, seed: int | None = None) -> Remote:
        """A module of the kit's own (see modelspec), built in the learner process."""
        return self.request({"op": "build", "spec": spec, "seed": seed},
                            _("building the grader's model"))["value"]

    def tensor(self, value: torch.Tensor) -> Remote:
        """A copy of `value` that lives in the learner process (requires_grad kept)."""
        return self.request({"op": "tensor", "value": value}, _("sending a tensor"))["value"]

    def instrument(self, name: str, action: str, **params):
        return self.request({"op": "instrument", "name": name, "params": params},
                            action).get("value")


def reference_model(spec: dict, seed: int | None = None):
    """The judge's own copy of a spec's model, for references (built once per class:
    `references.model`)."""
    from autograder.judge_side import references

    return references.model(spec, seed, modelspec.build_seeded)
