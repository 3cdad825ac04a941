"""
Misconception: `module.requires_grad = True` unfreezes a module (it sets an attribute of the module object; every parameter stays frozen).
Caught by: freeze/unfreeze_restores_training, freeze/unfreeze_reaches_every_parameter, freeze/fit_backbone_learns_after_unfreezing
Mentions: requires_grad
"""


def unfreeze(module):
    module.requires_grad = True
    module.train()
    return module
