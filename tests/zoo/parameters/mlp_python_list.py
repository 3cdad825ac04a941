"""
Misconception: layers kept in a Python list are registered like attributes.
Caught by: parameters/mlp_parameter_names, parameters/mlp_layers_is_modulelist
Mentions: nn.ModuleList
"""
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)
