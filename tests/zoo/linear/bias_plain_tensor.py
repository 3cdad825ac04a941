"""
Misconception: only the weight needs nn.Parameter; the bias is kept as a plain tensor.
Caught by: linear/weight_and_bias_are_parameters, linear/state_dict_loads_into_nn_linear
Mentions: nn.Parameter, bias
"""
import math

import torch
from torch import nn


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features, device=device,
                                               dtype=dtype).uniform_(-bound, bound))
        self.bias = (torch.empty(out_features, device=device, dtype=dtype)
                     .uniform_(-bound, bound).requires_grad_()) if bias else None

    def forward(self, x):
        return x @ self.weight.T + (self.bias if self.bias is not None else 0)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
