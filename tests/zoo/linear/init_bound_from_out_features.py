"""
Misconception: the initialisation bound is 1/sqrt(out_features) instead of 1/sqrt(in_features).
Caught by: linear/init_spread_uses_in_features
Mentions: in_features
"""
import math

from torch import nn


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        bound = 1 / math.sqrt(self.out_features)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)
