"""
Misconception: register_buffer makes a copy, so the caller's tensors can be registered as they are.
Caught by: parameters/standardize_keeps_its_own_copies
Mentions: clone()
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std
