"""Tests of the `freeze` assignment's support code: the helmet data, its generator and yolo.py.

yolo.py is imported from its single source, solutions/freeze/yolo.py, under a private module
name so it cannot clash with another `yolo` module on sys.path.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
YOLO_SOURCE = REPO / "solutions" / "freeze" / "yolo.py"
S = 12  # grid size for 96-pixel images


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def yolo():
    return load_module("freeze_yolo_under_test", YOLO_SOURCE)


@pytest.fixture(scope="module")
def train_set(yolo):
    return yolo.HelmetDataset(DATA / "helmet", "train")


def perfect_predictions(targets: torch.Tensor, batch: int, num_classes: int = 2,
                        confidence: float = 12.0) -> torch.Tensor:
    """Logits ``(batch, 5 + C, S, S)`` that predict exactly the ``(N, 6)`` collated targets."""
    predictions = torch.full((batch, 5 + num_classes, S, S), -confidence)
    for b, cls, cx, cy, w, h in targets.tolist():
        i, j = min(int(cy * S), S - 1), min(int(cx * S), S - 1)
        predictions[int(b), 0, i, j] = confidence
        predictions[int(b), 1:5, i, j] = torch.logit(
            torch.tensor([cx * S - j, cy * S - i, w, h]), eps=1e-6)
        predictions[int(b), 5:, i, j] = -confidence
        predictions[int(b), 5 + int(cls), i, j] = confidence
    return predictions


def write_mini_set(root: Path, labels: dict[str, str], images: list[str] | None = None,
                   split: str = "train") -> Path:
    """A tiny data set in the YOLO layout: `labels` maps a file stem to its label text."""
    (root / "images" / split).mkdir(parents=True, exist_ok=True)
    (root / "labels" / split).mkdir(parents=True, exist_ok=True)
    (root / "classes.txt").write_text("helmet\nhead\n")
    for stem in labels if images is None else images:
        Image.new("RGB", (96, 96), (40, 120, 200)).save(root / "images" / split / f"{stem}.png")
    for stem, text in labels.items():
        (root / "labels" / split / f"{stem}.txt").write_text(text)
    return root


# ---- the shipped data ---------------------------------------------------------------------

def test_shipped_splits_have_expected_sizes_and_classes(yolo, train_set):
    val_set = yolo.HelmetDataset(DATA / "helmet", "val")
    assert (len(train_set), len(val_set)) == (400, 100), "expected 400 train and 100 val images"
    assert train_set.classes == ["helmet", "head"], f"classes.txt gave {train_set.classes}"
    for dataset in (train_set, val_set):
        counts = torch.bincount(torch.cat(dataset.targets)[:, 0].long(), minlength=2)
        assert len(counts) == 2 and (counts > 0.3 * counts.sum()).all(), \
            f"{dataset.split}: both classes should be common, got counts {counts.tolist()}"


def test_shipped_items_have_documented_shapes_and_ranges(train_set):
    for index in (0, 1, 199, 399):
        image, target = train_set[index]
        assert image.shape == (3, 96, 96) and image.dtype == torch.float32, \
            f"item {index}: image {tuple(image.shape)} {image.dtype}, expected (3, 96, 96) float32"
        assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0, "pixels must be in [0, 1]"
        assert target.dim() == 2 and target.shape[1] == 5 and 1 <= len(target) <= 4, \
            f"item {index}: target shape {tuple(target.shape)}, expected (1..4, 5)"
        assert set(target[:, 0].tolist()) <= {0.0, 1.0}
        assert ((target[:, 1:] > 0) & (target[:, 1:] <= 1)).all(), "boxes must be in (0, 1]"


def test_shipped_data_is_small():
    total = sum(p.stat().st_size for p in (DATA / "helmet").rglob("*") if p.is_file())
    assert total < 5_000_000, f"data/helmet holds {total / 1e6:.1f} MB, expected under 5 MB"
    checkpoint = DATA / "pretrained" / "tinyyolo_backbone.pt"
    assert checkpoint.stat().st_size < 1_000_000, "the pretrained backbone should stay under 1 MB"


def test_limit_and_indices_take_a_slice(yolo, train_set):
    assert len(yolo.HelmetDataset(None, "train", limit=7)) == 7
    picked = yolo.HelmetDataset(None, "train", indices=[5, 2])
    assert [p.name for p in picked.image_paths] == ["0005.png", "0002.png"]
    assert torch.equal(picked[1][1], train_set[2][1])


def test_generator_is_byte_identical(tmp_path):
    generator = load_module("make_helmet_under_test", DATA / "make_helmet.py")
    out = tmp_path / "helmet"
    generator.main(["--out", str(out), "--limit", "3"])
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(written) == 1 + 2 * 2 * 3, f"expected classes.txt + 12 files, got {written}"
    for relative in written:
        assert (out / relative).read_bytes() == (DATA / "helmet" / relative).read_bytes(), \
            f"{relative} differs from the shipped copy: make_helmet.py is not deterministic"


# ---- loading errors ----------------------------------------------------------------------

GOOD_LINE = "0 0.5 0.5 0.25 0.3\n"


@pytest.mark.parametrize("bad_line, expected", [
    ("0 0.5 0.5 0.25", "expected 5 fields"),
    ("0 0.5 0.5 0.25 0.3 0.1", "expected 5 fields"),
    ("0 0.5 half 0.25 0.3", "must be a number"),
    ("0 1.5 0.5 0.25 0.3", "[0, 1]"),
    ("1 0.5 0.5 -0.2 0.3", "[0, 1]"),
    ("2 0.5 0.5 0.25 0.3", "unknown class"),
    ("0.5 0.5 0.5 0.25 0.3", "integer"),
])
def test_malformed_label_line_names_file_and_line(yolo, tmp_path, bad_line, expected):
    root = write_mini_set(tmp_path, {"0000": "1 0.2 0.2 0.1 0.1\n", "0001": GOOD_LINE + bad_line})
    with pytest.raises(yolo.DatasetError) as info:
        yolo.HelmetDataset(root, "train")
    message = str(info.value)
    assert "0001.txt" in message and "line 2" in message and expected in message, message
    assert isinstance(info.value, ValueError)


def test_label_without_image_is_reported(yolo, tmp_path):
    root = write_mini_set(tmp_path, {"0000": GOOD_LINE, "0001": GOOD_LINE}, images=["0000"])
    with pytest.raises(yolo.DatasetError, match=r"0001\.txt.*image missing"):
        yolo.HelmetDataset(root, "train")


def test_image_without_label_has_no_objects(yolo, tmp_path):
    root = write_mini_set(tmp_path, {"0000": GOOD_LINE}, images=["0000", "0001"])
    dataset = yolo.HelmetDataset(root, "train")
    assert len(dataset) == 2 and dataset[1][1].shape == (0, 5)
    assert torch.allclose(dataset[0][1], torch.tensor([[0.0, 0.5, 0.5, 0.25, 0.3]]))


def test_unknown_split_and_missing_folders_are_reported(yolo, tmp_path):
    root = write_mini_set(tmp_path, {"0000": GOOD_LINE})
    with pytest.raises(yolo.DatasetError, match="unknown split 'test'"):
        yolo.HelmetDataset(root, "test")
    with pytest.raises(yolo.DatasetError, match="val"):
        yolo.HelmetDataset(root, "val")
    (root / "classes.txt").unlink()
    with pytest.raises(yolo.DatasetError, match="classes.txt"):
        yolo.HelmetDataset(root, "train")


# ---- finding the data and the checkpoint --------------------------------------------------

def test_find_data_dir_prefers_env_var(yolo, tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path))
    assert yolo.find_data_dir() == tmp_path.resolve()
    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="KIT_DATA_DIR"):
        yolo.find_data_dir()


def test_find_data_dir_walks_up_from_cwd(yolo, tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DATA_DIR", raising=False)
    (tmp_path / "kit" / "data" / "helmet").mkdir(parents=True)
    notebook_dir = tmp_path / "kit" / "assignments" / "freeze"
    notebook_dir.mkdir(parents=True)
    monkeypatch.chdir(notebook_dir)
    assert yolo.find_data_dir() == (tmp_path / "kit" / "data").resolve()
    monkeypatch.chdir(REPO / "solutions" / "freeze")
    assert yolo.find_data_dir() == DATA


def test_find_data_dir_falls_back_to_module_folder_then_fails(yolo, tmp_path, monkeypatch):
    monkeypatch.delenv("KIT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert yolo.find_data_dir() == DATA
    monkeypatch.setattr(yolo, "__file__", str(tmp_path / "scratch" / "yolo.py"))
    with pytest.raises(FileNotFoundError, match="KIT_DATA_DIR"):
        yolo.find_data_dir()


def test_load_pretrained_backbone(yolo, tmp_path):
    torch.manual_seed(0)
    model = yolo.TinyYOLO()
    head_before = {k: v.clone() for k, v in model.head.state_dict().items()}
    assert yolo.load_pretrained_backbone(model) is model
    saved = torch.load(DATA / "pretrained" / "tinyyolo_backbone.pt", weights_only=True)
    for name, tensor in model.backbone.state_dict().items():
        assert torch.equal(tensor, saved[name]), f"backbone.{name} was not loaded"
    for name, tensor in model.head.state_dict().items():
        assert torch.equal(tensor, head_before[name]), f"head.{name} changed; only the backbone loads"
    with pytest.raises(FileNotFoundError, match="make_pretrained.py"):
        yolo.load_pretrained_backbone(model, tmp_path / "nope.pt")


# ---- model, collate, loss, decode, evaluate -------------------------------------------------

def test_model_output_shape_and_parts(yolo):
    model = yolo.TinyYOLO(num_classes=3)
    assert model(torch.rand(2, 3, 96, 96)).shape == (2, 8, 12, 12)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.backbone.modules())
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.head.modules())
    assert sum(p.numel() for p in model.parameters()) < 200_000


def test_collate_tags_rows_with_their_image(yolo, train_set):
    empty = (torch.zeros(3, 96, 96), torch.zeros(0, 5))
    batch = [train_set[0], empty, train_set[1]]
    images, targets = yolo.collate(batch)
    assert images.shape == (3, 3, 96, 96)
    n0, n2 = len(train_set[0][1]), len(train_set[1][1])
    assert targets.shape == (n0 + n2, 6)
    assert targets[:, 0].tolist() == [0.0] * n0 + [2.0] * n2
    assert torch.equal(targets[:n0, 1:], train_set[0][1])
    assert yolo.collate([empty])[1].shape == (0, 6)


def test_loss_is_finite_scalar_and_reaches_parameters(yolo, train_set):
    torch.manual_seed(0)
    model = yolo.TinyYOLO()
    images, targets = yolo.collate([train_set[k] for k in range(4)])
    loss = yolo.yolo_loss(model(images), targets)
    assert loss.dim() == 0 and math.isfinite(loss.item()) and loss.item() > 0
    loss.backward()
    for name, parameter in model.named_parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all(), name
    assert yolo.yolo_loss(model(images), targets).item() == pytest.approx(loss.item(), rel=1e-6), \
        "the loss must be deterministic"


def test_loss_is_near_zero_for_perfect_predictions(yolo, train_set):
    _, targets = yolo.collate([train_set[k] for k in range(4)])
    assert yolo.yolo_loss(perfect_predictions(targets, 4), targets).item() < 1e-3
    wrong = targets.clone()
    wrong[:, 1] = 1 - wrong[:, 1]
    assert yolo.yolo_loss(perfect_predictions(targets, 4), wrong).item() > 1.0


def test_loss_is_a_mean_over_the_batch(yolo, train_set):
    images, targets = yolo.collate([train_set[k] for k in range(3)])
    predictions = torch.randn(3, 7, S, S)
    doubled = torch.cat([targets, targets + torch.tensor([3.0, 0, 0, 0, 0, 0])])
    assert yolo.yolo_loss(torch.cat([predictions, predictions]), doubled).item() == \
        pytest.approx(yolo.yolo_loss(predictions, targets).item(), rel=1e-5)


def test_loss_decreases_under_gradient_descent_and_handles_no_boxes(yolo, train_set):
    _, targets = yolo.collate([train_set[k] for k in range(2)])
    predictions = torch.zeros(2, 7, S, S, requires_grad=True)
    optimizer = torch.optim.Adam([predictions], lr=0.1)
    first = yolo.yolo_loss(predictions, targets).item()
    for _ in range(30):
        loss = yolo.yolo_loss(predictions, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first, f"loss went from {first:.3f} to {loss.item():.3f}"
    empty = yolo.yolo_loss(predictions, torch.zeros(0, 6))
    empty.backward()
    assert math.isfinite(empty.item())
    with pytest.raises(ValueError, match=r"\(N, 6\)"):
        yolo.yolo_loss(predictions, targets[:, 1:])


def test_decode_recovers_perfect_boxes(yolo, train_set):
    _, targets = yolo.collate([train_set[k] for k in range(2)])
    detections = yolo.decode(perfect_predictions(targets, 2))
    assert len(detections) == 2
    for b, found in enumerate(detections):
        assert set(found) == {"boxes", "scores", "labels"}
        truth = targets[targets[:, 0] == b]
        k = len(truth)
        assert found["boxes"].shape == (k, 4) and found["scores"].shape == (k,)
        assert found["labels"].dtype == torch.int64
        assert (found["scores"][:-1] >= found["scores"][1:]).all(), "sorted by score"
        expected = yolo.cxcywh_to_xyxy(truth[:, 2:]) * 96
        order = torch.argsort(found["boxes"][:, 0])
        assert torch.allclose(found["boxes"][order], expected[torch.argsort(expected[:, 0])],
                              atol=1e-2)
        assert sorted(found["labels"].tolist()) == sorted(truth[:, 1].long().tolist())
    assert all(len(d["boxes"]) == 0 for d in yolo.decode(perfect_predictions(targets, 2),
                                                         conf_threshold=1.01))


class FixedPredictions(torch.nn.Module):
    """A stand-in detector that returns given predictions, a batch at a time."""

    def __init__(self, predictions: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("predictions", predictions)
        self.unused = torch.nn.Parameter(torch.zeros(1))
        self.seen = 0

    def forward(self, images):
        out = self.predictions[self.seen:self.seen + len(images)]
        self.seen += len(images)
        return out


def test_evaluate_scores_perfect_predictions_as_one(yolo, train_set):
    subset = torch.utils.data.Subset(train_set, range(6))
    _, targets = yolo.collate([train_set[k] for k in range(6)])
    result = yolo.evaluate(FixedPredictions(perfect_predictions(targets, 6)), subset, batch_size=4)
    assert result["precision"] == 1.0 and result["recall"] == 1.0
    assert result["map50"] == pytest.approx(1.0)


def test_evaluate_restores_each_module_mode(yolo, train_set):
    model = yolo.TinyYOLO().train()
    model.backbone.eval()  # as during the frozen phase
    result = yolo.evaluate(model, yolo.HelmetDataset(None, "val", limit=8))
    assert {"precision", "recall", "map50"} <= set(result)
    assert all(0.0 <= result[k] <= 1.0 for k in ("precision", "recall", "map50"))
    assert model.training and model.head.training and not model.backbone.training
    assert not any(m.training for m in model.backbone.modules())


def test_draw_predictions_returns_uint8_image(yolo, train_set):
    image, target = train_set[0]
    boxes = yolo.cxcywh_to_xyxy(target[:, 1:]) * 96
    drawn = yolo.draw_predictions(image, {"boxes": boxes, "labels": target[:, 0].long()}, scale=2)
    assert drawn.dtype == torch.uint8 and drawn.shape == (3, 192, 192)
