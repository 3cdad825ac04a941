"""
Misconception: putting a module in eval mode freezes it (eval only changes how BatchNorm and Dropout behave; gradients still flow).
Caught by: freeze/freeze_turns_off_requires_grad, freeze/fit_keeps_the_backbone_frozen_first
Mentions: requires_grad, gradient
"""


def freeze(module):
    module.eval()
    return module
