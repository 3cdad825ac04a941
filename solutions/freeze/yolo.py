"""A tiny YOLO-style detector and the helmet data set, for the `freeze` assignment.

This module is given to you: you do not need to change it. It holds

- ``TinyYOLO``: a small one-scale detector with a ``backbone`` (features) and a ``head``
  (per-cell predictions);
- ``HelmetDataset`` and ``collate``: the helmet-detection images and their YOLO labels, ready
  for a ``DataLoader``;
- ``yolo_loss``: the training loss;
- ``decode``, ``evaluate``, ``draw_predictions``, ``show_predictions``: turn predictions into
  boxes, score them (precision, recall, mAP@0.5) and look at them;
- ``load_pretrained_backbone`` and ``find_data_dir``: find the shipped ``data/`` folder and load
  the pretrained backbone weights.

Conventions used everywhere below:

- An image is a float tensor ``(3, H, W)`` with values in [0, 1]; a batch is ``(B, 3, H, W)``.
- A box in a label is ``cx cy w h``: its centre, width and height divided by the image size,
  so all four lie in [0, 1]. Boxes returned by ``decode`` are in pixels, as ``x0 y0 x1 y1``.
- Class ids index ``classes.txt``: 0 is ``helmet`` (a head wearing a hard hat), 1 is ``head``.

Example::

    >>> model = load_pretrained_backbone(TinyYOLO(num_classes=2))
    >>> loader = DataLoader(HelmetDataset(None, "train"), batch_size=16, shuffle=True,
    ...                     collate_fn=collate)
    >>> images, targets = next(iter(loader))     # (16, 3, 96, 96), (N, 6)
    >>> loss = yolo_loss(model(images), targets)  # scalar
"""
from __future__ import annotations

import math
import os
import random
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image
from torch import Tensor, nn

__all__ = [
    "IMAGE_SIZE", "CLASS_NAMES", "DatasetError", "ConvBNAct", "CSPBlock", "TinyYOLO",
    "HelmetDataset", "collate", "yolo_loss", "decode", "evaluate", "draw_predictions",
    "show_predictions", "find_data_dir", "load_pretrained_backbone", "set_seed",
    "cxcywh_to_xyxy",
]

IMAGE_SIZE = 96
CLASS_NAMES = ("helmet", "head")
PRETRAINED_FILE = Path("pretrained") / "tinyyolo_backbone.pt"
REGENERATE_DATA = "python data/make_helmet.py"
REGENERATE_PRETRAINED = "python data/make_pretrained.py"


# --------------------------------------------------------------------------------------------
# Finding the data and making runs repeatable
# --------------------------------------------------------------------------------------------

def find_data_dir() -> Path:
    """The kit's ``data/`` folder (the one holding ``helmet/`` and ``pretrained/``).

    Looked up in this order:

    1. the environment variable ``KIT_DATA_DIR``, if set;
    2. the first folder named ``data`` with a ``helmet/`` folder inside, walking up from the
       current working directory (the notebook's folder);
    3. the same, walking up from the folder that holds this file.

    Raises:
        FileNotFoundError: if ``KIT_DATA_DIR`` is not a folder, or no such folder is found.
    """
    env = os.environ.get("KIT_DATA_DIR")
    if env:
        path = Path(env).expanduser().resolve()
        if not path.is_dir():
            raise FileNotFoundError(f"KIT_DATA_DIR is set to {env!r}, which is not a folder")
        return path
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for folder in (start, *start.parents):
            for candidate in (folder, folder / "data"):
                if candidate.name == "data" and (candidate / "helmet").is_dir():
                    return candidate
    raise FileNotFoundError(
        "cannot find the kit's data/ folder (a folder named 'data' holding 'helmet/') above "
        f"{starts[0]} or above {starts[1]}; run from inside the kit or set KIT_DATA_DIR to it"
    )


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's random generators, for repeatable runs."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------

