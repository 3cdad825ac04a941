"""Notice and undo what submitted code did to the functions the graders rely on.

The engine takes a `Snapshot` in the sandboxed child after importing its own modules and the
assignment's helper modules, and before any submitted code runs. After the cells, it lists and
restores every replaced entry, then checks again after the graders ran (submitted code also
runs during the checks). A submission that tampered gains nothing: the parent credits none of
its checks and says what was replaced.
"""
from __future__ import annotations

import builtins
import sys
import threading
import types

import pytest
import torch
import torch.testing

_BUILTINS = ("isinstance", "issubclass", "type", "len", "abs", "float", "int", "bool", "sum",
             "all", "any", "min", "max", "getattr", "hasattr", "setattr", "id", "repr", "str",
             "sorted", "set", "dict", "list", "tuple", "range", "zip", "enumerate", "round",
             "print", "callable", "iter", "next", "vars", "super", "object", "Exception",
             "AssertionError", "NotImplementedError")
_TORCH = ("allclose", "equal", "isclose", "all", "any", "eq", "ne", "abs", "max", "min", "sum",
          "isfinite", "isnan", "tensor", "as_tensor", "randn", "rand", "zeros", "ones", "empty",
          "manual_seed", "matmul", "no_grad", "enable_grad", "is_grad_enabled", "is_tensor")
_TENSOR = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
           "__int__", "__len__", "__getitem__", "__repr__", "eq", "ne", "equal", "allclose",
           "isclose", "all", "any", "abs", "sub", "max", "min", "sum", "item", "tolist",
           "detach", "clone", "double", "float", "to", "numel", "dim", "size", "backward",
           "requires_grad_", "is_leaf", "requires_grad", "grad", "shape", "dtype", "device",
           "data", "__torch_function__")
_PYTEST = ("main", "fail", "skip", "approx", "raises", "fixture", "hookimpl", "mark")
_MODULE_PREFIXES = ("autograder", "pytest", "_pytest", "pluggy")


def _watched_owners(helper_modules) -> list[tuple[str, object, tuple[str, ...]]]:
    owners = [("builtins", builtins, _BUILTINS), ("torch", torch, _TORCH),
              ("torch.Tensor", torch.Tensor, _TENSOR), ("pytest", pytest, _PYTEST),
              ("torch.testing", torch.testing, ("assert_close",)),
              ("torch.nn.Module", torch.nn.Module, ("__call__", "parameters", "named_parameters",
                                                    "state_dict", "load_state_dict", "train",
                                                    "eval", "modules", "named_modules",
                                                    "buffers", "named_buffers", "to"))]
    for name, module in sorted(sys.modules.items()):
        if isinstance(module, types.ModuleType) and name.split(".")[0] in _MODULE_PREFIXES:
            if name.split(".")[0] == "autograder":
                owners.append((name, module, tuple(k for k in vars(module) if not k.startswith("__"))))
    for module in helper_modules:
        owners.append((module.__name__, module,
                       tuple(k for k in vars(module) if not k.startswith("__"))))
    return owners


_MISSING = object()


class Snapshot:
    def __init__(self, helper_modules=()):
        self._entries: dict[tuple[str, str], tuple[object, object]] = {}
        for label, owner, names in _watched_owners(helper_modules):
            for name in names:
                value = owner.__dict__.get(name, _MISSING) if isinstance(owner, type) \
                    else getattr(owner, name, _MISSING)
                self._entries[(label, name)] = (owner, value)
        self._modules = {name: module for name, module in sys.modules.items()
                         if name.split(".")[0] in _MODULE_PREFIXES
                         or name in {m.__name__ for m in helper_modules}}

    def _current(self, owner, name):
        return owner.__dict__.get(name, _MISSING) if isinstance(owner, type) \
            else getattr(owner, name, _MISSING)

    def changes(self) -> list[str]:
        """What differs from the snapshot, in words ("torch.allclose was replaced")."""
        found = []
        for (label, name), (owner, value) in self._entries.items():
            if self._current(owner, name) is not value:
                found.append(f"{label}.{name} was replaced")
        for name, module in self._modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"the module {name} was replaced in sys.modules")
        if torch._C._len_torch_function_stack() > 0:
            found.append("a torch function mode was left active")
        if torch._C._len_torch_dispatch_stack() > 0:
            found.append("a torch dispatch mode was left active")
        if sys.gettrace() is not None or sys.getprofile() is not None:
            found.append("a trace or profile function was installed")
        if threading._trace_hook is not None or threading._profile_hook is not None:
            found.append("a thread trace or profile function was installed")
        return found

    def restore(self) -> None:
        for (_, name), (owner, value) in self._entries.items():
            if self._current(owner, name) is value:
                continue
            try:
                if value is _MISSING:
                    delattr(owner, name)
                else:
                    setattr(owner, name, value)
            except (AttributeError, TypeError):
                pass
        for name, module in self._modules.items():
            sys.modules[name] = module
        while torch._C._len_torch_function_stack() > 0:
            torch._C._pop_torch_function_stack()
        while torch._C._len_torch_dispatch_stack() > 0:
            torch._C._pop_torch_dispatch_stack()
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
