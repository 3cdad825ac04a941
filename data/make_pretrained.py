"""Pretrain the TinyYOLO backbone and save it to data/pretrained/tinyyolo_backbone.pt.

The pretraining task is a simpler cousin of the assignment's: find every head, whatever it
wears. A TinyYOLO with a single class ("head or helmet", i.e. no class to tell apart) is
trained on the train split of data/helmet for a few epochs, with horizontal flips as the
only augmentation. Only the backbone's state_dict is kept; the one-class head is thrown away.
The assignment then puts a fresh two-class head on this backbone: with the backbone frozen,
the head learns quickly because locating heads is already solved; unfreezing lets the
backbone sharpen the helmet-versus-head distinction it was never trained for.

Seeds are fixed, so a rerun on the same machine and library versions gives the same
weights (bit-for-bit equality across machines or thread counts is not promised by
PyTorch). It takes well under two minutes on two CPU cores.

Usage (from the repository root)::

    python data/make_pretrained.py                          # writes data/pretrained/
    python data/make_pretrained.py --out /tmp/backbone.pt --epochs 2
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

DATA_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(DATA_DIR.parent / "solutions" / "freeze"))
import yolo  # noqa: E402  (the single source of the model, loss and data set)

SEED = 0
EPOCHS = 30
BATCH_SIZE = 16
LR = 0.02


def one_class(targets: torch.Tensor) -> torch.Tensor:
    """``(N, 6)`` collated targets with every class id set to 0: "there is a head here"."""
    targets = targets.clone()
    targets[:, 1] = 0
    return targets


def flip(images: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mirror a batch left-right: ``(B, 3, H, W)`` images and their ``(N, 6)`` targets."""
    targets = targets.clone()
    targets[:, 2] = 1 - targets[:, 2]
    return images.flip(-1), targets


def pretrain(epochs: int = EPOCHS, seed: int = SEED, log=print) -> yolo.TinyYOLO:
    """Train a one-class TinyYOLO on the train split; returns the trained model."""
    yolo.set_seed(seed)
    model = yolo.TinyYOLO(num_classes=1)
    dataset = yolo.HelmetDataset(DATA_DIR / "helmet", "train")
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True,
                                         collate_fn=yolo.collate, generator=generator)
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4},
                                 {"params": no_decay, "weight_decay": 0.0}],
                                lr=LR, momentum=0.937, nesterov=True)
    steps = epochs * len(loader)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=steps,
                                                   pct_start=0.1)
    model.train()
    for epoch in range(epochs):
        total = 0.0
        for step, (images, targets) in enumerate(loader):
            targets = one_class(targets)
            if step % 2 == 1:  # every other batch mirrored: deterministic, no extra randomness
                images, targets = flip(images, targets)
            loss = yolo.yolo_loss(model(images), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item()
        log(f"epoch {epoch + 1:2d}/{epochs}  loss {total / len(loader):.4f}")
    return model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR / yolo.PRETRAINED_FILE,
                        help="checkpoint to write (default: data/pretrained/tinyyolo_backbone.pt)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model = pretrain(args.epochs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().clone() for name, tensor in model.backbone.state_dict().items()}
    torch.save(state, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) "
          f"in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
