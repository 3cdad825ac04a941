"""Alternative correct solution: explicit loops over parameters and layers; during the frozen
phase only the head is put in train mode (the backbone is never woken up), and the learning
rate is changed with param_group.update."""
import torch
from torch import nn
from torch.utils.data import DataLoader

import yolo

NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)


def freeze(module):
    for name, parameter in module.named_parameters():
        parameter.requires_grad = False
        parameter.grad = None
    for name, layer in module.named_modules():
        if isinstance(layer, NORMS):
            layer.train(False)
    return module


def unfreeze(module):
    for parameter in module.parameters():
        parameter.requires_grad = True
    module.train(True)
    return module


def build_optimizer(model, lr, momentum=0.937, weight_decay=5e-4):
    unique = list(dict.fromkeys(model.parameters()))
    decayed = [p for p in unique if len(p.shape) >= 2]
    rest = [p for p in unique if len(p.shape) < 2]
    return torch.optim.SGD([dict(params=decayed, weight_decay=weight_decay),
                            dict(params=rest, weight_decay=0)],
                           lr=lr, momentum=momentum)


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    optimizer = build_optimizer(model, lr)
    freeze(model.backbone)
    history = []
    for epoch in range(freeze_epochs + unfreeze_epochs):
        phase = "freeze" if epoch < freeze_epochs else "unfreeze"
        if phase == "freeze":
            model.head.train()
        else:
            if epoch == freeze_epochs:
                unfreeze(model.backbone)
                for group in optimizer.param_groups:
                    group.update(lr=unfreeze_lr)
            model.train()
        batch_size = freeze_batch_size if phase == "freeze" else unfreeze_batch_size
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        running, count = 0.0, 0
        for images, targets in DataLoader(dataset, batch_size, shuffle=True,
                                          collate_fn=yolo.collate):
            loss = yolo.yolo_loss(model(images), targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running += float(loss)
            count += 1
        history.append(dict(epoch=epoch, phase=phase, loss=running / count,
                            trainable_params=trainable))
    return history
