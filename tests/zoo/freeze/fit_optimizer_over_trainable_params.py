"""
Misconception: the optimizer is built after freezing, over the parameters that require grad (it never hears of the backbone, so unfreezing trains nothing new).
Caught by: freeze/fit_backbone_learns_after_unfreezing, freeze/fit_uses_the_two_group_optimizer
Mentions: optimizer
"""
import torch
from torch.utils.data import DataLoader


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    freeze(model.backbone)  # noqa: F821
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(
        [{"params": [p for p in trainable if p.ndim > 1], "weight_decay": 5e-4},
         {"params": [p for p in trainable if p.ndim <= 1], "weight_decay": 0.0}],
        lr=lr, momentum=0.937, nesterov=True)
    history = []
    for epoch in range(freeze_epochs + unfreeze_epochs):
        frozen = epoch < freeze_epochs
        if epoch == freeze_epochs:
            unfreeze(model.backbone)  # noqa: F821
            for group in optimizer.param_groups:
                group["lr"] = unfreeze_lr
        model.train()
        if frozen:
            freeze(model.backbone)  # noqa: F821
        loader = DataLoader(dataset, shuffle=True, collate_fn=collate,  # noqa: F821
                            batch_size=freeze_batch_size if frozen else unfreeze_batch_size)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total, batches = 0.0, 0
        for images, targets in loader:
            loss = yolo_loss(model(images), targets)  # noqa: F821
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        history.append({"epoch": epoch, "phase": "freeze" if frozen else "unfreeze",
                        "loss": total / batches, "trainable_params": trainable})
    return history
