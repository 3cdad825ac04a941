"""
Misconception: the output layer can live in its own attribute beside the hidden layers' ModuleList; its parameters are then named out.weight and out.bias instead of layers.<n>.weight.
Caught by: parameters/mlp_parameter_names
Mentions: outside self.layers
"""
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1])
                                    for i in range(len(sizes) - 2))
        self.out = nn.Linear(sizes[-2], sizes[-1])

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return self.out(x)
