"""
Misconception: biases always start at zero (nn.Linear draws them from U(-1/sqrt(in), 1/sqrt(in))).
Caught by: linear/bias_init_spread, linear/init_within_bound
Mentions: U(-, zeros, uniform
"""
import math

from torch import nn


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.zeros_(self.bias)
