"""
Misconception: the backbone's BatchNorm layers are BatchNorm2d, so checking for that class is enough (BatchNorm1d and BatchNorm3d layers stay in train mode).
Caught by: freeze/freeze_reaches_every_layer
Mentions: _BatchNorm
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.eval()
    return module
