# Every registration wrong, every forward right; then the learner side's descriptions forged
# through the learner server's module globals (autograder.learner_side.server.module_info and tensor_info),
# so that named_parameters(), is_parameter, requires_grad, the buffers and the ModuleList all
# look as the contract asks. Graded beside an honest neighbour, it must score no more than the
# code before the forgery cell (its honest content): the descriptions only explain failures.
import torch
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features):
        super().__init__()
        self.weight = torch.ones(num_features, requires_grad=True)        # not registered

    def forward(self, x):
        return x * self.weight


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = mean.detach().clone()                                   # plain attributes
        self.std = std.detach().clone()

    def forward(self, x):
        return (x - self.mean) / self.std


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]   # a Python list

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
        self.decoder_bias = torch.zeros(in_features, requires_grad=True)    # not registered

    def forward(self, x):
        return torch.relu(self.encoder(x)) @ self.encoder.weight + self.decoder_bias


# %%
# forgery: everything below only changes what the learner side reports.
import autograder.learner_side.server as learner

_tensor_info, _module_info = learner.tensor_info, learner.module_info
STATISTICS = ("mean", "std")


def tensor_info(t, *, values):
    info = _tensor_info(t, values=values)
    info.update(is_parameter=True, is_leaf=True, grad_fn=None, requires_grad=True)
    return info


def module_info(module, *, values):
    info = _module_info(module, values=values)
    params, buffers, modules = [], [], list(info["modules"])
    for name, value in list(vars(module).items()):
        if isinstance(value, torch.Tensor) and name in STATISTICS:
            buffers.append([name, {**_tensor_info(value, values=values), "persistent": True}])
        elif isinstance(value, torch.Tensor):
            params.append([name, tensor_info(value, values=values)])
        elif isinstance(value, list):
            modules.append([name, {"id": id(value), "type": "ModuleList",
                                   "mro": ["torch.nn.modules.container.ModuleList",
                                           "torch.nn.modules.module.Module"],
                                   "training": True}])
            for i, layer in enumerate(value):
                modules.append([f"{name}.{i}", {"id": id(layer), "type": "Linear",
                                                "mro": learner.mro_of(layer),
                                                "training": True}])
                params += [[f"{name}.{i}.{n}", tensor_info(p, values=values)]
                           for n, p in layer.named_parameters()]
    info["parameters"] = info["parameters"] + params
    info["buffers"] = info["buffers"] + buffers
    info["modules"] = modules
    info["attributes"] = {k: v for k, v in info["attributes"].items()
                          if k not in STATISTICS and k != "weight" and k != "decoder_bias"}
    info["state_dict"] = info["state_dict"] + [n for n, _ in params + buffers]
    return info


learner.tensor_info, learner.module_info = tensor_info, module_info
