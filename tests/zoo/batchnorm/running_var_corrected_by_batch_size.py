"""
Misconception: the unbiased correction is n / (n - 1) with n the batch size, also for (N, C, L) inputs.
Caught by: batchnorm/running_update_3d
Mentions: N * L
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def forward(self, x):
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        if self.training or not self.track_running_stats:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            if self.training and self.track_running_stats:
                with torch.no_grad():
                    self.num_batches_tracked += 1
                    if self.momentum is None:
                        factor = 1.0 / self.num_batches_tracked.item()
                    else:
                        factor = self.momentum
                    n = x.shape[0]
                    unbiased = var * n / (n - 1)
                    self.running_mean.mul_(1 - factor).add_(factor * mean)
                    self.running_var.mul_(1 - factor).add_(factor * unbiased)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y
