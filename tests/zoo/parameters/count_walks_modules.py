"""
Misconception: summing each module's own parameters over model.modules() counts every parameter once.
Caught by: parameters/count_shared_parameter_once, parameters/count_shared_and_frozen
Mentions: shared, once
"""


def count_parameters(model, trainable_only=False):
    total = 0
    for module in model.modules():
        for p in module.parameters(recurse=False):
            if p.requires_grad or not trainable_only:
                total += p.numel()
    return total
