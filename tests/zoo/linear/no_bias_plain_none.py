"""
Misconception: with bias=False, `self.bias = None` is enough; the bias slot is never registered.
Caught by: linear/bias_false_registers_none
Mentions: register_parameter
"""

import torch
from torch import nn


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        nn.Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, device=device, dtype=dtype))
        # On a fresh module, assigning None stores a plain attribute: nothing is registered.
        self.bias = nn.Parameter(torch.empty(out_features, device=device, dtype=dtype)) if bias else None
        self.reset_parameters()
