"""
Misconception: a list of n sizes makes n - 2 layers (the loop stops one pair early).
Caught by: parameters/mlp_parameter_names, parameters/mlp_forward, parameters/mlp_layers_is_modulelist, parameters/mlp_no_relu_after_last_layer, parameters/mlp_optimizer_and_to_reach_every_layer
Mentions: n - 1 layers, one for each consecutive pair
"""
from torch import nn


class MLP(MLP):  # noqa: F821
    def __init__(self, sizes):
        nn.Module.__init__(self)
        self.layers = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1])
                                    for i in range(len(sizes) - 2))
