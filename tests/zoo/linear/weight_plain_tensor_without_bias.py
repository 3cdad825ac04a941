"""
Misconception: a tensor that requires grad is a parameter, so bias=False layers hold their weight as a plain attribute.
Caught by: linear/weight_and_bias_are_parameters, linear/bias_false_registers_none
Mentions: nn.Parameter, registers
"""
import math

import torch
from torch import nn


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        nn.Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        factory_kwargs = {"device": device, "dtype": dtype}
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.empty(out_features, in_features, **factory_kwargs)
        if self.weight.device.type != "meta":
            self.weight.uniform_(-bound, bound)
        self.weight.requires_grad_()
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, **factory_kwargs).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        pass
