"""
Misconception: the parameters to decay are those named "weight" (a BatchNorm layer's scale is named weight too).
Caught by: freeze/optimizer_groups_by_dimension, freeze/norms_and_biases_are_not_decayed
Mentions: BatchNorm
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed, not_decayed = [], []
    for name, parameter in model.named_parameters():
        (decayed if name.endswith("weight") else not_decayed).append(parameter)
    return torch.optim.SGD(
        [{"params": decayed, "weight_decay": weight_decay},
         {"params": not_decayed, "weight_decay": 0.0}],
        lr=lr, momentum=momentum, nesterov=True,
    )
