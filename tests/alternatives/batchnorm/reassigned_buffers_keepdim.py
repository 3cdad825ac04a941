"""BatchNorm1d whose update reassigns the registered buffers (which keeps them buffers), with
keepdim statistics and a cumulative average written as a running count."""
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
        if self.affine:
            self.register_parameter("weight", nn.Parameter(torch.empty(num_features)))
            self.register_parameter("bias", nn.Parameter(torch.empty(num_features)))
            with torch.no_grad():
                self.weight.fill_(1.0)
                self.bias.zero_()
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def forward(self, x):
        reduce = [0] + list(range(2, x.dim()))
        view = [1, self.num_features] + [1] * (x.dim() - 2)
        if not self.training and self.track_running_stats:
            mean = self.running_mean.view(view)
            var = self.running_var.view(view)
        else:
            mean = x.mean(dim=reduce, keepdim=True)
            var = ((x - mean) ** 2).mean(dim=reduce, keepdim=True)
            if self.training and self.track_running_stats:
                n = x.numel() / self.num_features
                batches = self.num_batches_tracked + 1
                self.num_batches_tracked = batches
                m = self.momentum if self.momentum is not None else 1.0 / batches.item()
                self.running_mean = (1 - m) * self.running_mean + m * mean.detach().flatten()
                self.running_var = ((1 - m) * self.running_var
                                    + m * var.detach().flatten() * (n / (n - 1)))
        y = (x - mean) / (var + self.eps).sqrt()
        if self.weight is not None:
            y = torch.addcmul(self.bias.view(view), y, self.weight.view(view))
        return y
