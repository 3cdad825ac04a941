"""
Misconception: frozen parameters belong in a group of their own (the optimizer then has three groups, not the two that fit and the checks expect).
Caught by: freeze/optimizer_includes_frozen_parameters
Mentions: two groups
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed, not_decayed, frozen = [], [], []
    for parameter in model.parameters():
        if not parameter.requires_grad:
            frozen.append(parameter)
        else:
            (decayed if parameter.ndim > 1 else not_decayed).append(parameter)
    groups = [{"params": decayed, "weight_decay": weight_decay},
              {"params": not_decayed, "weight_decay": 0.0}]
    if frozen:
        groups.append({"params": frozen, "weight_decay": 0.0})
    return torch.optim.SGD(groups, lr=lr, momentum=momentum)
