"""
Misconception: a count computed with torch operations can be returned as a tensor.
Caught by: parameters/count_simple_models
Mentions: Python int
"""
import torch


def count_parameters(model, trainable_only=False):
    sizes = [torch.tensor(p.numel()) for p in model.parameters()
             if p.requires_grad or not trainable_only]
    return torch.stack(sizes).sum()
