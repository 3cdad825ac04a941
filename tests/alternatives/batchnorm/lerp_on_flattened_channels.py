"""BatchNorm1d on a (rows, C) view of the input: torch.var_mean, lerp_ for the running update."""
import torch
from torch import nn


def channels_last(x):
    """(N, C) or (N, C, L) as (rows, C), every value of a channel in one column."""
    return x if x.dim() == 2 else x.transpose(1, 2).reshape(-1, x.shape[1])


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.register_parameter("weight", nn.Parameter(torch.ones(num_features)) if affine else None)
        self.register_parameter("bias", nn.Parameter(torch.zeros(num_features)) if affine else None)
        for name, value in (("running_mean", torch.zeros(num_features)),
                            ("running_var", torch.ones(num_features)),
                            ("num_batches_tracked", torch.zeros((), dtype=torch.long))):
            self.register_buffer(name, value if track_running_stats else None)

    def forward(self, x):
        rows = channels_last(x)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            var, mean = torch.var_mean(rows, dim=0, correction=0)
            if self.training and self.track_running_stats:
                self.num_batches_tracked.add_(1)
                factor = (1.0 / float(self.num_batches_tracked) if self.momentum is None
                          else self.momentum)
                count = rows.shape[0]
                self.running_mean.lerp_(mean.detach(), factor)
                self.running_var.lerp_(var.detach() * count / (count - 1), factor)
        else:
            mean, var = self.running_mean, self.running_var
        out = (rows - mean) * torch.rsqrt(var + self.eps)
        if self.affine:
            out = out * self.weight + self.bias
        if x.dim() == 3:
            out = out.reshape(x.shape[0], x.shape[2], x.shape[1]).transpose(1, 2)
        return out
