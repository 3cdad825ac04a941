"""
Misconception: the trainable_only test is written the wrong way round, so trainable_only=True counts the frozen parameters.
Caught by: parameters/count_trainable_only, parameters/count_shared_and_frozen
Mentions: inverted, frozen
"""


def count_parameters(model, trainable_only=False):
    return sum(p.numel() for p in model.parameters()
               if not trainable_only or not p.requires_grad)
