"""Generate the synthetic helmet-detection data set used by the `freeze` assignment.

Every image shows one to four cartoon heads on a random background. A head either wears a
hard hat (class 0, ``helmet``) or does not (class 1, ``head``). Labels follow the YOLO text
format: one line per object, ``class cx cy w h``, all four box numbers divided by the image
size so they lie in [0, 1]. The box covers the whole visible head, hard hat included.

Each image is drawn from its own random generator, seeded from the split and the image's
index, so the output is byte-identical from run to run, and ``--limit N`` writes exactly the
first N files of each split of a full run.

Usage (from the repository root)::

    python data/make_helmet.py                 # writes data/helmet/
    python data/make_helmet.py --out /tmp/h --limit 5
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

IMAGE_SIZE = 96
# Shapes are drawn at SUPERSAMPLE times the final size, then shrunk: smooth edges, still exact.
SUPERSAMPLE = 2
CLASS_NAMES = ("helmet", "head")
SPLITS = {"train": 400, "val": 100}
# One seed per split; image i of a split uses SPLIT_SEEDS[split] * 100_000 + i.
SPLIT_SEEDS = {"train": 1, "val": 2}

SKIN_TONES = [
    (255, 224, 196), (241, 194, 158), (224, 172, 130), (198, 134, 86),
    (161, 102, 64), (120, 76, 46), (88, 56, 36),
]
HELMET_COLOURS = [
    (250, 210, 20), (255, 140, 0), (245, 245, 245), (220, 30, 30),
    (30, 90, 220), (40, 170, 60),
]
HAIR_COLOURS = [(30, 22, 16), (70, 44, 24), (110, 70, 40), (60, 60, 60), (20, 20, 28)]


def jitter(colour: tuple[int, int, int], rng: random.Random, amount: int) -> tuple[int, int, int]:
    """`colour` with each channel moved by up to `amount`, kept in 0..255."""
    return tuple(min(255, max(0, c + rng.randint(-amount, amount))) for c in colour)


def background(rng: random.Random, size: int) -> tuple[Image.Image, bool]:
    """A random backdrop (a gradient, stripes, smooth blotches or a grainy gradient), and
    whether it should get pixel noise once the image is finished."""
    np_rng = np.random.default_rng(rng.getrandbits(32))
    kind = rng.choice(["gradient", "stripes", "blotches", "grain"])
    c0 = np.array([rng.randint(0, 255) for _ in range(3)], dtype=np.float32)
    c1 = np.array([rng.randint(0, 255) for _ in range(3)], dtype=np.float32)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
    if kind in ("gradient", "grain"):
        angle = rng.uniform(0, 2 * np.pi)
        t = (np.cos(angle) * x + np.sin(angle) * y)
        t = (t - t.min()) / (t.max() - t.min())
    elif kind == "stripes":
        angle = rng.uniform(0, np.pi)
        period = rng.uniform(0.08, 0.3)
        t = (np.cos(angle) * x + np.sin(angle) * y) / period
        t = (np.floor(t) % 2).astype(np.float32)
    else:
        # Low-resolution noise blown up smoothly: soft blotches.
        coarse = np_rng.random((6, 6)).astype(np.float32)
        t = np.asarray(
            Image.fromarray((coarse * 255).astype(np.uint8)).resize((size, size), Image.BICUBIC),
            dtype=np.float32,
        ) / 255.0
    pixels = np.clip(c0 + t[..., None] * (c1 - c0), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB"), kind == "grain"


def finish(image: Image.Image, grain: bool, rng: random.Random) -> Image.Image:
    """Keep 6 bits per channel (the PNGs stay small), then add grey speckles if `grain`."""
    pixels = np.asarray(ImageOps.posterize(image, 6), dtype=np.int16)
    if grain:
        np_rng = np.random.default_rng(rng.getrandbits(32))
        noise = np_rng.integers(-2, 3, size=pixels.shape[:2] + (1,)) * 8
        noise *= np_rng.random(pixels.shape[:2] + (1,)) < 0.4
        pixels = np.clip(pixels + noise, 0, 255)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


def draw_shoulders(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float],
                   rng: random.Random) -> None:
    """Draw the shoulders under the head in `box`: part of the scene, not of the object."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    shirt = tuple(rng.randint(0, 255) for _ in range(3))
    draw.rounded_rectangle(
        (x0 - 0.15 * w, y1 - 0.02 * h, x1 + 0.15 * w, y1 + 0.6 * h), radius=0.3 * w, fill=shirt
    )


