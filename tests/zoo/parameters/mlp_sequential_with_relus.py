"""
Misconception: the activations may live in the layer container, so the parameter names do not matter.
Caught by: parameters/mlp_parameter_names, parameters/mlp_layers_is_modulelist
Mentions: layers.1.weight, nn.ModuleList
"""
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        modules = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            modules += [nn.Linear(a, b), nn.ReLU()]
        self.layers = nn.Sequential(*modules[:-1])

    def forward(self, x):
        return self.layers(x)
