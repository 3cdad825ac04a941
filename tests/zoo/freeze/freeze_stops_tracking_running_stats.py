"""
Misconception: switching off track_running_stats freezes a BatchNorm layer (in train mode the layer then normalises every batch with that batch's own statistics instead of its stored ones, so the frozen backbone's features still change from batch to batch).
Caught by: freeze/freeze_puts_batchnorm_in_eval
Mentions: track_running_stats
"""
from torch import nn


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.track_running_stats = False    # instead of layer.eval()
    return module
