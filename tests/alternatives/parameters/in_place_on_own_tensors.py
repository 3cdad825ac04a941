"""A correct solution that uses in-place operations, but only on tensors it created itself (a
clone of the input, the output of a layer), so the caller's input is never modified; it keeps
the statistics with copy_ into fresh buffers and counts with a running total."""
import torch
import torch.nn.functional as F
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features))

    def forward(self, x):
        out = x.clone()
        out.mul_(self.weight)
        return out


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.zeros(mean.shape, dtype=mean.dtype))
        self.register_buffer("std", torch.ones(std.shape, dtype=std.dtype))
        with torch.no_grad():
            self.mean.copy_(mean)
            self.std.copy_(std)

    def forward(self, x):
        centred = x - self.mean
        centred /= self.std
        return centred


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList()
        for n_in, n_out in zip(sizes, sizes[1:]):
            self.layers.append(nn.Linear(n_in, n_out))

    def forward(self, x):
        for index, layer in enumerate(self.layers):
            x = layer(x)
            if index != len(self.layers) - 1:
                x = F.relu(x, inplace=True)
        return x


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_bias = nn.Parameter(torch.zeros(in_features))

    def forward(self, x):
        code = self.encoder(x).relu_()
        out = code @ self.encoder.weight
        return out + self.decoder_bias


def count_parameters(model, trainable_only=False):
    total = 0
    for p in model.parameters():
        if trainable_only and not p.requires_grad:
            continue
        total += p.numel()
    return total
