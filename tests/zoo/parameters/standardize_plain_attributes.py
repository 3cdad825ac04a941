"""
Misconception: statistics stored as plain tensor attributes travel with the module.
Caught by: parameters/standardize_buffers_registered, parameters/standardize_buffers_follow_to, parameters/standardize_buffers_in_state_dict
Mentions: register_buffer, .to()
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = mean.detach().clone()
        self.std = std.detach().clone()

    def forward(self, x):
        return (x - self.mean) / self.std
