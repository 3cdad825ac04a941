"""
Misconception: the number of parameters is the number of parameter tensors.
Caught by: parameters/count_simple_models
Mentions: numel, tensors
"""


def count_parameters(model, trainable_only=False):
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])
