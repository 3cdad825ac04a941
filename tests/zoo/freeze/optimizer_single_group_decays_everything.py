"""
Misconception: weight decay belongs on every parameter (it pulls BatchNorm scales and biases toward zero too).
Caught by: freeze/optimizer_is_sgd_with_two_groups, freeze/norms_and_biases_are_not_decayed, freeze/fit_uses_the_two_group_optimizer
Mentions: weight decay, weight_decay
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, nesterov=True,
                           weight_decay=weight_decay)
