"""
Misconception: "uniform up to 1/sqrt(in_features)" means U(0, bound); every initial weight and bias is then positive, only half of the interval.
Caught by: linear/init_spread_uses_in_features, linear/bias_init_spread
Mentions: no negative value, half the interval
"""
import math

from torch import nn


class Linear(Linear):  # noqa: F821
    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.in_features)
        nn.init.uniform_(self.weight, 0.0, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, 0.0, bound)
