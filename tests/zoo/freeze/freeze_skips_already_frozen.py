"""
Misconception: parameters already frozen can be skipped (one frozen by hand keeps its stale gradient, which SGD still applies).
Caught by: freeze/freeze_clears_gradients
Mentions: .grad to None
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        if parameter.requires_grad:
            parameter.requires_grad_(False)
            parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.eval()
    return module
