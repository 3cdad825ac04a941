"""
Misconception: unfreezing the children unfreezes everything (a layer's own parameters are not in its children).
Caught by: freeze/unfreeze_reaches_every_parameter
Mentions: own
"""
def unfreeze(module):
    for child in module.children():
        child.requires_grad_(True)
    module.train()
    return module
