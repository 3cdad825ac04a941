"""
Misconception: arithmetic on a Parameter gives a Parameter, so nn.Parameter(...) * 1.0 is still registered.
Caught by: parameters/scale_weight_is_parameter, parameters/scale_saves_and_converts_weight
Mentions: nn.Parameter
"""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_features)) * 0.0 + 1.0

    def forward(self, x):
        return x * self.weight
