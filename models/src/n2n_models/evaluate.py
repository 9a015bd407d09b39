"""Evaluate an exported zoo model (the SavedModel the worker loads) on clean images + synthetic noise."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from n2n_models.data import list_images, load_image
from n2n_models.export import load_serving
from n2n_models.metrics import psnr
from n2n_models.noise import parse_noise_spec, quantize
from n2n_models.train import denoise


def evaluate_saved_model(
    model_dir: str | Path,
    images: str | Path,
    noise: str = "gaussian,25,25",
    seed: int = 0,
    limit: int = 0,
    quantize_input: bool = True,
) -> dict[str, Any]:
    model_dir = Path(model_dir)
    card = json.loads((model_dir / "model.json").read_text())
    _, fn = load_serving(model_dir / "saved_model")
    files = list_images(images)
    if limit:
        files = files[:limit]
    model = parse_noise_spec(noise)
    rng = np.random.default_rng(seed)
    predict = lambda x: fn(input=x)["output"]  # noqa: E731
    noisy_scores, model_scores, pixels, seconds = [], [], 0, 0.0
    for f in files:
        clean = load_image(f, card["channels"]).astype(np.float32)
        noisy = model.apply(clean, rng)
        if quantize_input:
            noisy = quantize(noisy)
        t = time.perf_counter()
        out = denoise(predict, noisy, card["size_multiple"])
        seconds += time.perf_counter() - t
        pixels += clean.shape[0] * clean.shape[1]
        noisy_scores.append(psnr(clean, noisy))
        model_scores.append(psnr(clean, out))
    return {
        "model": card["name"],
        "images": str(images),
        "count": len(files),
        "noise": noise,
        "seed": seed,
        "quantized_input": quantize_input,
        "psnr_noisy": round(float(np.mean(noisy_scores)), 3),
        "psnr_model": round(float(np.mean(model_scores)), 3),
        "megapixels_per_second": round(pixels / 1e6 / seconds, 3) if seconds else None,
        "threads": tf.config.threading.get_intra_op_parallelism_threads(),
    }