def draw_head(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float],
              helmet: bool, rng: random.Random) -> None:
    """Draw one head, with a hard hat if `helmet`, filling `box` = (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    skin = jitter(rng.choice(SKIN_TONES), rng, 10)
    if helmet:
        # The hard hat takes the top ~40% of the box: a dome with a brim wider than the face.
        face_top = y0 + 0.3 * h
        face = (x0 + 0.1 * w, face_top, x1 - 0.1 * w, y1)
        draw.ellipse(face, fill=skin)
        colour = jitter(rng.choice(HELMET_COLOURS), rng, 15)
        brim_y = face_top + 0.12 * h
        dome = (x0 + 0.06 * w, y0, x1 - 0.06 * w, brim_y + (brim_y - y0))
        draw.pieslice(dome, 180, 360, fill=colour)
        draw.rectangle((x0, brim_y - 0.07 * h, x1, brim_y + 0.02 * h), fill=colour)
        # A ridge down the middle of the dome, a little darker than the shell.
        ridge = tuple(int(c * 0.75) for c in colour)
        draw.rectangle((x0 + 0.45 * w, y0 + 0.02 * h, x0 + 0.55 * w, brim_y - 0.07 * h), fill=ridge)
        eye_y = face_top + 0.35 * (y1 - face_top)
    else:
        face = (x0 + 0.1 * w, y0 + 0.08 * h, x1 - 0.1 * w, y1)
        draw.ellipse(face, fill=skin)
        style = rng.choice(["bald", "short", "cap-of-hair"])
        if style != "bald":
            hair = jitter(rng.choice(HAIR_COLOURS), rng, 10)
            depth = 0.35 if style == "short" else 0.5
            draw.chord((x0 + 0.08 * w, y0, x1 - 0.08 * w, y0 + depth * 2 * h), 180, 360, fill=hair)
        # Ears on both sides.
        for ex in (x0 + 0.02 * w, x1 - 0.16 * w):
            draw.ellipse((ex, y0 + 0.45 * h, ex + 0.14 * w, y0 + 0.65 * h), fill=skin)
        eye_y = y0 + 0.5 * h
    eye_r = max(0.05 * w, 1.2 * SUPERSAMPLE)
    for ex in (x0 + 0.36 * w, x0 + 0.64 * w):
        draw.ellipse((ex - eye_r, eye_y - eye_r, ex + eye_r, eye_y + eye_r), fill=(20, 20, 20))
    mouth_y = eye_y + 0.25 * (y1 - eye_y) + 0.1 * h
    draw.line((x0 + 0.4 * w, mouth_y, x0 + 0.6 * w, mouth_y), fill=(120, 30, 30),
              width=max(1, int(0.04 * w)))


def overlaps(a: tuple[float, ...], b: tuple[float, ...], margin: float) -> bool:
    """Whether boxes `a` and `b` (x0, y0, x1, y1) come closer than `margin` pixels."""
    return not (a[2] + margin <= b[0] or b[2] + margin <= a[0]
                or a[3] + margin <= b[1] or b[3] + margin <= a[1])


def make_sample(seed: int, size: int = IMAGE_SIZE) -> tuple[Image.Image, list[str]]:
    """One image and its YOLO label lines, fully determined by `seed`."""
    rng = random.Random(seed)
    big = size * SUPERSAMPLE
    image, grain = background(rng, big)
    draw = ImageDraw.Draw(image)
    wanted = rng.randint(1, 4)
    boxes: list[tuple[float, float, float, float]] = []
    for _ in range(60):  # placement attempts; crowded images simply get fewer heads
        if len(boxes) == wanted:
            break
        w = rng.uniform(0.17, 0.42) * size
        h = w * rng.uniform(1.1, 1.3)
        x0 = rng.uniform(1, size - 1 - w)
        # Leave room under the head for the shoulders most of the time, not always.
        y0 = rng.uniform(1, size - 1 - h)
        box = (x0, y0, x0 + w, y0 + h)
        if all(not overlaps(box, other, margin=2) for other in boxes):
            boxes.append(box)
    # Label lines go from the top of the image down; all shoulders are drawn before any head,
    # so no shoulder ever hides part of a labelled head.
    boxes.sort(key=lambda b: (b[1], b[0]))
    for box in boxes:
        draw_shoulders(draw, tuple(v * SUPERSAMPLE for v in box), rng)
    lines = []
    for box in boxes:
        helmet = rng.random() < 0.5
        draw_head(draw, tuple(v * SUPERSAMPLE for v in box), helmet, rng)
        cls = 0 if helmet else 1
        x0, y0, x1, y1 = box
        cx, cy, w, h = (x0 + x1) / 2 / size, (y0 + y1) / 2 / size, (x1 - x0) / size, (y1 - y0) / size
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    image = finish(image.resize((size, size), Image.LANCZOS), grain, rng)
    return image, lines


def write_split(out: Path, split: str, count: int) -> None:
    image_dir = out / "images" / split
    label_dir = out / "labels" / split
    image_dir.mkdir(parents=True, exist_ok=True)
    label_dir.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image, lines = make_sample(SPLIT_SEEDS[split] * 100_000 + i)
        image.save(image_dir / f"{i:04d}.png", optimize=True)
        (label_dir / f"{i:04d}.txt").write_text("".join(line + "\n" for line in lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "helmet",
                        help="folder to write (default: data/helmet next to this script); "
                             "it is emptied first")
    parser.add_argument("--limit", type=int, default=None,
                        help="write only the first N images of each split (for quick checks)")
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    (args.out / "classes.txt").write_text("".join(name + "\n" for name in CLASS_NAMES))
    for split, count in SPLITS.items():
        write_split(args.out, split, count if args.limit is None else min(count, args.limit))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
