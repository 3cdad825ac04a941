"""
Misconception: walking model.modules() and taking each module's parameters() visits each parameter once (parameters() recurses, so a parameter comes once per enclosing module).
Caught by: freeze/optimizer_holds_every_parameter_once, freeze/fit_uses_the_two_group_optimizer
Mentions: twice, parameter tensors
"""
import torch


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed, not_decayed = [], []
    for module in model.modules():
        for parameter in module.parameters():
            (decayed if parameter.ndim > 1 else not_decayed).append(parameter)
    return torch.optim.SGD(
        [{"params": decayed, "weight_decay": weight_decay},
         {"params": not_decayed, "weight_decay": 0.0}],
        lr=lr, momentum=momentum, nesterov=True,
    )
