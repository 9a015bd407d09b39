"""Evaluate exported zoo models (the SavedModels the worker loads) next to classical baselines.

Clean images get seeded synthetic noise (rounded/clipped to 8 bit like an image file); every
method's output is rounded/clipped before PSNR (the papers' protocol); SSIM is the standard
11x11 Gaussian-window SSIM (``tf.image.ssim``) on the 8-bit values, averaged over channels.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from n2n_models import baselines as classical
from n2n_models.card import ModelCard
from n2n_models.data import list_images, load_image
from n2n_models.export import load_serving
from n2n_models.metrics import psnr
from n2n_models.noise import NoiseModel, parse_noise_spec, quantize
from n2n_models.train import denoise


def ssim(clean: np.ndarray, test: np.ndarray) -> float:
    a = tf.constant(np.asarray(clean, np.float32))
    b = tf.constant(np.clip(np.rint(test), 0, 255).astype(np.float32))
    return float(tf.image.ssim(a, b, max_val=255.0))


def noisy_set(files: list[Path], channels: int, noise: NoiseModel, seed: int, quantize_input: bool):
    rng = np.random.default_rng(seed)
    for f in files:
        clean = load_image(f, channels).astype(np.float32)
        noisy = noise.apply(clean, rng)
        yield f.name, clean, quantize(noisy) if quantize_input else noisy


REAL_NOISE = "real"


def real_pairs(folder: Path, channels: int, limit: int = 0):
    """Real noisy captures with their ground truth: ``<id>_gt.<ext>`` next to ``<id>_noise.<ext>``
    (or ``_noisy``), as in the Nam et al. patches used by CBDNet."""
    pairs = []
    for gt in list_images(folder):
        if not gt.stem.endswith("_gt"):
            continue
        stem = gt.stem[: -len("_gt")]
        partners = [p for p in gt.parent.iterdir() if p.stem in (f"{stem}_noise", f"{stem}_noisy")]
        if not partners:
            raise FileNotFoundError(f"{gt} has no {stem}_noise/_noisy partner")
        pairs.append((gt, partners[0]))
    if not pairs:
        raise FileNotFoundError(f"no <id>_gt images in {folder}")
    for gt, noisy in pairs[: limit or None]:
        yield (
            gt.name.replace("_gt", ""),
            load_image(gt, channels).astype(np.float32),
            load_image(noisy, channels).astype(np.float32),
        )


class Method:
    """One column of the table: a zoo model or a (tuned) classical baseline."""

    def __init__(self, name: str, run, params: dict[str, Any] | None = None):
        self.name, self.run, self.params = name, run, params or {}
        self.psnr: list[float] = []
        self.ssim: list[float] = []
        self.seconds = 0.0

    def apply(self, clean: np.ndarray, noisy: np.ndarray) -> dict[str, float]:
        t = time.perf_counter()
        out = self.run(noisy)
        self.seconds += time.perf_counter() - t
        score = {"psnr": round(psnr(clean, out), 3), "ssim": round(ssim(clean, out), 4)}
        self.psnr.append(score["psnr"])
        self.ssim.append(score["ssim"])
        return score

    def summary(self, pixels: int) -> dict[str, Any]:
        return {
            "psnr": round(float(np.mean(self.psnr)), 3),
            "ssim": round(float(np.mean(self.ssim)), 4),
            "megapixels_per_second": round(pixels / 1e6 / self.seconds, 3) if self.seconds else None,
            **({"params": self.params} if self.params else {}),
        }


def zoo_method(model_dir: Path) -> tuple[Method, int]:
    card = ModelCard.load(model_dir / "model.json")
    _, fn = load_serving(model_dir / "saved_model")
    predict = lambda x: fn(input=x)["output"]  # noqa: E731
    return Method(card.name, lambda noisy: denoise(predict, noisy, card.size_multiple)), card.channels


def evaluate(
    model_dirs: list[str | Path],
    images: str | Path,
    noise: str = "gaussian,25,25",
    seed: int = 0,
    limit: int = 0,
    quantize_input: bool = True,
    baselines: list[str] | None = None,
    tune_images: str | Path | None = None,
    tune_count: int = 4,
    channels: int | None = None,
) -> dict[str, Any]:
    """Per-image and mean PSNR/SSIM and MP/s of the noisy input, each model and each baseline.

    ``noise="real"`` reads real noisy captures and their ground truth from ``images`` instead
    (see :func:`real_pairs`). There, and for noise no baseline has settings for (camera, jpeg, mixtures), the
    baselines run blind, with sigma estimated per image (``baselines.BLIND``)."""
    real = noise == REAL_NOISE
    noise_model = None if real else parse_noise_spec(noise)
    # real captures and camera-like noise have no spec to give a baseline its settings: it runs blind
    blind = noise_model is None or not classical.has_oracle(noise_model)
    unknown_blind = [b for b in baselines or [] if b not in classical.BLIND]
    if blind and unknown_blind:
        raise ValueError(
            f"on real or camera noise only {', '.join(classical.BLIND)} run (blind sigma), not {unknown_blind}"
        )
    methods, model_channels = [], set()
    for d in model_dirs:
        method, c = zoo_method(Path(d))
        methods.append(method)
        model_channels.add(c)
    if len(model_channels) > 1:
        raise ValueError("models with different channel counts cannot share one table")
    channels = channels or (model_channels.pop() if model_channels else 3)

    tuning: dict[str, Any] = {}
    if baselines and noise_model is not None and not blind:
        for b in classical.applicable(baselines, noise_model):
            params: dict[str, Any] = {}
            if len(b.grid(noise_model)) > 1:
                if tune_images is None:
                    raise ValueError(f"baseline {b.name} needs --tune-images (held-out images to tune its settings)")
                tune_files = list_images(tune_images)[:tune_count]
                pairs = [(c, n) for _, c, n in noisy_set(tune_files, channels, noise_model, seed + 1, quantize_input)]
                params = classical.tune(b, noise_model, pairs)
                tuning[b.name] = {"images": f"{tune_images} first {len(tune_files)}", "chosen": params}
            methods.append(Method(b.name, lambda x, b=b, p=params: b.run(x, noise_model, p), params))
    if blind:
        methods += [Method(f"{b}-blind", classical.BLIND[b], {"sigma": "estimated per image"}) for b in baselines or []]
    if noise_model is None:  # real noise
        samples = list(real_pairs(Path(images), channels, limit))
    else:
        samples = list(noisy_set(list_images(images)[: limit or None], channels, noise_model, seed, quantize_input))
    identity = Method("noisy", lambda x: x)
    rows, pixels = [], 0
    for name, clean, noisy in samples:
        pixels += clean.shape[0] * clean.shape[1]
        row = {"image": name, "noisy": identity.apply(clean, noisy)}
        row.update({m.name: m.apply(clean, noisy) for m in methods})
        rows.append(row)
    return {
        "images": str(images),
        "count": len(samples),
        "noise": noise,
        "seed": seed,
        "quantized_input": quantize_input,
        "channels": channels,
        "threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "methods": {
            "noisy": identity.summary(0) | {"megapixels_per_second": None},
            **{m.name: m.summary(pixels) for m in methods},
        },
        "tuning": tuning,
        "per_image": rows,
    }


def format_table(result: dict[str, Any]) -> str:
    """Plain-text table: one row per image and the mean, PSNR/SSIM per method."""
    names = list(result["methods"])
    head = f"{'image':<16}" + "".join(f"{n[:22]:>24}" for n in names)
    lines = [f"{result['images']}  noise {result['noise']}  seed {result['seed']}", head]
    for row in result["per_image"]:
        lines.append(
            f"{row['image'][:16]:<16}" + "".join(f"{row[n]['psnr']:>15.2f} / {row[n]['ssim']:.3f}" for n in names)
        )
    means = result["methods"]
    lines.append(f"{'mean':<16}" + "".join(f"{means[n]['psnr']:>15.2f} / {means[n]['ssim']:.3f}" for n in names))
    lines.append(f"{'MP/s':<16}" + "".join(f"{(means[n]['megapixels_per_second'] or 0):>24.3f}" for n in names))
    return "\n".join(lines)


def crops_montage(
    model_dirs: list[str | Path],
    image: str | Path,
    noise: str,
    box: tuple[int, int, int, int],
    out: str | Path,
    baselines: list[str] | None = None,
    baseline_params: dict[str, dict[str, Any]] | None = None,
    seed: int = 0,
    scale: int = 2,
) -> dict[str, float]:
    """A labelled row of crops (clean, noisy, each model, each baseline) of one image as PNG.

    With ``noise="real"`` the image is a real noisy photo: no clean panel and no PSNR, baselines blind.
    Returns each panel's PSNR on the whole image (real: the estimated noise sigma). Baselines with a grid take
    their settings from ``baseline_params`` (e.g. the ``tuning`` of an evaluate report), else the grid's middle entry.
    """
    from PIL import Image, ImageDraw

    methods = [zoo_method(Path(d))[0] for d in model_dirs]
    channels = 3
    if noise == REAL_NOISE:
        # a real noisy photo without a reference: the panels show it and what each method makes of it
        noisy = load_image(Path(image), channels).astype(np.float32)
        clean = None
        methods += [Method(f"{b}-blind", classical.BLIND[b]) for b in baselines or []]
        panels = [("noisy (real)", noisy)]
        scores = {"estimated_sigma": classical.estimate_sigma(noisy)}
    else:
        noise_model = parse_noise_spec(noise)
        for b in classical.applicable(baselines, noise_model) if baselines else []:
            grid = b.grid(noise_model)
            params = (baseline_params or {}).get(b.name) or grid[len(grid) // 2]
            methods.append(Method(b.name, lambda x, b=b, p=params: b.run(x, noise_model, p), params))
        _, clean, noisy = next(noisy_set([Path(image)], channels, noise_model, seed, True))
        panels = [("clean", clean), (f"noisy {psnr(clean, noisy):.2f} dB", noisy)]
        scores = {"noisy": psnr(clean, noisy)}
    for m in methods:
        result = m.run(noisy)
        if clean is None:
            panels.append((m.name, result))
            continue
        scores[m.name] = psnr(clean, result)
        panels.append((f"{m.name} {scores[m.name]:.2f} dB", result))
    x, y, w, h = box
    tiles = []
    for label, img in panels:
        crop = np.clip(np.rint(img[y : y + h, x : x + w]), 0, 255).astype(np.uint8)
        tile = Image.fromarray(crop).resize((w * scale, h * scale), Image.Resampling.NEAREST)
        canvas = Image.new("RGB", (tile.width, tile.height + 18), "white")
        canvas.paste(tile, (0, 18))
        ImageDraw.Draw(canvas).text((4, 3), label, fill="black")
        tiles.append(canvas)
    montage = Image.new("RGB", (sum(t.width for t in tiles) + 4 * (len(tiles) - 1), tiles[0].height), "white")
    offset = 0
    for t in tiles:
        montage.paste(t, (offset, 0))
        offset += t.width + 4
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    montage.save(out)
    return scores
