"""Alternative correct solution: module-level requires_grad_, zero_grad and apply; the optimizer
rebuilt with build_optimizer when the backbone is unfrozen; one DataLoader per phase."""
import torch
from torch import nn
from torch.utils.data import DataLoader

from yolo import collate, yolo_loss


def _batchnorm_eval(layer):
    if isinstance(layer, nn.modules.batchnorm._BatchNorm):
        layer.eval()


def freeze(module):
    module.requires_grad_(False)
    module.zero_grad(set_to_none=True)
    module.apply(_batchnorm_eval)
    return module


def unfreeze(module):
    return module.requires_grad_(True).train()


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    groups = {True: [], False: []}
    for _, parameter in model.named_parameters():      # shared parameters come once
        groups[parameter.dim() > 1].append(parameter)
    optimizer = torch.optim.SGD(groups[True], lr=lr, momentum=momentum,
                                weight_decay=weight_decay)
    optimizer.add_param_group({"params": groups[False], "weight_decay": 0.0})
    return optimizer


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    history = []
    phases = (("freeze", freeze_epochs, freeze_batch_size, lr),
              ("unfreeze", unfreeze_epochs, unfreeze_batch_size, unfreeze_lr))
    for phase, epochs, batch_size, phase_lr in phases:
        if phase == "unfreeze":
            unfreeze(model.backbone)
        optimizer = build_optimizer(model, phase_lr)
        loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, collate_fn=collate)
        for _ in range(epochs):
            model.train()
            if phase == "freeze":
                freeze(model.backbone)
            trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
            losses = []
            for images, targets in loader:
                optimizer.zero_grad()
                loss = yolo_loss(model(images), targets)
                loss.backward()
                optimizer.step()
                losses.append(loss.detach())
            history.append({"epoch": len(history), "phase": phase,
                            "loss": torch.stack(losses).mean().item(),
                            "trainable_params": trainable})
    return history
