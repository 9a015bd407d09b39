"""Torch- and TensorFlow-free parts of the GPU trainer: config, packed data, schedule, validation set.

``n2n_models.train`` imports TensorFlow, which the GPU machine does not have, so the few pure
functions it holds are mirrored here; ``tests/test_import_weights.py`` checks they agree.
"""

from __future__ import annotations

import io
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from n2n_models.config import Config, DataConfig, ModelConfig, TrainConfig, _build  # noqa: E402
from n2n_models.data import augment  # noqa: E402
from n2n_models.metrics import psnr  # noqa: E402
from n2n_models.noise import parse_noise_spec, quantize  # noqa: E402

# The columns of n2n_models.train's log.csv.
LOG_FIELDS = ["step", "elapsed_s", "loss", "lr", "val_psnr_noisy", "val_psnr_model"]
# Architectures train_torch.py implements, with their size multiples (as in n2n_models.archs).
SIZE_MULTIPLE = {"fastdn": 2, "unet": 32, "srresnet": 1}


def load_config(raw: dict[str, Any]) -> Config:
    """A Config from a raw mapping, validated except for the Keras architecture registry."""
    unknown = set(raw) - {"name", "data", "model", "train"}
    if unknown:
        raise ValueError(f"unknown config sections: {sorted(unknown)}")
    cfg = Config(
        name=str(raw.get("name", "model")),
        data=_build(DataConfig, raw.get("data") or {}, "data"),
        model=_build(ModelConfig, raw.get("model") or {}, "model"),
        train=_build(TrainConfig, raw.get("train") or {}, "train"),
    )
    cfg.data.validate()
    cfg.train.validate()
    if cfg.model.arch not in SIZE_MULTIPLE:
        raise ValueError(f"model.arch {cfg.model.arch!r} has no torch twin; available: {', '.join(SIZE_MULTIPLE)}")
    if cfg.model.channels not in (1, 3):
        raise ValueError(f"model.channels must be 1 or 3, got {cfg.model.channels}")
    if cfg.train.init_from:
        raise ValueError("train.init_from is not supported on the GPU path (no run directories there)")
    if cfg.data.patch_size % SIZE_MULTIPLE[cfg.model.arch]:
        raise ValueError(f"patch_size {cfg.data.patch_size} must be a multiple of {SIZE_MULTIPLE[cfg.model.arch]}")
    return cfg


def apply_overrides(raw: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    for item in sets:
        key, sep, value = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot:
            raise SystemExit(f"--set expects SECTION.KEY=VALUE, got {item!r}")
        raw.setdefault(section, {})[name] = yaml.safe_load(value)
    return raw


# -- schedule (mirrors n2n_models.train) ---------------------------------------------------------
def progress(cfg: Config, step: int, seconds: float = 0.0) -> float:
    p = step / cfg.train.steps
    if cfg.train.time_budget_minutes > 0:
        p = max(p, seconds / (60.0 * cfg.train.time_budget_minutes))
    return p


def lr_at(cfg: Config, step: int, seconds: float = 0.0) -> float:
    t = cfg.train
    p = progress(cfg, step, seconds)
    start = 1.0 - t.rampdown
    if p < start or t.rampdown == 0:
        return t.lr
    frac = min(1.0, (p - start) / t.rampdown)
    return t.lr * (0.5 + 0.5 * math.cos(math.pi * frac)) + t.lr * 1e-3


def l0_gamma_at(cfg: Config, step: int, seconds: float = 0.0) -> float:
    return cfg.train.l0_gamma * max(0.0, 1.0 - progress(cfg, step, seconds))


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
            blobs[prefix] = [data[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    return Pack(meta, blobs["train"], blobs["val"])


def decode(blob: bytes, channels: int) -> np.ndarray:
    """uint8 (H, W, C), exactly as n2n_models.data.load_image reads the original file."""
    with Image.open(io.BytesIO(blob)) as src:
        im = src.convert("RGB" if channels == 3 else "L")
    arr = np.asarray(im, dtype=np.uint8)
    return arr[..., None] if arr.ndim == 2 else arr


def training_images(pack: Pack, channels: int, min_size: int) -> list[np.ndarray]:
    images = []
    for name, blob in zip(pack.meta["train_files"], pack.train):
        img = decode(blob, channels)
        if min(img.shape[:2]) < min_size:
            print(f"skipping {name}: {img.shape[1]}x{img.shape[0]} is smaller than the {min_size} px patch")
            continue
        images.append(img)
    if not images:
        raise ValueError(f"no packed training image is at least {min_size} px")
    return images


def crop_batch(images: list[np.ndarray], patch: int, batch: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 (N, P, P, C) random crops with flip/rot90 (n2n_models.data.random_patches, kept in 8 bit)."""
    out = np.empty((batch, patch, patch, images[0].shape[2]), np.uint8)
    for i in range(batch):
        img = images[int(rng.integers(len(images)))]
        h, w = img.shape[:2]
        y = int(rng.integers(h - patch + 1))
        x = int(rng.integers(w - patch + 1))
        out[i] = augment(img[y : y + patch, x : x + patch], rng)
    return out


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
    pn = float(np.mean([psnr(c, n) for c, n in zip(clean, noisy)]))
    return Validation(list(pack.meta["val_files"]), clean, noisy, pn)


def record_pack(cfg: Config, pack: Pack) -> None:
    """Point the config at the original folders, so that export validates on the same images here."""
    cfg.data.data_root = pack.meta["data_root"]
    cfg.data.train_dirs = list(pack.meta["train_dirs"])
    cfg.data.val_dir = pack.meta["val_dir"] if pack.val else ""
    cfg.data.val_count = len(pack.val)
