"""
Misconception: gradients can be cleared anywhere in the step (between backward and step they are gone before the optimizer uses them, so nothing trains).
Caught by: freeze/fit_head_learns_while_frozen, freeze/fit_steps_with_each_batch_gradient
Mentions: zero_grad
Costs more: no step of fit applies a gradient, so fit trains nothing the grader could replay: every fit check credits only steps the judge verified as training (a run of steps that change nothing is what a forged report would look like), so each fails with this one cause
"""
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
            loss.backward()
            optimizer.zero_grad(set_to_none=True)
            optimizer.step()
            total += loss.item()
            batches += 1
        history.append({"epoch": epoch, "phase": "freeze" if frozen else "unfreeze",
                        "loss": total / batches, "trainable_params": trainable})
    return history
