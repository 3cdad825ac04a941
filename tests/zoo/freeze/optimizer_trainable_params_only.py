"""
Misconception: an optimizer needs only the parameters that require grad (one built while the backbone is frozen never updates it after unfreezing).
Caught by: freeze/optimizer_includes_frozen_parameters
Mentions: frozen
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    trainable = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.SGD(
        [{"params": [p for p in trainable if p.ndim > 1], "weight_decay": weight_decay},
         {"params": [p for p in trainable if p.ndim <= 1], "weight_decay": 0.0}],
        lr=lr, momentum=momentum, nesterov=True,
    )
