"""
Misconception: the state_dict holds exactly the parameters, so its entries can be counted.
Caught by: parameters/count_excludes_buffers, parameters/count_shared_parameter_once
Mentions: buffers, state_dict()
"""


def count_parameters(model, trainable_only=False):
    total = 0
    for name, value in model.state_dict(keep_vars=True).items():
        if value.requires_grad or not trainable_only:
            total += value.numel()
    return total
