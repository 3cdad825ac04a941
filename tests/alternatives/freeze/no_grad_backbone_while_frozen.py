"""Alternative correct solution: during the frozen phase the backbone runs under torch.no_grad()
and the head on its features (model(images) is never called then: the same numbers, no graph
kept for the backbone); the lr switch is written through each group's dict."""
import torch
from torch import nn
from torch.utils.data import DataLoader

from yolo import collate, yolo_loss


def freeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(False)
        parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.eval()
    return module


def unfreeze(module):
    for parameter in module.parameters():
        parameter.requires_grad_(True)
    module.train()
    return module


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    decayed, not_decayed = [], []
    for parameter in model.parameters():
        (decayed if parameter.ndim > 1 else not_decayed).append(parameter)
    return torch.optim.SGD([{"params": decayed, "weight_decay": weight_decay},
                            {"params": not_decayed, "weight_decay": 0.0}],
                           lr=lr, momentum=momentum)


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    optimizer = build_optimizer(model, lr)
    history = []
    for epoch in range(freeze_epochs + unfreeze_epochs):
        frozen = epoch < freeze_epochs
        if epoch == freeze_epochs:
            unfreeze(model.backbone)
            for group in optimizer.param_groups:
                group["lr"] = unfreeze_lr
        model.train()
        if frozen:
            freeze(model.backbone)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        losses = []
        for images, targets in DataLoader(dataset, shuffle=True, collate_fn=collate,
                                          batch_size=freeze_batch_size if frozen
                                          else unfreeze_batch_size):
            if frozen:
                with torch.no_grad():
                    features = model.backbone(images)
                predictions = model.head(features)
            else:
                predictions = model(images)
            loss = yolo_loss(predictions, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        history.append({"epoch": epoch, "phase": "freeze" if frozen else "unfreeze",
                        "loss": sum(losses) / len(losses), "trainable_params": trainable})
    return history
