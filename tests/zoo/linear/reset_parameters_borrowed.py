"""
Misconception: reset_parameters can be borrowed from nn.Linear (it initialises the same way), so there is nothing to write.
Caught by: linear/reset_parameters_keeps_the_same_parameters
Mentions: nn.Linear's own
"""
from torch import nn


class Linear(Linear):  # noqa: F821
    reset_parameters = nn.Linear.reset_parameters
