"""
Misconception: bias needs no registration, only a tensor that requires grad.
Caught by: batchnorm/weight_and_bias_are_parameters
Mentions: nn.Parameter
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        if affine:
            plain = self.bias.detach().clone().requires_grad_()
            del self.bias
            self.bias = plain
