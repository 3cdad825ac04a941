"""
Misconception: the running statistics are state, so plain tensor attributes are enough.
Caught by: batchnorm/running_stats_are_buffers, batchnorm/state_dict_into_nn_batchnorm, batchnorm/double_moves_buffers
Mentions: plain attribute
Costs more: plain attributes are neither saved, loaded nor converted: the buffer, state_dict and .double() checks all fail, which is what the mistake breaks
"""

import torch
from torch import nn


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference's class, defined above
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        for name, value in (("running_mean", torch.zeros(num_features)),
                            ("running_var", torch.ones(num_features)),
                            ("num_batches_tracked", torch.tensor(0, dtype=torch.long))):
            del self._buffers[name]
            setattr(self, name, value)
