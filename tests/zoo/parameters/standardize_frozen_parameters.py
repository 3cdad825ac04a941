"""
Misconception: a constant is a Parameter with requires_grad=False rather than a buffer.
Caught by: parameters/standardize_buffers_registered, parameters/standardize_buffers_not_parameters
Mentions: buffer, parameters()
"""
from torch import nn


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = nn.Parameter(mean.detach().clone(), requires_grad=False)
        self.std = nn.Parameter(std.detach().clone(), requires_grad=False)

    def forward(self, x):
        return (x - self.mean) / self.std
