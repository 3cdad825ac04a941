"""
Misconception: unfreeze acts in place, so it need not return anything.
Caught by: freeze/unfreeze_returns_the_module
Mentions: return
"""
def unfreeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(True)
    module.train()
