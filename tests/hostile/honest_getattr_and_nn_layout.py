# Not an attack: a correct Linear written the way nn.Linear's source is laid out (`__constants__`,
# annotations) that registers and resets its parameters with getattr/setattr over a literal
# tuple of names. Ordinary Python: it must score full marks and be flagged for nobody (issue 19).
import math

import torch
from torch import nn


class Linear(nn.Module):
    __constants__ = ["in_features", "out_features"]
    in_features: int
    out_features: int

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        shapes = {"weight": (out_features, in_features), "bias": (out_features,)}
        for name in ("weight", "bias"):
            if name == "bias" and not bias:
                self.register_parameter(name, None)
            else:
                setattr(self, name, nn.Parameter(torch.empty(shapes[name], device=device,
                                                             dtype=dtype)))
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.in_features)
        for name in ("weight", "bias"):
            tensor = getattr(self, name)
            if tensor is not None:
                nn.init.uniform_(tensor, -bound, bound)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
