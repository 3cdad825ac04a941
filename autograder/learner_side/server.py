"""The learner side of the boundary: run the submission's cells, then answer the judge.

`LearnerServer` holds the namespace the cells defined and a table of the objects the judge has
asked about. The judge sends requests (`op` plus plain arguments, see `LearnerServer.handle`),
and gets plain data back: values, tensors as bytes, references to objects that stay here, and,
when learner code raises, evidence of what happened (the exception's type, its first line, the
cells and lines it went through). Nothing here decides a score: whatever this process reports
may be a lie, so the judge checks it against what it computes itself.

This module runs in the learner process under the engine, and inside the learner's own kernel
for the check cells of a notebook (where the two sides are one process: see `client`).
"""
from __future__ import annotations

import torch
from torch import nn

from autograder.learner_side import instruments
from autograder.learner_side.evidence import evidence
from autograder.wire import modelspec
from autograder.learner_side.execution import new_namespace, run_cells
from autograder.wire.protocol import Ref
from autograder.wire.cells import Cell
from autograder.config import LEARNER_MAX_CELL_ERRORS as MAX_CELL_ERRORS

# nn.Module's own bookkeeping, taken before any learner code runs: a description of a module
# reports what nn.Module recorded, not what an overriding method says.
_named_parameters = nn.Module.named_parameters
_named_buffers = nn.Module.named_buffers
_named_modules = nn.Module.named_modules
_state_dict = nn.Module.state_dict
_load_state_dict = nn.Module.load_state_dict
_manual_seed = torch.manual_seed


# -- descriptions -------------------------------------------------------------------------------

def _qualified(cls) -> str:
    return f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', cls.__name__)}"[:200]


def mro_of(obj) -> list[str]:
    cls = obj if isinstance(obj, type) else type(obj)
    return [_qualified(c) for c in cls.__mro__[:40]]


def tensor_info(t: torch.Tensor, *, values: bool) -> dict:
    info = {"id": id(t), "type": type(t).__name__, "shape": list(t.shape),
            "dtype": str(t.dtype).removeprefix("torch."), "device": t.device.type,
            "requires_grad": instruments.requires_grad(t), "is_leaf": bool(t.is_leaf),
            "is_parameter": isinstance(t, nn.Parameter),
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            "has_grad": t.grad is not None}
    if values:
        info["value"] = t
        info["grad"] = t.grad
    return info


def module_info(module: nn.Module, *, values: bool) -> dict:
    parameters = [[name, tensor_info(p, values=values)]
                  for name, p in _named_parameters(module, remove_duplicate=False)]
    none_slots = [f"{prefix}.{name}".lstrip(".")
                  for prefix, sub in _named_modules(module, remove_duplicate=False)
                  for name, value in sub._parameters.items() if value is None]
    persistent = set(_state_dict(module, keep_vars=True))
    buffers = [[name, {**tensor_info(b, values=values), "persistent": name in persistent}]
               for name, b in _named_buffers(module, remove_duplicate=False)]
    modules = [[name, {"id": id(sub), "type": type(sub).__name__, "mro": mro_of(sub),
                       "training": bool(sub.training)}]
               for name, sub in _named_modules(module, remove_duplicate=False)]
    attributes = {}
    for name, value in vars(module).items():
        if name.startswith("_") or name == "training":
            continue
        if isinstance(value, torch.Tensor):
            attributes[name] = {"tensor": tensor_info(value, values=values)}
        else:
            attributes[name] = {"value": value}
    return {"kind": "module", "id": id(module), "type": type(module).__name__,
            "mro": mro_of(module), "training": bool(module.training), "parameters": parameters,
            "none_parameters": none_slots, "buffers": buffers, "modules": modules,
            "attributes": attributes, "state_dict": list(persistent)}


def optimizer_info(optimizer: torch.optim.Optimizer) -> dict:
    groups = []
    for group in optimizer.param_groups:
        options = {k: v for k, v in group.items() if k != "params"}
        groups.append({"params": [id(p) for p in group["params"]], "options": options})
    return {"kind": "optimizer", "id": id(optimizer), "type": type(optimizer).__name__,
            "mro": mro_of(optimizer), "groups": groups}


def _method_origins(cls: type) -> dict[str, str]:
    """Where each method of a class comes from: "<module>.<qualified name>" of the function
    that attribute lookup finds (so a method borrowed from nn.Linear says so)."""
    origins = {}
    for name in dir(cls)[:400]:
        if name.startswith("__") and name not in ("__init__", "__call__"):
            continue
        try:
            value = getattr(cls, name)
        except Exception:  # noqa: BLE001 - a learner's descriptor
            continue
        function = getattr(value, "__func__", value)
        qualname = getattr(function, "__qualname__", None)
        if callable(function) and isinstance(qualname, str):
            origins[name] = f"{getattr(function, '__module__', '?')}.{qualname}"[:200]
    return origins


# -- the server ---------------------------------------------------------------------------------

