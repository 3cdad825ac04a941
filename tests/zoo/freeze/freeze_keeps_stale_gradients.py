"""
Misconception: requires_grad_(False) is enough; a gradient left from an earlier backward is harmless (SGD applies momentum and weight decay to any parameter whose .grad is not None).
Caught by: freeze/freeze_clears_gradients
Mentions: .grad to None
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.eval()
    return module
