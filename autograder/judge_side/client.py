"""The graders' view of a submission: requests to the learner side, answers as plain data.

Every check receives a `Learner` (the `submission` fixture). It can look a name up, create
objects from the classes the submission defined, call them, read attributes and describe
modules and optimizers; what comes back is plain data (numbers, short strings, tensors that the
judge owns) or a `Remote`, a handle on an object that stays with the learner's code. A check
compares that data with references it computes itself: it never holds a learner object.

Two transports carry the requests:

* `PipeTransport`: over a socket to the learner process (the engine: `grade`, `grade-all`,
  Gradescope). The judge runs in another process and decodes nothing but plain data.
* `LocalTransport`: in the learner's own kernel (the check cells in JupyterLab and under
  nbgrader). Requests still go through the same encoding, so both give the same verdicts, but
  there is no boundary: learner code there can reach the checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import torch

from autograder.wire import modelspec
from autograder.judge_side.checks import CheckFailed
from autograder.i18n import _
from autograder.wire.protocol import Channel, Opaque, Oversized, ProtocolError, Ref, decode, encode, FRAME

# -- text from the learner side -------------------------------------------------------------------

_BLOB = re.compile(r"[A-Za-z0-9+/=_\-]{64,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")   # not text: no UTF-8 writer takes one
MAX_TEXT = 300
# Elements in any tensor or shape the learner side describes, before a grader sees it: graders
# allocate from described shapes (`torch.randn(info.shape)`), so a shape over this bound fails
# the check (`OversizedTensor`) instead of costing the judge its size. 4 Mi elements (16 MiB as
# float32) is a hundred times any tensor the exercises make.
MAX_SHAPE_ELEMENTS = 1 << 22
MAX_DIMS = 8


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


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """A string from the learner side, safe to quote: valid text (a lone surrogate becomes
    U+FFFD), no control characters, no long encoded blobs (base64, hex), at most `limit`
    characters."""
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("?", text))
    text = _BLOB.sub("[long token removed]", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


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


# -- what learner code raised ---------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    line: int
    function: str
    cell: int | None = None        # engine: position among the notebook's code cells
    execution: int | None = None   # JupyterLab: the cell's execution count [n]
    file: str | None = None        # a module of the learner's own
    label: str | None = None       # engine: how the judge names that cell ("cell 12 [7]")

    def place_of_line(self) -> str:
        """"cell 12 [7], line 3": the cell (or file) and the line."""
        if self.cell is not None:
            where = self.label or _("code cell {number}").format(number=self.cell)
        elif self.execution is not None:
            where = _("cell [{count}]").format(count=self.execution)
        else:
            where = str(self.file)
        return _("{where}, line {line}").format(where=where, line=self.line)

    def place(self) -> str:
        """"cell 12 [7], line 3, in forward"."""
        if self.function == "<module>":
            return self.place_of_line()
        return _("{where}, in {function}").format(where=self.place_of_line(),
                                                   function=self.function)


_FUNCTION = re.compile(r"[\w.<>]{1,80}")


def _frame(raw, labels: dict | None = None) -> Frame:
    if type(raw) is not dict or type(raw.get("line")) is not int:
        raise ProtocolError("a malformed frame")
    function = raw.get("function")
    function = function if type(function) is str and _FUNCTION.fullmatch(function) else "?"
    origins = {k: raw.get(k) for k in ("cell", "execution")}
    if any(v is not None and type(v) is not int for v in origins.values()):
        raise ProtocolError("a malformed frame origin")
    file = raw.get("file")
    return Frame(raw["line"], function, origins["cell"], origins["execution"],
                 clean(file, 80) if type(file) is str else None,
                 (labels or {}).get(origins["cell"]))


@dataclass(frozen=True)
class Evidence:
    """An exception raised by learner code, as facts: type, first line, where."""

    type: str
    message: str
    not_implemented: bool
    frames: tuple[Frame, ...]
    cell: int | None = None    # for a cell that raised while the notebook ran

    @classmethod
    def parse(cls, raw, labels: dict | None = None) -> "Evidence":
        if type(raw) is not dict:
            raise ProtocolError("malformed evidence")
        kind, message = raw.get("type"), raw.get("message")
        frames = raw.get("frames", [])
        if type(kind) is not str or type(message) is not str or type(frames) is not list:
            raise ProtocolError("malformed evidence")
        cell = raw.get("cell")
        return cls(clean(kind, 80) if kind.isidentifier() else "Exception", clean(message, 200),
                   raw.get("not_implemented") is True,
                   tuple(_frame(f, labels) for f in frames[-4:]),
                   cell if type(cell) is int else None)

    @property
    def error(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


class LearnerError(Exception):
    """Learner code raised while a check used it."""

    def __init__(self, evidence: Evidence, action: str):
        super().__init__(evidence.error)
        self.evidence, self.action = evidence, action


class LearnerGone(Exception):
    """The learner process ended, or answered with something that is not well-formed data."""


class MissingName(CheckFailed):
    """The submission does not define a name a check needs."""


# -- transports -------------------------------------------------------------------------------------

class PipeTransport:
    """Requests over a socket to the learner process; `on_event` receives progress events."""

    def __init__(self, channel: Channel, on_event=None):
        self.channel = channel
        self.on_event = on_event

    def request(self, message: dict):
        try:
            self.channel.send(message)
            while True:
                answer = self.channel.receive()
                if type(answer) is dict and "event" in answer:
                    if self.on_event is not None:
                        self.on_event(answer)
                    continue
                return answer
        except ProtocolError as exc:
            raise LearnerGone(str(exc)) from None


class LocalTransport:
    """Requests to a `LearnerServer` in this very process, through the same encoding."""

    def __init__(self, server):
        self.server = server

    def request(self, message: dict):
        wire = encode(message)
        total, header = FRAME.unpack_from(wire)
        request = decode(memoryview(wire)[FRAME.size:], header, keep_requires_grad=True)
        answer = self.server.handle(request)
        wire = encode(answer, self.server.ref)
        total, header = FRAME.unpack_from(wire)
        return decode(memoryview(wire)[FRAME.size:], header)


# -- descriptions -------------------------------------------------------------------------------------

MAX_ITEMS = 10_000   # entries in one list of a description (the learner side sends at most these)
# Elements of all the tensors one module description names together: graders may allocate a
# copy of each (4 x MAX_SHAPE_ELEMENTS; the exercises' largest model has under 100,000).
MAX_MODULE_ELEMENTS = 4 * MAX_SHAPE_ELEMENTS


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
    """The judge's own copy of a spec's model, for references."""
    return modelspec.build_seeded(spec, seed)
