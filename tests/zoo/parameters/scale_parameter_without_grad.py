"""
Misconception: nn.Parameter(..., requires_grad=False) is a safe default; the optimizer switches gradients on.
Caught by: parameters/scale_weight_is_trainable_leaf, parameters/scale_optimizer_updates_weight
Mentions: requires_grad
"""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features), requires_grad=False)

    def forward(self, x):
        return x * self.weight
