# Modules whose parameters(), named_parameters(), named_buffers() and state_dict() lie: the
# tensors are plain attributes (a Python list for the MLP), and the methods list them as if
# they were registered. Graded beside an honest neighbour, it must score no more than the code
# before the lying cell (its honest content): the grader reads nn.Module's own registry and
# verifies by values.
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = torch.ones(num_features, requires_grad=True)

    def forward(self, x):
        return x * self.weight


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_bias = torch.zeros(in_features, requires_grad=True)

    def forward(self, x):
        return torch.relu(self.encoder(x)) @ self.encoder.weight + self.decoder_bias


# %%
# forgery: the methods that list a module's tensors, rewritten to list the plain ones.
def _own(module):
    if isinstance(module, Scale):
        return [("weight", module.weight)]
    if isinstance(module, MLP):
        return [(f"layers.{i}.{n}", p) for i, layer in enumerate(module.layers)
                for n, p in nn.Module.named_parameters(layer)]
    return ([(n, p) for n, p in nn.Module.named_parameters(module)]
            + [("decoder_bias", module.decoder_bias)])


def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
    for name, p in _own(self):
        yield (prefix + "." + name if prefix else name), p


def parameters(self, recurse=True):
    for _name, p in _own(self):
        yield p


def state_dict(self, *args, **kwargs):
    return {name: p.detach() for name, p in _own(self)}


for cls in (Scale, MLP, TiedAutoencoder):
    cls.named_parameters, cls.parameters, cls.state_dict = named_parameters, parameters, state_dict
