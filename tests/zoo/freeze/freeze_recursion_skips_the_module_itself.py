"""
Misconception: a hand-written walk over the children of the children reaches every BatchNorm layer (it misses the module itself when that is a BatchNorm layer).
Caught by: freeze/freeze_reaches_every_layer
Mentions: modules()
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None

    def visit(parent):
        for child in parent.children():
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                child.eval()
            visit(child)

    visit(module)
    return module
