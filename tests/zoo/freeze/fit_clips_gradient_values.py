"""
Misconception: clamping every gradient value before the step is a harmless safety net (clip_grad_value_ cuts each gradient entry to a bound, so the steps are no longer those of the exercise's loop).
Caught by: freeze/fit_steps_with_each_batch_gradient
Mentions: clip
"""
from torch import nn
from torch.utils.data import DataLoader


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    optimizer = build_optimizer(model, lr)  # noqa: F821
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
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
            optimizer.step()
            total += loss.item()
            batches += 1
        history.append({"epoch": epoch, "phase": "freeze" if frozen else "unfreeze",
                        "loss": total / batches, "trainable_params": trainable})
    return history
