"""
Misconception: a module whose parameters get no gradient cannot change (BatchNorm's running statistics are buffers that every forward pass in train mode updates).
Caught by: freeze/freeze_puts_batchnorm_in_eval, freeze/fit_frozen_batchnorm_statistics_unchanged, freeze/fit_backbone_batchnorm_mode_per_phase
Mentions: BatchNorm
"""


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    return module
