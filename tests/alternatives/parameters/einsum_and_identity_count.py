"""A correct solution that keeps one dict of parameters by identity for counting, builds the
MLP with map(nn.Linear, ...), copies statistics with empty_like().copy_(), and decodes with
einsum."""
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        weight = torch.empty(num_features)
        nn.init.ones_(weight)
        self.weight = nn.Parameter(weight)

    def forward(self, x):
        return x * self.weight.expand(x.shape)


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        with torch.no_grad():   # copies of their own, out of any graph the caller's tensors are in
            self.register_buffer("mean", torch.empty_like(mean).copy_(mean))
            self.register_buffer("std", torch.empty_like(std).copy_(std))

    def forward(self, x):
        return torch.div(x - self.mean, self.std)


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(map(nn.Linear, sizes[:-1], sizes[1:]))

    def forward(self, x):
        n = len(self.layers)
        for i in range(n):
            x = self.layers[i](x)
            x = torch.relu(x) if i + 1 < n else x
        return x


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_bias = nn.Parameter(torch.zeros(in_features))

    def forward(self, x):
        h = self.encoder(x).relu()
        return torch.einsum("...h,hi->...i", h, self.encoder.weight) + self.decoder_bias


def count_parameters(model, trainable_only=False):
    params = {id(p): p for p in model.parameters()}
    return sum(p.numel() for p in params.values() if p.requires_grad or not trainable_only)
