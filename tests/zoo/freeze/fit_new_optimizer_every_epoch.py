"""
Misconception: building the optimizer at the start of every epoch is harmless (each new SGD starts with no momentum, so every epoch throws away what momentum had gathered).
Caught by: freeze/fit_uses_the_two_group_optimizer
Mentions: new optimizer, momentum
"""
from torch.utils.data import DataLoader


def fit(model, dataset, *, freeze_epochs, unfreeze_epochs, freeze_batch_size,
        unfreeze_batch_size, lr, unfreeze_lr):
    history = []
    for epoch in range(freeze_epochs + unfreeze_epochs):
        frozen = epoch < freeze_epochs
        if epoch == freeze_epochs:
            unfreeze(model.backbone)  # noqa: F821
        optimizer = build_optimizer(model, lr if frozen else unfreeze_lr)  # noqa: F821
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
            optimizer.step()
            total += loss.item()
            batches += 1
        history.append({"epoch": epoch, "phase": "freeze" if frozen else "unfreeze",
                        "loss": total / batches, "trainable_params": trainable})
    return history
