"""
Misconception: affine only decides whether weight and bias are used, so they are created anyway.
Caught by: batchnorm/affine_false_registers_none
Mentions: affine
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        if not affine:
            del self.weight, self.bias
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
