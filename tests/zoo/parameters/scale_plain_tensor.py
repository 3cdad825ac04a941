"""
Misconception: a tensor created with requires_grad=True is learnable, so nn.Parameter is unnecessary.
Caught by: parameters/scale_weight_is_parameter, parameters/scale_optimizer_updates_weight
Mentions: nn.Parameter, named_parameters()
"""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = torch.ones(num_features, requires_grad=True)

    def forward(self, x):
        return x * self.weight
