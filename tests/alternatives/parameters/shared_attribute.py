"""A correct solution that ties by registering the encoder's weight a second time
(`self.decoder_weight = self.encoder.weight`: one Parameter, two names), builds the MLP with
a comprehension over sizes, and counts over a set of parameters."""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features))

    def forward(self, x):
        return self.weight * x


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone().detach())
        self.register_buffer("std", std.clone().detach())

    def forward(self, x):
        return (x - self.mean) * self.std.reciprocal()


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1])
                                     for i in range(len(sizes) - 1)])

    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = layer(x).clamp(min=0)
        return last(x)


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_weight = self.encoder.weight          # the same Parameter, not a copy
        self.decoder_bias = nn.Parameter(torch.zeros(in_features))

    def forward(self, x):
        h = torch.relu(self.encoder(x))
        return torch.matmul(h, self.decoder_weight) + self.decoder_bias


def count_parameters(model, trainable_only=False):
    unique = {p for p in model.parameters() if p.requires_grad or not trainable_only}
    return int(sum(p.numel() for p in unique))
