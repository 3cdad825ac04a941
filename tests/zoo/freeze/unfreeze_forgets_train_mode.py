"""
Misconception: unfreezing is only turning requires_grad back on (the BatchNorm layers that freeze put in eval mode stay there).
Caught by: freeze/unfreeze_restores_training, freeze/unfreeze_after_model_eval
Mentions: train()
"""


def unfreeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(True)
    return module
