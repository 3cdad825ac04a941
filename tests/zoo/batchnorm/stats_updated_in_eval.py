"""
Misconception: the running statistics are updated at every forward pass, in eval mode too.
Caught by: batchnorm/eval_uses_running_stats
Mentions: eval mode
Costs more: a layer that updates its statistics before normalising in eval mode gives a wrong output in every eval-mode check (2-D, 3-D, affine=False, float64) and breaks the eval/train cycle
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def forward(self, x):
        if not self.training and self.track_running_stats:
            dims = (0,) if x.dim() == 2 else (0, 2)
            with torch.no_grad():
                self.num_batches_tracked += 1
                self.running_mean.mul_(0.9).add_(0.1 * x.mean(dim=dims))
                self.running_var.mul_(0.9).add_(0.1 * x.var(dim=dims))
        return super().forward(x)
