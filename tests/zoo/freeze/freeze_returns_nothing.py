"""
Misconception: freeze acts in place, so it need not return anything (`backbone = freeze(model.backbone)` then holds None).
Caught by: freeze/freeze_returns_the_module
Mentions: return
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.eval()
