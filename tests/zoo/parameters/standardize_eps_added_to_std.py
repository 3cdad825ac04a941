"""
Misconception: adding a small eps to std "for safety" is harmless; the output is then no longer (x - mean) / std.
Caught by: parameters/standardize_buffers_follow_to
Mentions: eps
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("std", std.detach().clone())

    def forward(self, x):
        return (x - self.mean) / (self.std + 1e-5)
