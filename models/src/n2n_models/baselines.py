"""Classical denoisers the models are compared against, in one registry by name.

Every baseline maps a noisy 8-bit-valued float image ``(H, W, C)`` (0-255) plus the noise spec to
the denoised image on the same scale. Their settings are either given by the noise (BM3D receives
the true sigma: an oracle advantage over our blind models) or tuned by :func:`tune` on held-out
images, never on the images a table reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from n2n_models.metrics import psnr
from n2n_models.noise import NoiseModel, NoiseTerm


def _nothing_to_tune(noise: NoiseModel) -> list[dict[str, Any]]:
    return [{}]


@dataclass(frozen=True)
class Baseline:
    name: str
    # (noisy 0-255, noise, params) -> denoised 0-255
    run: Callable[[np.ndarray, NoiseModel, dict[str, Any]], np.ndarray]
    # Noise kinds the method is meant for; others are skipped.
    kinds: tuple[str, ...]
    # Candidate parameter sets for tuning (given the noise); one entry = nothing to tune.
    grid: Callable[[NoiseModel], list[dict[str, Any]]] = field(default=_nothing_to_tune)


def _single_term(noise: NoiseModel):
    if len(noise.terms) != 1 or noise.terms[0].low != noise.terms[0].high:
        raise ValueError(f"baselines need one fixed-strength noise term, got {noise}")
    return noise.terms[0]


def _bm3d(noisy: np.ndarray, noise: NoiseModel, params: dict[str, Any]) -> np.ndarray:
    import bm3d

    term = _single_term(noise)
    if term.kind == "gaussian":
        z, sigma = noisy / 255.0, term.low / 255.0
        out = bm3d.bm3d_rgb(z, sigma) if noisy.shape[2] == 3 else bm3d.bm3d(z[..., 0], sigma)[..., None]
        return np.asarray(out, np.float32) * 255.0
    # Poisson: Anscombe transform to unit-variance Gaussian on the photon-count scale, BM3D with
    # sigma 1, closed-form unbiased inverse (Makitalo & Foi 2011).
    lam = term.low
    counts = np.clip(noisy, 0, None) * (lam / 255.0)
    a = 2.0 * np.sqrt(counts + 3.0 / 8.0)
    scale = float(a.max()) or 1.0
    d = (
        bm3d.bm3d_rgb(a / scale, 1.0 / scale)
        if noisy.shape[2] == 3
        else bm3d.bm3d(a[..., 0] / scale, 1.0 / scale)[..., None]
    )
    d = np.maximum(np.asarray(d, np.float64) * scale, 2.0 * np.sqrt(3.0 / 8.0))  # a(0 photons)
    inv = d**2 / 4 + np.sqrt(1.5) / (4 * d) - 11 / (8 * d**2) + 5 * np.sqrt(1.5) / (8 * d**3) - 1 / 8
    return (np.maximum(inv, 0) * (255.0 / lam)).astype(np.float32)


def _nlm(noisy: np.ndarray, noise: NoiseModel, params: dict[str, Any]) -> np.ndarray:
    import cv2

    u8 = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    h = float(params["h"])
    if u8.shape[2] == 3:
        return cv2.fastNlMeansDenoisingColored(u8, None, h, h, 7, 21).astype(np.float32)
    return cv2.fastNlMeansDenoising(u8[..., 0], None, h, 7, 21)[..., None].astype(np.float32)


def _nlm_grid(noise: NoiseModel) -> list[dict[str, Any]]:
    term = _single_term(noise)
    if term.kind == "gaussian":
        return [{"h": round(f * term.low, 2)} for f in (0.5, 0.65, 0.8, 0.95, 1.1, 1.3)]
    return [{"h": h} for h in (4, 7, 10, 14, 20, 28, 40, 56, 80, 112)]


def _median(noisy: np.ndarray, noise: NoiseModel, params: dict[str, Any]) -> np.ndarray:
    import cv2

    u8 = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    out = cv2.medianBlur(u8, int(params["k"]))
    return (out[..., None] if out.ndim == 2 else out).astype(np.float32)


BASELINES: dict[str, Baseline] = {
    b.name: b
    for b in (
        Baseline("bm3d", _bm3d, ("gaussian", "poisson")),
        Baseline("nlm", _nlm, ("gaussian", "poisson", "impulse", "text"), _nlm_grid),
        Baseline(
            "median", _median, ("impulse", "text"), lambda noise: [{"k": k} for k in (3, 5, 7, 9, 11, 15, 21, 31, 45)]
        ),
    )
}


def estimate_sigma(noisy: np.ndarray) -> float:
    """Blind noise level (0-255 scale) of an image, as a user without a noise model would get it: the median
    absolute finest-scale diagonal Haar coefficient / 0.6745 (Donoho & Johnstone), averaged over channels.
    Edges barely touch the diagonal band; spatially correlated noise is underestimated, as any blind user's
    estimate would be."""
    x = np.asarray(noisy, np.float64)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:h, :w]
    diagonal = (x[0::2, 0::2] - x[0::2, 1::2] - x[1::2, 0::2] + x[1::2, 1::2]) / 2.0
    return float(np.mean(np.median(np.abs(diagonal), axis=(0, 1)) / 0.6745))


def _bm3d_blind(noisy: np.ndarray) -> np.ndarray:
    return _bm3d(noisy, NoiseModel((NoiseTerm("gaussian", *(2 * [max(estimate_sigma(noisy), 0.5)])),)), {})


def _nlm_blind(noisy: np.ndarray) -> np.ndarray:
    # h = 0.8 sigma: the middle of the Gaussian tuning grid above, where tuning on held-out images usually lands
    return _nlm(noisy, NoiseModel(()), {"h": round(0.8 * max(estimate_sigma(noisy), 0.5), 2)})


# Baselines for real noise, where no noise spec gives their settings: sigma estimated per image.
BLIND: dict[str, Callable[[np.ndarray], np.ndarray]] = {"bm3d": _bm3d_blind, "nlm": _nlm_blind}


def has_oracle(noise: NoiseModel) -> bool:
    """Whether the spec gives the baselines their settings: one fixed-strength term of a kind some baseline takes."""
    kinds = {k for b in BASELINES.values() for k in b.kinds}
    return len(noise.terms) == 1 and noise.terms[0].low == noise.terms[0].high and noise.terms[0].kind in kinds


def applicable(names: list[str], noise: NoiseModel) -> list[Baseline]:
    """The requested baselines meant for this noise (unknown names are an error)."""
    unknown = [n for n in names if n not in BASELINES]
    if unknown:
        raise ValueError(f"unknown baselines {unknown}; available: {', '.join(sorted(BASELINES))}")
    kind = _single_term(noise).kind
    return [BASELINES[n] for n in names if kind in BASELINES[n].kinds]


def tune(baseline: Baseline, noise: NoiseModel, pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """The grid entry with the best mean PSNR over (clean, noisy) tuning pairs."""
    grid = baseline.grid(noise)
    if len(grid) == 1:
        return grid[0]
    scores = [np.mean([psnr(c, baseline.run(n, noise, p)) for c, n in pairs]) for p in grid]
    return grid[int(np.argmax(scores))]
