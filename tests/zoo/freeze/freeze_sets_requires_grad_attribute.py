"""
Misconception: `module.requires_grad = False` freezes a module (it only adds an attribute; no parameter changes).
Caught by: freeze/freeze_turns_off_requires_grad, freeze/fit_keeps_the_backbone_frozen_first
Mentions: requires_grad, gradient
"""
from torch import nn


def freeze(module):
    module.requires_grad = False
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.eval()
    return module
