"""
Misconception: module.children() reaches every layer (it yields the direct children only, so BatchNorm layers inside blocks stay in train mode).
Caught by: freeze/freeze_puts_batchnorm_in_eval, freeze/freeze_reaches_every_layer, freeze/fit_frozen_batchnorm_statistics_unchanged, freeze/fit_backbone_batchnorm_mode_per_phase
Mentions: BatchNorm
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    for layer in module.children():
        if isinstance(layer, nn.BatchNorm2d):
            layer.eval()
    return module
