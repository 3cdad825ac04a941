"""
Misconception: the weight is laid out (in_features, out_features), so forward is x @ W.
Caught by: linear/parameter_shapes, linear/state_dict_loads_into_nn_linear
Mentions: (out_features, in_features), out_features, in_features
Costs more: the weight's layout is the layer: every shape, the forward pass, its gradients and the exchange of state_dicts with nn.Linear depend on it
"""
from torch import nn


class Linear(Linear):  # noqa: F821
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.weight = nn.Parameter(self.weight.detach().T.contiguous())

    def forward(self, x):
        y = x @ self.weight
        return y + self.bias if self.bias is not None else y
