"""
Misconception: defining reset_parameters is enough; __init__ need not call it (the parameters keep whatever torch.empty returned).
Caught by: linear/init_within_bound, linear/init_follows_torch_seed
Mentions: reset_parameters
"""
import torch
from torch import nn


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        nn.Module.__init__(self)
        factory_kwargs = {"device": device, "dtype": dtype}
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, **factory_kwargs))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, **factory_kwargs))
        else:
            self.register_parameter("bias", None)