class ConvBNAct(nn.Sequential):
    """Conv2d (no bias) -> BatchNorm2d -> SiLU: the building block of every YOLO.

    Shape:
        ``(B, in_channels, H, W) -> (B, out_channels, H / stride, W / stride)``
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1) -> None:
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.SiLU(),
        )


class CSPBlock(nn.Module):
    """A small Cross Stage Partial block, a slimmed-down cousin of YOLOv5's C3.

    The input is split into two halves by 1x1 convolutions; one goes through a residual
    bottleneck (1x1 then 3x3), the other skips it; the two are concatenated and mixed by a
    last 1x1 convolution.

    Shape:
        ``(B, channels, H, W) -> (B, channels, H, W)``
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        half = channels // 2
        self.split_main = ConvBNAct(channels, half, 1)
        self.split_skip = ConvBNAct(channels, half, 1)
        self.bottleneck = nn.Sequential(ConvBNAct(half, half, 1), ConvBNAct(half, half, 3))
        self.merge = ConvBNAct(2 * half, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        main = self.split_main(x)
        main = main + self.bottleneck(main)
        return self.merge(torch.cat([main, self.split_skip(x)], dim=1))


class TinyYOLO(nn.Module):
    """A one-scale YOLO-style detector, small enough to train on a laptop CPU.

    The backbone turns an image into a grid of feature vectors, downsampling by 8
    (96 x 96 pixels -> 12 x 12 cells). The head maps each cell's features to
    ``5 + num_classes`` numbers; the last layer is a 1x1 convolution, so every cell is
    predicted the same way. The object whose box centre falls in a cell is that cell's to find.

    Output layout, per cell ``(row i, column j)`` of ``predictions[b, :, i, j]``:

    - channel 0: objectness logit (``sigmoid`` = probability an object is centred here);
    - channels 1, 2: box centre offsets inside the cell, as logits:
      ``cx = (j + sigmoid(p[1])) / S``, ``cy = (i + sigmoid(p[2])) / S``;
    - channels 3, 4: box width and height as logits: ``w = sigmoid(p[3])``,
      ``h = sigmoid(p[4])`` (fractions of the image size);
    - channels ``5 ..``: class logits (softmax over classes).

    Args:
        num_classes: number of object classes (2 for the helmet data set).

    Attributes:
        backbone: ``nn.Sequential`` of Conv-BN-SiLU and CSP blocks, ``(B, 3, H, W) ->
            (B, 64, H / 8, W / 8)``.
        head: ``nn.Sequential``, ``(B, 64, S, S) -> (B, 5 + num_classes, S, S)``.
        stride: 8, the number of input pixels per grid cell along each side.

    Shape:
        - Input: ``(B, 3, H, W)`` floats in [0, 1], ``H`` and ``W`` multiples of 8.
        - Output: ``(B, 5 + num_classes, H / 8, W / 8)`` raw logits (no sigmoid applied).

    Example::

        >>> model = TinyYOLO(num_classes=2)
        >>> model(torch.rand(4, 3, 96, 96)).shape
        torch.Size([4, 7, 12, 12])
    """

    stride = 8
    feature_channels = 64

    def __init__(self, num_classes: int = 2) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.backbone = nn.Sequential(
            ConvBNAct(3, 16, 3, stride=2),    # 96 -> 48
            ConvBNAct(16, 32, 3, stride=2),   # 48 -> 24
            CSPBlock(32),
            ConvBNAct(32, 64, 3, stride=2),   # 24 -> 12
            CSPBlock(64),
        )
        self.head = nn.Sequential(
            ConvBNAct(self.feature_channels, 64, 3),
            ConvBNAct(64, 32, 1),
            nn.Conv2d(32, 5 + num_classes, 1),
        )
        self.reset_head()
        # Channels-last weights make PyTorch's CPU convolutions about a quarter faster here;
        # it changes how the weights are laid out in memory, not what they are.
        self.to(memory_format=torch.channels_last)

    def reset_head(self) -> None:
        """Re-initialise the head; the last layer starts by predicting "no object" everywhere.

        Starting the objectness bias at a low prior (1%) keeps the first steps from being
        dominated by the many empty cells, a trick from RetinaNet and YOLOv5.
        """
        for module in self.head.modules():
            if isinstance(module, (nn.Conv2d, nn.BatchNorm2d)):
                module.reset_parameters()
        last = self.head[-1]
        with torch.no_grad():
            last.bias.zero_()
            last.bias[0] = math.log(0.01 / 0.99)

    def forward(self, images: Tensor) -> Tensor:
        """``(B, 3, H, W)`` images in [0, 1] -> ``(B, 5 + num_classes, H / 8, W / 8)`` logits."""
        return self.head(self.backbone(images))


# --------------------------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------------------------

class DatasetError(ValueError):
    """The data set on disk is not as expected: the message names the file (and line)."""


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
SPLIT_NAMES = ("train", "val")


def read_classes(path: Path) -> list[str]:
    """The class names in ``classes.txt``, one per non-empty line; class id = line order."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found (expected the class names, one per line; "
                           f"regenerate the data with `{REGENERATE_DATA}`)")
    names = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    if not names:
        raise DatasetError(f"{path}: no class names in the file")
    return names


def read_labels(path: Path, num_classes: int) -> Tensor:
    """Parse one YOLO label file into a ``(n, 5)`` float tensor of ``class cx cy w h``.

    Empty lines are skipped. Raises ``DatasetError`` naming the file and line for a line
    without exactly five fields, a field that is not a number, a class id that is not an
    integer in ``[0, num_classes)``, or box values outside [0, 1] (width and height must
    also be positive).
    """
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{path}, line {number}"
        if len(fields) != 5:
            raise DatasetError(f"{where}: expected 5 fields 'class cx cy w h', "
                               f"got {len(fields)}: {line.strip()!r}")
        try:
            values = [float(field) for field in fields]
        except ValueError:
            raise DatasetError(f"{where}: every field must be a number, got {line.strip()!r}") \
                from None
        if not all(math.isfinite(v) for v in values):
            raise DatasetError(f"{where}: every field must be a finite number, "
                               f"got {line.strip()!r}")
        cls, cx, cy, w, h = values
        if not cls.is_integer():
            raise DatasetError(f"{where}: the class id must be an integer, got {fields[0]!r}")
        if not 0 <= cls < num_classes:
            raise DatasetError(f"{where}: unknown class {int(cls)}; classes.txt names "
                               f"{num_classes} classes, ids 0 to {num_classes - 1}")
        if not all(0.0 <= v <= 1.0 for v in (cx, cy, w, h)) or w == 0 or h == 0:
            raise DatasetError(f"{where}: cx, cy, w, h must lie in [0, 1] (w, h above 0), "
                               f"as fractions of the image size; got {line.strip()!r}")
        rows.append(values)
    return torch.tensor(rows, dtype=torch.float32).reshape(-1, 5)


class HelmetDataset(torch.utils.data.Dataset):
    """The helmet-detection images and their YOLO labels, read from disk.

    Expects the YOLO folder layout::

        root/classes.txt                   class names, one per line (id = line number - 1)
        root/images/<split>/NNNN.png       RGB images
        root/labels/<split>/NNNN.txt       one line per object: class cx cy w h

    An image without a label file has no objects (the YOLO convention); a label file without
    its image is an error. All labels are read and checked when the data set is built, so a
    bad file is reported at once; images are loaded when an item is asked for.

    Args:
        root: the ``helmet`` folder; ``None`` means ``find_data_dir() / "helmet"``.
        split: ``"train"`` or ``"val"``.
        limit: if given, keep only the first ``limit`` images (sorted by file name).
        indices: if given, keep only the images at these positions (after sorting by name).

    Attributes:
        classes: the class names, e.g. ``["helmet", "head"]``.
        image_paths, label_paths: one path per item (a label path may not exist).
        targets: one ``(n, 5)`` tensor per item, as returned by ``__getitem__``.

    Items:
        ``(image, target)``: ``image`` a float tensor ``(3, H, W)`` in [0, 1], ``target`` a
        float tensor ``(n, 5)`` of ``class cx cy w h`` rows, ``n >= 0``.

    Raises:
        DatasetError: unknown split, missing folder or classes.txt, an image that is missing
            for a label file, or a malformed label line (the message names file and line).
    """

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train", *,
                 limit: int | None = None, indices: list[int] | None = None) -> None:
        if split not in SPLIT_NAMES:
            raise DatasetError(f"unknown split {split!r}; the splits are "
                               f"{', '.join(map(repr, SPLIT_NAMES))}")
        self.root = Path(root) if root is not None else find_data_dir() / "helmet"
        self.split = split
        if not self.root.is_dir():
            raise DatasetError(f"{self.root}: data folder not found "
                               f"(regenerate it with `{REGENERATE_DATA}`)")
        self.classes = read_classes(self.root / "classes.txt")
        image_dir = self.root / "images" / split
        label_dir = self.root / "labels" / split
        if not image_dir.is_dir():
            raise DatasetError(f"{image_dir}: image folder for split {split!r} not found")
        images = {p.stem: p for p in image_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
        labels = ({p.stem: p for p in label_dir.glob("*.txt")} if label_dir.is_dir() else {})
        orphans = sorted(set(labels) - set(images))
        if orphans:
            raise DatasetError(f"{labels[orphans[0]]}: image missing: no {orphans[0]}.png "
                               f"(or .jpg) in {image_dir}")
        stems = sorted(images)
        if indices is not None:
            stems = [stems[i] for i in indices]
        if limit is not None:
            stems = stems[:limit]
        self.image_paths = [images[s] for s in stems]
        self.label_paths = [label_dir / f"{s}.txt" for s in stems]
        self.targets = [
            read_labels(p, len(self.classes)) if p.is_file() else torch.zeros(0, 5)
            for p in self.label_paths
        ]

    def __len__(self) -> int:
        return len(self.image_paths)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        path = self.image_paths[index]
        try:
            with Image.open(path) as image:
                array = np.asarray(image.convert("RGB"), dtype=np.uint8)
        except OSError as error:
            raise DatasetError(f"{path}: cannot read the image ({error})") from None
        image = torch.from_numpy(array.copy()).permute(2, 0, 1).float().div_(255)
        return image, self.targets[index].clone()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(root={str(self.root)!r}, split={self.split!r}, "
                f"images={len(self)}, classes={self.classes})")


def collate(batch: list[tuple[Tensor, Tensor]]) -> tuple[Tensor, Tensor]:
    """Stack ``(image, target)`` items into one batch, for ``DataLoader(collate_fn=collate)``.

    Images all have the same size, so they stack; images hold different numbers of boxes,
    so the boxes are concatenated and each row is tagged with the index of its image.

    Args:
        batch: a list of ``B`` items, each ``(image (3, H, W), target (n_k, 5))``.

    Returns:
        ``images`` of shape ``(B, 3, H, W)`` and ``targets`` of shape ``(N, 6)``, where
        ``N = sum(n_k)`` and each row is ``batch_index, class, cx, cy, w, h``.
    """
    images = torch.stack([image for image, _ in batch])
    rows = [
        torch.cat([torch.full((len(target), 1), float(k)), target], dim=1)
        for k, (_, target) in enumerate(batch)
    ]
    return images, torch.cat(rows).reshape(-1, 6)


# --------------------------------------------------------------------------------------------
# Loss and decoding
# --------------------------------------------------------------------------------------------

BOX_GAIN = 2.0   # weight of the GIoU term
OBJ_GAIN = 4.0   # weight of the objectness term (averaged over every cell, mostly empty)
CLS_GAIN = 1.0   # weight of the class term


def cxcywh_to_xyxy(boxes: Tensor) -> Tensor:
    """``(..., 4)`` boxes ``cx cy w h`` -> ``(..., 4)`` boxes ``x0 y0 x1 y1`` (same units)."""
    cx, cy, w, h = boxes.unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)


def cell_boxes(predictions: Tensor) -> Tensor:
    """Predicted boxes ``(B, S, S, 4)`` as normalised ``cx cy w h``, from ``(B, 5 + C, S, S)``."""
    _, _, rows, cols = predictions.shape
    i = torch.arange(rows, device=predictions.device, dtype=predictions.dtype).view(rows, 1)
    j = torch.arange(cols, device=predictions.device, dtype=predictions.dtype).view(1, cols)
    cx = (j + predictions[:, 1].sigmoid()) / cols
    cy = (i + predictions[:, 2].sigmoid()) / rows
    return torch.stack([cx, cy, predictions[:, 3].sigmoid(), predictions[:, 4].sigmoid()], -1)


def yolo_loss(predictions: Tensor, targets: Tensor) -> Tensor:
    """The detection loss: objectness + box + class, each averaged, so batch sizes compare.

    Each target box is assigned to the grid cell that holds its centre. Then

    - objectness: binary cross-entropy between every cell's objectness logit and 1 (a box is
      assigned to the cell) or 0 (none is), averaged over all ``B * S * S`` cells;
    - box: ``1 - GIoU`` between each target box and the box its cell predicts, averaged over
      the target boxes;
    - class: cross-entropy between each assigned cell's class logits and the box's class,
      averaged over the target boxes.

    The three are weighted by ``OBJ_GAIN``, ``BOX_GAIN``, ``CLS_GAIN`` and summed. With no
    target box in the batch, the box and class terms are 0.

    Args:
        predictions: ``(B, 5 + C, S, S)``, the model's output (see ``TinyYOLO``).
        targets: ``(N, 6)`` rows ``batch_index, class, cx, cy, w, h`` as made by ``collate``
            (box values normalised to [0, 1]).

    Returns:
        A scalar tensor (0-dimensional), differentiable with respect to ``predictions``.
    """
    if predictions.dim() != 4 or predictions.shape[1] < 6:
        raise ValueError(f"predictions must have shape (B, 5 + num_classes, S, S), "
                         f"got {tuple(predictions.shape)}")
    if targets.dim() != 2 or targets.shape[1] != 6:
        raise ValueError(f"targets must have shape (N, 6) rows 'batch_index class cx cy w h', "
                         f"got {tuple(targets.shape)}")
    batch, _, rows, cols = predictions.shape
    targets = targets.to(device=predictions.device, dtype=predictions.dtype)
    b = targets[:, 0].long()
    cls = targets[:, 1].long()
    gj = (targets[:, 2] * cols).long().clamp_(0, cols - 1)   # column of the box centre
    gi = (targets[:, 3] * rows).long().clamp_(0, rows - 1)   # row of the box centre

    objectness_target = torch.zeros_like(predictions[:, 0])
    objectness_target[b, gi, gj] = 1.0
    obj_loss = F.binary_cross_entropy_with_logits(predictions[:, 0], objectness_target)

    if len(targets) == 0:
        zero = predictions.sum() * 0.0   # keeps the graph, so backward() still works
        return OBJ_GAIN * obj_loss + zero
    boxes = cell_boxes(predictions)[b, gi, gj]                     # (N, 4) cx cy w h
    box_loss = torchvision.ops.generalized_box_iou_loss(
        cxcywh_to_xyxy(boxes), cxcywh_to_xyxy(targets[:, 2:]), reduction="mean"
    )
    class_logits = predictions[b, 5:, gi, gj]                      # (N, C)
    cls_loss = F.cross_entropy(class_logits, cls)
    return OBJ_GAIN * obj_loss + BOX_GAIN * box_loss + CLS_GAIN * cls_loss


def decode(predictions: Tensor, conf_threshold: float = 0.25, iou_threshold: float = 0.45,
           image_size: int | tuple[int, int] = IMAGE_SIZE, max_detections: int = 100,
           ) -> list[dict[str, Tensor]]:
    """Turn raw predictions into detections: score, threshold, then non-maximum suppression.

    A cell's score for its best class is ``sigmoid(objectness) * softmax(class logits)``.
    Cells scoring below ``conf_threshold`` are dropped; among overlapping boxes of the same
    class (IoU above ``iou_threshold``), only the best-scoring one is kept
    (``torchvision.ops.batched_nms``).

    Args:
        predictions: ``(B, 5 + C, S, S)`` model output.
        conf_threshold: lowest score kept.
        iou_threshold: IoU above which a lower-scoring box of the same class is suppressed.
        image_size: ``H`` or ``(H, W)`` of the input images in pixels (96 for the helmet data).
        max_detections: at most this many detections per image, best first.

    Returns:
        A list of ``B`` dicts, one per image, with ``boxes`` ``(K, 4)`` float pixel
        ``x0 y0 x1 y1``, ``scores`` ``(K,)`` float in [0, 1] and ``labels`` ``(K,)`` int64
        class ids, sorted by decreasing score.
    """
    height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
    predictions = predictions.detach()
    batch = predictions.shape[0]
    boxes = cxcywh_to_xyxy(cell_boxes(predictions)).reshape(batch, -1, 4)
    scale = torch.tensor([width, height, width, height], dtype=boxes.dtype, device=boxes.device)
    boxes = boxes * scale
    objectness = predictions[:, 0].sigmoid().reshape(batch, -1)                 # (B, S*S)
    class_probs = predictions[:, 5:].softmax(dim=1).flatten(2).transpose(1, 2)  # (B, S*S, C)
    best_prob, labels = class_probs.max(dim=2)
    scores = objectness * best_prob
    results = []
    for k in range(batch):
        keep = scores[k] >= conf_threshold
        kept_boxes, kept_scores, kept_labels = boxes[k][keep], scores[k][keep], labels[k][keep]
        order = torchvision.ops.batched_nms(kept_boxes, kept_scores, kept_labels, iou_threshold)
        order = order[:max_detections]
        results.append({"boxes": kept_boxes[order], "scores": kept_scores[order],
                        "labels": kept_labels[order]})
    return results


# --------------------------------------------------------------------------------------------
# Evaluation and pictures
# --------------------------------------------------------------------------------------------

def average_precision(recall: Tensor, precision: Tensor) -> float:
    """Area under the precision-recall curve, with precision made non-increasing first
    (every-point interpolation, as in Pascal VOC 2010 and later)."""
    recall = torch.cat([torch.zeros(1), recall, torch.ones(1)])
    precision = torch.cat([torch.ones(1), precision, torch.zeros(1)])
    precision = precision.flip(0).cummax(0).values.flip(0)
    return float(((recall[1:] - recall[:-1]) * precision[1:]).sum())


def match_detections(detections: dict[str, Tensor], truth: Tensor,
                     iou_match: float) -> Tensor:
    """Mark each detection (in decreasing score order) as a true positive or not.

    A detection is a true positive if it overlaps a not yet matched ground-truth box of its
    class with IoU >= ``iou_match``; it takes the best such box. ``truth`` is ``(n, 5)`` rows
    ``class x0 y0 x1 y1`` in pixels. Returns a ``(K,)`` bool tensor.
    """
    boxes, labels = detections["boxes"], detections["labels"]
    hits = torch.zeros(len(boxes), dtype=torch.bool)
    if len(boxes) == 0 or len(truth) == 0:
        return hits
    iou = torchvision.ops.box_iou(boxes, truth[:, 1:])                # (K, n)
    iou[labels.view(-1, 1) != truth[:, 0].long().view(1, -1)] = -1.0  # other classes never match
    taken = torch.zeros(len(truth), dtype=torch.bool)
    for d in range(len(boxes)):
        candidates = iou[d].masked_fill(taken, -1.0)
        best = int(candidates.argmax())
        if candidates[best] >= iou_match:
            hits[d] = True
            taken[best] = True
    return hits


def evaluate(model: nn.Module, dataset, batch_size: int = 32, conf_threshold: float = 0.25,
             iou_threshold: float = 0.45, iou_match: float = 0.5) -> dict[str, float]:
    """Score a detector on a data set: precision, recall and mAP at IoU 0.5.

    The model runs in eval mode under ``torch.no_grad()``; afterwards every submodule is put
    back in the train/eval mode it had before (so a frozen backbone stays frozen). The global
    random generators are not used.

    - ``precision`` and ``recall`` count the detections scoring at least ``conf_threshold``:
      a detection is correct if it overlaps an unclaimed true box of its class with
      IoU >= ``iou_match``.
    - ``map50``: for each class, the area under its precision-recall curve over all
      detections (score >= 0.001), averaged over the classes that have boxes in the data.

    Args:
        model: a detector returning ``(B, 5 + C, S, S)`` predictions, like ``TinyYOLO``.
        dataset: yields ``(image, target)`` items like ``HelmetDataset`` (a ``Subset`` works).
        batch_size: images per forward pass.
        conf_threshold: score threshold for precision and recall.
        iou_threshold: NMS threshold passed to ``decode``.
        iou_match: IoU a detection needs with a true box to count as correct.

    Returns:
        ``{"precision": float, "recall": float, "map50": float, "ap50": list[float]}`` with
        ``ap50`` the per-class AP (``nan`` for a class without boxes in the data).
    """
    modes = [(module, module.training) for module in model.modules()]
    device = next(model.parameters()).device
    # Batches are cut by hand rather than with a DataLoader, whose iterator draws from the
    # global random generator: evaluating must not change the course of a seeded training run.
    loader = (collate([dataset[k] for k in range(start, min(start + batch_size, len(dataset)))])
              for start in range(0, len(dataset), batch_size))
    scores, labels, hits = [], [], []
    true_counts = None
    try:
        model.eval()
        with torch.no_grad():
            for images, targets in loader:
                predictions = model(images.to(device)).float().cpu()
                height, width = images.shape[-2:]
                if true_counts is None:
                    true_counts = torch.zeros(predictions.shape[1] - 5, dtype=torch.long)
                detections = decode(predictions, conf_threshold=0.001,
                                    iou_threshold=iou_threshold, image_size=(height, width))
                scale = torch.tensor([width, height, width, height], dtype=torch.float32)
                for k, found in enumerate(detections):
                    rows = targets[targets[:, 0] == k]
                    truth = torch.cat([rows[:, 1:2], cxcywh_to_xyxy(rows[:, 2:]) * scale], 1)
                    true_counts += torch.bincount(rows[:, 1].long(), minlength=len(true_counts))
                    scores.append(found["scores"])
                    labels.append(found["labels"])
                    hits.append(match_detections(found, truth, iou_match))
    finally:
        for module, training in modes:
            module.training = training
    if true_counts is None:
        raise ValueError("evaluate() needs a data set with at least one image")
    scores, labels, hits = torch.cat(scores), torch.cat(labels), torch.cat(hits)

    confident = scores >= conf_threshold
    true_positives = int((hits & confident).sum())
    precision = true_positives / int(confident.sum()) if confident.any() else 0.0
    total_true = int(true_counts.sum())
    recall = true_positives / total_true if total_true else 0.0

    ap50 = []
    for c in range(len(true_counts)):
        if true_counts[c] == 0:
            ap50.append(float("nan"))
            continue
        mine = labels == c
        order = torch.sort(scores[mine], descending=True, stable=True).indices
        tp = hits[mine][order].float().cumsum(0)
        seen = torch.arange(1, len(order) + 1, dtype=torch.float32)
        ap50.append(average_precision(tp / float(true_counts[c]), tp / seen))
    present = [ap for ap in ap50 if not math.isnan(ap)]
    map50 = sum(present) / len(present) if present else 0.0
    return {"precision": float(precision), "recall": float(recall), "map50": float(map50),
            "ap50": ap50}


def draw_predictions(image: Tensor, detections: dict[str, Tensor],
                     class_names: tuple[str, ...] | list[str] = CLASS_NAMES,
                     scale: int = 1) -> Tensor:
    """Draw detections (or true boxes) on an image with ``torchvision.utils.draw_bounding_boxes``.

    Args:
        image: ``(3, H, W)`` float in [0, 1] (or uint8).
        detections: a dict from ``decode``: ``boxes`` ``(K, 4)`` pixel ``x0 y0 x1 y1``,
            ``labels`` ``(K,)``, and optionally ``scores`` ``(K,)`` (shown next to the name).
        class_names: name of each class id.
        scale: enlarge the image this many times first (nearest neighbour), so the labels
            stay readable on small images.

    Returns:
        A ``(3, H * scale, W * scale)`` uint8 image tensor.
    """
    image = image.detach().cpu()
    if image.dtype != torch.uint8:
        image = (image.clamp(0, 1) * 255).round().to(torch.uint8)
    boxes = detections["boxes"].detach().cpu().float() * scale
    if scale != 1:
        image = image.repeat_interleave(scale, dim=1).repeat_interleave(scale, dim=2)
    if len(boxes) == 0:
        return image
    labels = detections["labels"].tolist()
    texts = [class_names[c] for c in labels]
    if "scores" in detections:
        texts = [f"{text} {score:.2f}" for text, score in zip(texts, detections["scores"].tolist())]
    palette = ["yellow", "cyan", "magenta", "lime", "orange", "white"]
    colors = [palette[c % len(palette)] for c in labels]
    return torchvision.utils.draw_bounding_boxes(image, boxes, labels=texts, colors=colors,
                                                 width=max(1, scale))


def show_predictions(model: nn.Module, dataset, n: int = 4, conf_threshold: float = 0.25,
                     scale: int = 3):
    """Plot the model's detections on the first ``n`` images of ``dataset`` (matplotlib).

    The model runs in eval mode under ``torch.no_grad()``; its modes are restored afterwards.
    Returns the matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt

    class_names = getattr(dataset, "classes", CLASS_NAMES)
    images = torch.stack([dataset[k][0] for k in range(min(n, len(dataset)))])
    modes = [(module, module.training) for module in model.modules()]
    try:
        model.eval()
        with torch.no_grad():
            predictions = model(images.to(next(model.parameters()).device)).float().cpu()
    finally:
        for module, training in modes:
            module.training = training
    detections = decode(predictions, conf_threshold=conf_threshold,
                        image_size=tuple(images.shape[-2:]))
    fig, axes = plt.subplots(1, len(images), figsize=(3 * len(images), 3), squeeze=False)
    for ax, image, found in zip(axes[0], images, detections):
        drawn = draw_predictions(image, found, class_names, scale=scale)
        ax.imshow(drawn.permute(1, 2, 0).numpy())
        ax.set_axis_off()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Pretrained weights
# --------------------------------------------------------------------------------------------

def load_pretrained_backbone(model: TinyYOLO, path: str | os.PathLike | None = None) -> TinyYOLO:
    """Load the shipped pretrained backbone weights into ``model.backbone`` (strictly).

    Only the backbone is loaded; the head keeps its (fresh) weights.

    Args:
        model: a ``TinyYOLO``.
        path: the checkpoint; ``None`` means ``find_data_dir() / "pretrained/tinyyolo_backbone.pt"``.

    Returns:
        ``model`` itself, so ``model = load_pretrained_backbone(TinyYOLO())`` works.

    Raises:
        FileNotFoundError: the checkpoint does not exist (the message says how to rebuild it).
    """
    path = Path(path) if path is not None else find_data_dir() / PRETRAINED_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: pretrained backbone not found; rebuild it with "
                                f"`{REGENERATE_PRETRAINED}` from the kit's root folder")
    device = next(model.backbone.parameters()).device
    state = torch.load(path, map_location=device, weights_only=True)
    model.backbone.load_state_dict(state, strict=True)
    return model
