"""
Misconception: dtype and device can be ignored when creating the parameters.
Caught by: linear/dtype_argument, linear/meta_device
Mentions: factory_kwargs, device, dtype
"""
import torch
from torch import nn


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        nn.Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
