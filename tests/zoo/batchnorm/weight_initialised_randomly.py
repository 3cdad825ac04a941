"""
Misconception: weight is initialised at random, as nn.Linear's is.
Caught by: batchnorm/parameters_start_at_ones_and_zeros
Mentions: ones
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        if affine:
            with torch.no_grad():
                self.weight.uniform_(0.0, 1.0)
