"""
Misconception: the momentum argument can be ignored in favour of a "standard" 0.9 (the caller's value, and the 0.937 default, are lost).
Caught by: freeze/optimizer_settings
Mentions: momentum
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed = [p for p in model.parameters() if p.ndim > 1]
    not_decayed = [p for p in model.parameters() if p.ndim <= 1]
    return torch.optim.SGD(
        [{"params": decayed, "weight_decay": weight_decay},
         {"params": not_decayed, "weight_decay": 0.0}],
        lr=lr, momentum=0.9,
    )
