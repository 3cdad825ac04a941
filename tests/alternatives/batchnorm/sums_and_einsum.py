"""BatchNorm1d from sums: the statistics counted by hand, the scale applied with einsum, the
running update in place under no_grad."""
import math

import torch
from torch import nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.full((num_features,), 1.0))
            self.bias = nn.Parameter(torch.full((num_features,), 0.0))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", torch.zeros(num_features) if track_running_stats else None)
        self.register_buffer("running_var", torch.ones(num_features) if track_running_stats else None)
        self.register_buffer("num_batches_tracked",
                             torch.tensor(0, dtype=torch.int64) if track_running_stats else None)

    def _stats(self, x):
        dims = [d for d in range(x.dim()) if d != 1]
        n = math.prod(x.shape[d] for d in dims)
        mean = x.sum(dim=dims) / n
        centred = x - mean.reshape(1, -1, *([1] * (x.dim() - 2)))
        var = (centred * centred).sum(dim=dims) / n
        return mean, var, n

    def forward(self, x):
        if self.training or self.running_mean is None:
            mean, var, n = self._stats(x)
            if self.training and self.running_mean is not None:
                with torch.no_grad():
                    self.num_batches_tracked += 1
                    if self.momentum is None:
                        factor = 1 / int(self.num_batches_tracked)
                    else:
                        factor = self.momentum
                    self.running_mean *= 1 - factor
                    self.running_mean += factor * mean
                    self.running_var *= 1 - factor
                    self.running_var += factor * var * n / (n - 1)
        else:
            mean, var = self.running_mean, self.running_var
        shape = (1, -1) + (1,) * (x.dim() - 2)
        scale = 1 / torch.sqrt(var + self.eps)
        if self.affine:
            y = torch.einsum("nc...,c->nc...", x - mean.reshape(shape), scale * self.weight)
            return y + self.bias.reshape(shape)
        return (x - mean.reshape(shape)) * scale.reshape(shape)
