"""Image loading and random patch sampling (numpy; the training loop feeds batches to TF)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def list_images(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"image folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    return files


def load_image(path: str | Path, channels: int = 3, downscale: int = 1) -> np.ndarray:
    """Load an image as uint8 ``(H, W, C)``; RGB for C=3, luma for C=1."""
    with Image.open(path) as src:
        im = src.convert("RGB" if channels == 3 else "L")
    if downscale > 1:
        im = im.resize((im.width // downscale, im.height // downscale), Image.Resampling.BICUBIC)
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def save_image(path: str | Path, image: np.ndarray) -> None:
    arr = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    Image.fromarray(arr[..., 0] if arr.shape[-1] == 1 else arr).save(path)


def load_folders(
    folders: Iterable[str | Path], channels: int = 3, min_size: int = 0, downscale: int = 1
) -> list[np.ndarray]:
    """Load every image of the folders; images smaller than ``min_size`` are skipped with a warning."""
    images: list[np.ndarray] = []
    for folder in folders:
        for path in list_images(folder):
            img = load_image(path, channels, downscale)
            if min(img.shape[:2]) < min_size:
                log.warning(
                    "skipping %s: %dx%d is smaller than the %d px patch", path, img.shape[1], img.shape[0], min_size
                )
                continue
            images.append(img)
    if not images:
        raise ValueError(f"no usable images (>= {min_size} px) in {list(folders)}")
    return images


def augment(patch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random horizontal flip and rotation by a multiple of 90 degrees (square patches)."""
    return _flip_rotate(patch, rng.random() < 0.5, int(rng.integers(4)))


def _flip_rotate(patch: np.ndarray, flip: bool, quarter_turns: int) -> np.ndarray:
    return np.rot90(patch[:, ::-1] if flip else patch, quarter_turns)


def random_patches(
    images: list[np.ndarray], patch_size: int, batch_size: int, rng: np.random.Generator, dtype=np.float32
) -> np.ndarray:
    """One batch ``(N, P, P, C)`` on the 0-255 scale of random augmented crops (uint8 keeps it small)."""
    out = np.empty((batch_size, patch_size, patch_size, images[0].shape[2]), dtype)
    for i in range(batch_size):
        img = images[int(rng.integers(len(images)))]
        h, w = img.shape[:2]
        y = int(rng.integers(h - patch_size + 1))
        x = int(rng.integers(w - patch_size + 1))
        out[i] = augment(img[y : y + patch_size, x : x + patch_size], rng)
    return out


def patch_stream(images: list[np.ndarray], patch_size: int, batch_size: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    while True:
        yield random_patches(images, patch_size, batch_size, rng)


def pad_to_multiple(image: np.ndarray, k: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Reflect-pad ``(..., H, W, C)`` at the bottom/right to multiples of k (as the worker does)."""
    h, w = image.shape[-3], image.shape[-2]
    ph, pw = (-h) % k, (-w) % k
    if ph == 0 and pw == 0:
        return image, (h, w)
    pad = [(0, 0)] * (image.ndim - 3) + [(0, ph), (0, pw), (0, 0)]
    return np.pad(image, pad, mode="reflect" if min(h, w) > max(ph, pw) else "symmetric"), (h, w)


def load_scenes(folders: Iterable[str | Path], channels: int = 3, min_size: int = 0) -> list[list[np.ndarray]]:
    """Real noisy pairs: every sub-folder of ``folders`` holds two or more registered captures of
    one scene (same size). Scenes with fewer captures, mixed sizes or too small are skipped with a
    warning."""
    scenes: list[list[np.ndarray]] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"pair folder not found: {folder}")
        for scene in sorted(p for p in folder.iterdir() if p.is_dir()):
            try:
                captures = [load_image(f, channels) for f in list_images(scene)]
            except FileNotFoundError:
                captures = []
            if len(captures) < 2:
                log.warning("skipping %s: a scene needs at least two captures", scene)
            elif len({c.shape for c in captures}) > 1:
                log.warning("skipping %s: captures differ in size %s", scene, sorted({c.shape[:2] for c in captures}))
            elif min(captures[0].shape[:2]) < min_size:
                log.warning("skipping %s: smaller than the %d px patch", scene, min_size)
            else:
                scenes.append(captures)
    if not scenes:
        raise ValueError(f"no usable scene (a sub-folder with >= 2 same-size captures) in {list(folders)}")
    return scenes


def pair_stream(
    scenes: list[list[np.ndarray]], patch_size: int, batch_size: int, seed: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(source, target) float32 batches: the same crop and augmentation of two different captures."""
    rng = np.random.default_rng(seed)
    channels = scenes[0][0].shape[2]
    while True:
        src = np.empty((batch_size, patch_size, patch_size, channels), np.float32)
        tgt = np.empty_like(src)
        for i in range(batch_size):
            captures = scenes[int(rng.integers(len(scenes)))]
            a, b = rng.choice(len(captures), size=2, replace=False)
            h, w = captures[0].shape[:2]
            y, x = int(rng.integers(h - patch_size + 1)), int(rng.integers(w - patch_size + 1))
            flip, turns = rng.random() < 0.5, int(rng.integers(4))
            src[i] = _flip_rotate(captures[a][y : y + patch_size, x : x + patch_size], flip, turns)
            tgt[i] = _flip_rotate(captures[b][y : y + patch_size, x : x + patch_size], flip, turns)
        yield src, tgt
