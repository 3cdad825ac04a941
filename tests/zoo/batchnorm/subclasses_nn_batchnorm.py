"""
Misconception: inheriting from nn.BatchNorm1d is writing it from scratch.
Caught by: batchnorm/weight_and_bias_are_parameters, batchnorm/train_forward_2d, batchnorm/eval_uses_running_stats
Mentions: nn.BatchNorm1d
Costs more: a layer that is nn.BatchNorm1d earns none of the points nn.BatchNorm1d would earn: every check fails
"""

import torch
from torch import nn


class BatchNorm1d(nn.BatchNorm1d):
    pass
