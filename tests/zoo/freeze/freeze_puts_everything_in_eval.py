"""
Misconception: freezing means eval mode for the whole module (its Dropout layers stop dropping, and its own mode changes), not only for BatchNorm.
Caught by: freeze/freeze_leaves_the_rest_of_the_model_alone
Mentions: not BatchNorm
"""
def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    module.eval()
    return module
