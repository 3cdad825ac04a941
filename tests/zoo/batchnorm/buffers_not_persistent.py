"""
Misconception: buffers that the layer computes itself need not be saved: persistent=False.
Caught by: batchnorm/running_stats_are_buffers
Mentions: persistent
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        if track_running_stats:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                value = self._buffers.pop(name)
                self.register_buffer(name, value, persistent=False)
