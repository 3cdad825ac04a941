"""
Misconception: persistent=False buffers are still saved in checkpoints.
Caught by: parameters/standardize_buffers_in_state_dict
Mentions: persistent=False, state_dict()
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.detach().clone(), persistent=False)
        self.register_buffer("std", std.detach().clone(), persistent=False)

    def forward(self, x):
        return (x - self.mean) / self.std
