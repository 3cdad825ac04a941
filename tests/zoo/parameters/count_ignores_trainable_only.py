"""
Misconception: frozen parameters still count as trainable; the flag can be ignored.
Caught by: parameters/count_trainable_only, parameters/count_shared_and_frozen
Mentions: requires_grad
"""


def count_parameters(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters())
