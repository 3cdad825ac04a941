"""
Misconception: reset_parameters may assign fresh nn.Parameters (an optimizer built earlier keeps the old ones).
Caught by: linear/reset_parameters_keeps_the_same_parameters
Mentions: in place
"""
import math

import torch
from torch import nn


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features)
        self.weight = nn.Parameter(torch.empty_like(self.weight).uniform_(-bound, bound))
        if self.bias is not None:
            self.bias = nn.Parameter(torch.empty_like(self.bias).uniform_(-bound, bound))
