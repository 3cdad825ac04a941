"""
Misconception: subclassing nn.Linear and keeping what it inherits counts as writing the layer.
Caught by: linear/does_not_use_nn_linear, linear/weight_and_bias_are_parameters, linear/forward_2d
Mentions: nn.Linear
Costs more: a subclass of nn.Linear is nn.Linear: every check of the layer would credit torch's code, so none of them gives points (the LinearFunction checks still do)
"""
from torch import nn


class Linear(nn.Linear):
    pass
