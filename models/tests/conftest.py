"""Shared fixtures: a synthetic data root so the suite never needs /work/shared."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from PIL import Image


def synthetic_image(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth colour gradients, sinusoids and a few flat rectangles: easy to denoise, uint8 RGB."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        fy, fx = rng.uniform(0.01, 0.08, size=2)
        img[..., c] = 128 + 60 * np.sin(fy * yy + rng.uniform(0, 6)) * np.cos(fx * xx + rng.uniform(0, 6))
    for _ in range(4):
        y0, x0 = int(rng.integers(0, h - 8)), int(rng.integers(0, w - 8))
        img[y0 : y0 + int(rng.integers(6, h // 2)), x0 : x0 + int(rng.integers(6, w // 2))] = rng.uniform(20, 235, 3)
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def data_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(42)
    (root / "train").mkdir()
    (root / "val").mkdir()
    for i in range(6):
        Image.fromarray(synthetic_image(rng, 72 + 2 * i, 90 - 3 * i)).save(root / "train" / f"img{i}.png")
    # Too small for 32 px patches: must be skipped with a warning.
    Image.fromarray(synthetic_image(rng, 20, 24)).save(root / "train" / "tiny.png")
    for i in range(2):
        Image.fromarray(synthetic_image(rng, 41, 53)).save(root / "val" / f"val{i}.png")
    return root


def tiny_config(data_root: Path, **train_overrides):
    from n2n_models.config import Config

    raw = {
        "name": "tiny",
        "data": {
            "data_root": str(data_root),
            "train_dirs": ["train"],
            "val_dir": "val",
            "val_count": 2,
            "val_noise": "gaussian,25,25",
            "patch_size": 32,
            "batch_size": 8,
        },
        "model": {"arch": "fastdn", "channels": 3, "kwargs": {"features": 16, "depth": 3}},
        "train": {
            "source_noise": "gaussian,25,25",
            "target_noise": "clean",
            "lr": 0.003,
            "rampdown": 0.0,
            "steps": 20,
            "val_every": 10,
            "ckpt_every": 5,
            "log_every": 5,
            **train_overrides,
        },
    }
    return Config.from_dict(raw)
