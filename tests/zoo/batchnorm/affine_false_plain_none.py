"""
Misconception: without affine the layer just sets self.weight = None, which is the same as registering None.
Caught by: batchnorm/affine_false_registers_none
Mentions: register_parameter
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        if not affine:
            del self.weight, self.bias
            self.weight = None
            self.bias = None
