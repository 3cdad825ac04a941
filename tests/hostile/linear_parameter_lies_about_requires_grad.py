# A weight that autograd never trains (requires_grad is False underneath), in an nn.Parameter
# subclass whose Python-side requires_grad and is_leaf say otherwise: honest content is a frozen
# weight, whatever the flags claim.
import torch
from torch import nn


class Liar(nn.Parameter):
    @property
    def requires_grad(self):
        return True

    @requires_grad.setter
    def requires_grad(self, value):
        pass

    @property
    def is_leaf(self):
        return True


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        frozen = Liar(self.weight.detach().clone(), requires_grad=False)
        torch.Tensor.requires_grad_(frozen, False)
        del self.weight
        self.weight = frozen
