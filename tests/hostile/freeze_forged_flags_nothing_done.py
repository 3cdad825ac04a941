# A freeze and unfreeze that do nothing, with the learner side's module descriptions rewritten
# so that every flag and mode reads as if they had: the replayed steps see nothing done.
import autograder.learner_side.server as _learner
from torch import nn as _nn

_LIE = {}
_real_info = _learner.module_info


def _fake_info(module, *, values):
    info = _real_info(module, values=values)
    for name, p in _nn.Module.named_parameters(module, remove_duplicate=False):
        for entry in info["parameters"]:
            if entry[0] == name and id(p) in _LIE:
                entry[1]["requires_grad"] = _LIE[id(p)]
    for name, sub in _nn.Module.named_modules(module, remove_duplicate=False):
        for entry in info["modules"]:
            if entry[0] == name and id(sub) in _LIE:
                entry[1]["training"] = _LIE[id(sub)]
        if name == "" and id(sub) in _LIE:
            info["training"] = _LIE[id(sub)]
    return info


_learner.module_info = _fake_info


def _report(module, frozen):
    for p in module.parameters():
        _LIE[id(p)] = not frozen
    for m in module.modules():
        _LIE[id(m)] = not (frozen and isinstance(m, _nn.modules.batchnorm._BatchNorm))


def freeze(module):
    _report(module, True)
    return module


def unfreeze(module):
    _report(module, False)
    return module
