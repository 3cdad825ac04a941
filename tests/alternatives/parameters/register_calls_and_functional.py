"""A correct solution in another idiom: explicit register_parameter/register_buffer calls,
a ModuleList filled by append, torch.nn.functional for the maths, and a count that removes
duplicates itself."""
import torch
import torch.nn.functional as F
from torch import nn


class Scale(nn.Module):
    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.full((num_features,), 1.0)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.mul(x, self.weight)


class Standardize(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).detach().clone(), persistent=True)
        self.register_buffer("std", torch.as_tensor(std).detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sub(self.mean).div(self.std)


class MLP(nn.Module):
    def __init__(self, sizes: list[int]) -> None:
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(len(sizes) - 1):
            self.layers.append(nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features: int, hidden_features: int) -> None:
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.register_parameter("decoder_bias", nn.Parameter(torch.zeros(in_features)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        code = F.relu(F.linear(x, self.encoder.weight, self.encoder.bias))
        return F.linear(code, self.encoder.weight.t(), self.decoder_bias)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    seen: dict[int, int] = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        if trainable_only and not p.requires_grad:
            continue
        seen[id(p)] = p.numel()
    return sum(seen.values())
