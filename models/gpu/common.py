"""Torch- and TensorFlow-free parts of the GPU trainer: config checks, packed data, validation set.

``n2n_models.train`` imports TensorFlow, which the GPU machine does not have; the config, schedule,
noise, data augmentation and metrics come from the package's TensorFlow-free modules.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

import src_path  # noqa: F401  (models/src on sys.path)
from n2n_models.config import Config
from n2n_models.metrics import psnr
from n2n_models.noise import parse_noise_spec, quantize


def load_config(raw: dict[str, Any]) -> Config:
    """A validated Config (``Config.from_dict``) that the GPU path can train: warm starts and teachers are npz
    files of Keras-layout weights (there are no run directories there)."""
    cfg = Config.from_dict(raw)
    for field, path in (("init_from", cfg.train.init_from), ("teacher", cfg.train.teacher)):
        if path and not path.endswith(".npz"):
            raise ValueError(f"train.{field} on the GPU path must name an npz of weights, got {path!r}")
    return cfg


# -- packed data ---------------------------------------------------------------------------------
@dataclass
class Pack:
    meta: dict[str, Any]
    train: list[bytes]
    val: list[bytes]


def read_pack(path: str | Path) -> Pack:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != 1:
            raise ValueError(f"{path}: unknown pack format {meta.get('format')!r}")
        blobs = {}
        for prefix in ("train", "val"):
            data, offsets = z[f"{prefix}_bytes"].tobytes(), z[f"{prefix}_offsets"]
            blobs[prefix] = [data[a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    return Pack(meta, blobs["train"], blobs["val"])


def decode(blob: bytes, channels: int) -> np.ndarray:
    """uint8 (H, W, C), exactly as n2n_models.data.load_image reads the original file."""
    with Image.open(io.BytesIO(blob)) as src:
        im = src.convert("RGB" if channels == 3 else "L")
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def training_images(pack: Pack, channels: int, min_size: int) -> list[np.ndarray]:
    images = []
    for name, blob in zip(pack.meta["train_files"], pack.train, strict=True):
        img = decode(blob, channels)
        if min(img.shape[:2]) < min_size:
            print(f"skipping {name}: {img.shape[1]}x{img.shape[0]} is smaller than the {min_size} px patch")
            continue
        images.append(img)
    if not images:
        raise ValueError(f"no packed training image is at least {min_size} px")
    return images


@dataclass
class Validation:
    names: list[str]
    clean: list[np.ndarray]  # float32 0-255
    noisy: list[np.ndarray]  # float32 0-255
    psnr_noisy: float


def validation_set(cfg: Config, pack: Pack) -> Validation | None:
    """The same seeded noisy images n2n_models.train.load_validation makes from the original files."""
    if not pack.val:
        return None
    noise = parse_noise_spec(cfg.data.val_noise)
    rng = np.random.default_rng(cfg.data.val_seed)
    clean, noisy = [], []
    for blob in pack.val:
        img = decode(blob, cfg.model.channels).astype(np.float32)
        n = noise.apply(img, rng)
        clean.append(img)
        noisy.append(quantize(n) if cfg.train.quantize_source else n)
    pn = float(np.mean([psnr(c, n) for c, n in zip(clean, noisy, strict=True)]))
    return Validation(list(pack.meta["val_files"]), clean, noisy, pn)


def record_pack(cfg: Config, pack: Pack) -> None:
    """Point the config at the original folders, so that export validates on the same images here."""
    cfg.data.data_root = pack.meta["data_root"]
    cfg.data.train_dirs = list(pack.meta["train_dirs"])
    cfg.data.val_dir = pack.meta["val_dir"] if pack.val else ""
    cfg.data.val_count = len(pack.val)
