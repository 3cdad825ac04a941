"""
Misconception: mean.clone() is enough to keep a copy of the statistics; when the caller's mean and std require grad (computed from data with autograd on), the buffers stay attached to the caller's graph: they require grad, are not leaves, and cannot be deep-copied.
Caught by: parameters/standardize_buffers_detached_from_caller
Mentions: detach, graph
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())

    def forward(self, x):
        return (x - self.mean) / self.std
