"""A correct solution with the copies of the statistics made the other way round,
clone().detach(), and torch.as_tensor for inputs that might be lists; the rest in plain idioms."""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features))

    def forward(self, x):
        return x * self.weight


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).clone().detach())
        self.register_buffer("std", torch.as_tensor(std).clone().detach())

    def forward(self, x):
        centred = x - self.mean
        return centred / self.std


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList()
        for n_in, n_out in zip(sizes, sizes[1:]):
            self.layers.append(nn.Linear(n_in, n_out))

    def forward(self, x):
        *hidden, last = self.layers
        for layer in hidden:
            x = torch.relu(layer(x))
        return last(x)


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_bias = nn.Parameter(torch.zeros(in_features))

    def forward(self, x):
        code = torch.relu(self.encoder(x))
        return code @ self.encoder.weight + self.decoder_bias


def count_parameters(model, trainable_only=False):
    total = 0
    for p in model.parameters():
        if trainable_only and not p.requires_grad:
            continue
        total += p.numel()
    return total
