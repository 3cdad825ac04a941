"""
Misconception: the order of the groups does not matter (fit, the checks and YOLO trainers read group 0 as the decayed weights).
Caught by: freeze/optimizer_groups_by_dimension
Mentions: wrong order
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed, not_decayed = [], []
    for parameter in model.parameters():
        (decayed if parameter.ndim > 1 else not_decayed).append(parameter)
    return torch.optim.SGD([{"params": not_decayed, "weight_decay": 0.0},
                            {"params": decayed, "weight_decay": weight_decay}],
                           lr=lr, momentum=momentum)
