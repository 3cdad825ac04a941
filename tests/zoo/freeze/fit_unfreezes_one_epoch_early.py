"""
Misconception: the switch happens at epoch freeze_epochs - 1 (epochs count from 0, so that unfreezes the backbone during the last frozen epoch).
Caught by: freeze/fit_keeps_the_backbone_frozen_first, freeze/fit_with_stale_gradients_and_momentum
Mentions: too early
"""
from torch.utils.data import DataLoader


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    optimizer = build_optimizer(model, lr)  # noqa: F821
    history = []
    for epoch in range(freeze_epochs + unfreeze_epochs):
        phase = "freeze" if epoch < freeze_epochs else "unfreeze"
        model.train()
        if epoch < freeze_epochs - 1:
            freeze(model.backbone)  # noqa: F821
        if epoch == freeze_epochs - 1:
            unfreeze(model.backbone)  # noqa: F821
            for group in optimizer.param_groups:
                group["lr"] = unfreeze_lr
        loader = DataLoader(dataset, shuffle=True, collate_fn=collate,  # noqa: F821
                            batch_size=freeze_batch_size if phase == "freeze"
                            else unfreeze_batch_size)
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        total, batches = 0.0, 0
        for images, targets in loader:
            loss = yolo_loss(model(images), targets)  # noqa: F821
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        history.append({"epoch": epoch, "phase": phase, "loss": total / batches,
                        "trainable_params": trainable})
    return history
