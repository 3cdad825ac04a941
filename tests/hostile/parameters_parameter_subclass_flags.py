# nn.Parameter subclasses whose Python-side requires_grad says the opposite of what autograd
# does: Scale's weight says "trainable" while autograd never gives it a gradient, and
# Standardize's statistics say "frozen" while an optimizer trains them. Graded beside an honest
# neighbour, it must score no more than the code before the lying cell (its honest content,
# where Flagged is nn.Parameter itself): what a tensor says of itself earns nothing.
import torch
from torch import nn

Flagged = nn.Parameter


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = Flagged(torch.ones(num_features), requires_grad=False)

    def forward(self, x):
        return x * self.weight


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = Flagged(mean.detach().clone())
        self.std = Flagged(std.detach().clone())

    def forward(self, x):
        return (x - self.mean) / self.std


# %%
# forgery: the same modules, built from a Parameter class whose flag lies.
class Flagged(nn.Parameter):
    @property
    def requires_grad(self):
        return not super(Flagged, self).requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)