class LearnerServer:
    """Answers the judge's requests about the objects the submission defined."""

    def __init__(self, namespace: dict | None = None):
        self.namespace = new_namespace() if namespace is None else namespace
        self._objects: dict[int, object] = {}      # ref id -> object (kept alive)
        self._ids: dict[int, int] = {}             # id(object) -> ref id

    # references ---------------------------------------------------------------------------
    def ref(self, obj) -> Ref:
        key = id(obj)
        if key not in self._ids:
            self._ids[key] = len(self._objects) + 1
            self._objects[self._ids[key]] = obj
        if isinstance(obj, nn.Module):
            kind = "module"
        elif isinstance(obj, torch.optim.Optimizer):
            kind = "optimizer"
        elif isinstance(obj, torch.Tensor):
            kind = "tensor"
        elif isinstance(obj, type):
            kind = "class"
        elif callable(obj):
            kind = "function"
        else:
            kind = "object"
        name = obj.__name__ if isinstance(obj, type) else type(obj).__name__
        return Ref(self._ids[key], kind, str(name)[:100], tuple(mro_of(obj)))

    def _object(self, ref_id):
        if ref_id not in self._objects:
            raise KeyError(f"no object #{ref_id}")
        return self._objects[ref_id]

    def _resolve(self, value):
        """Arguments from the judge: references become the objects they name."""
        if isinstance(value, Ref):
            return self._object(value.id)
        if type(value) is list:
            return [self._resolve(v) for v in value]
        if type(value) is tuple:
            return tuple(self._resolve(v) for v in value)
        if type(value) is dict:
            return {k: self._resolve(v) for k, v in value.items()}
        return value

    def _ref_for(self, obj):
        return self.ref(obj)

    # requests -----------------------------------------------------------------------------
    def handle(self, request: dict, emit=None) -> dict:
        """One request -> one answer (a dict); `emit(event)` sends progress while cells run."""
        op = request.get("op")
        handler = getattr(self, f"op_{op}", None) if isinstance(op, str) else None
        if handler is None:
            return {"error": {"type": "ProtocolError", "message": f"unknown request {op!r}",
                              "not_implemented": False, "frames": []}}
        try:
            return handler(request, emit)
        except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - learner code
            return {"error": evidence(exc)}

    def op_run_cells(self, request, emit):
        cells = [Cell(int(i), str(src), bool(ipy)) for i, src, ipy in request["cells"]]
        notify = (lambda c: emit({"event": "cell", "index": c.index})) if emit else None
        errors = run_cells(cells, self.namespace, on_cell=notify)
        # The first cells that raised, and how many did: 10,000 long messages would not fit in
        # one answer.
        return {"errors": [{"cell": cell.index, **evidence(exc)}
                           for cell, exc in errors[:MAX_CELL_ERRORS]], "raised": len(errors)}

    def op_lookup(self, request, emit):
        name = request["name"]
        if name not in self.namespace:
            return {"defined": False}
        return {"defined": True, "value": self.namespace[name]}

    def op_tensor(self, request, emit):
        return {"value": self.ref(request["value"])}

    def op_build(self, request, emit):
        return {"value": self.ref(modelspec.build_seeded(request["spec"], request.get("seed")))}

    def op_call(self, request, emit):
        target = self._object(request["target"])
        method = request.get("method")
        if method is not None:
            target = getattr(target, method)
        args = self._resolve(request.get("args", []))
        kwargs = self._resolve(request.get("kwargs", {}))
        if request.get("seed") is not None:
            _manual_seed(request["seed"])
        watch = instruments.OpWatch() if request.get("watch") else instruments.nothing()
        grad = torch.no_grad() if request.get("no_grad") else instruments.nothing()
        with grad, watch:
            value = target(*args, **kwargs)
        answer = {"value": self.ref(value) if request.get("keep") else value}
        if request.get("watch"):
            answer["ops"] = watch.ops
        return answer

    def op_get(self, request, emit):
        value = self._object(request["target"])
        for part in filter(None, str(request["path"]).split(".")):
            if isinstance(value, (nn.ModuleList, nn.Sequential)) and part.isdigit():
                value = value[int(part)]
            else:
                value = getattr(value, part)
        return {"value": self.ref(value) if request.get("keep") else value}

    def op_describe(self, request, emit):
        obj = self._object(request["target"])
        values = bool(request.get("values", True))
        if isinstance(obj, nn.Module):
            return {"info": module_info(obj, values=values)}
        if isinstance(obj, torch.optim.Optimizer):
            return {"info": optimizer_info(obj)}
        if isinstance(obj, torch.Tensor):
            return {"info": {"kind": "tensor", **tensor_info(obj, values=values)}}
        info = {"kind": "object", "id": id(obj), "type": type(obj).__name__, "mro": mro_of(obj)}
        if isinstance(obj, type):
            info.update(kind="class", name=obj.__name__, mro=mro_of(obj),
                        methods=_method_origins(obj))
        return {"info": info}

    def op_state_dict(self, request, emit):
        return {"value": dict(_state_dict(self._object(request["target"])))}

    def op_load_state_dict(self, request, emit):
        module = self._object(request["target"])
        strict = bool(request.get("strict", True))
        result = _load_state_dict(module, request["state"], strict=strict)
        return {"missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys)}

    def op_instrument(self, request, emit):
        run = instruments.INSTRUMENTS[request["name"]]
        return {"value": run(self, **self._resolve(request.get("params", {})))}
