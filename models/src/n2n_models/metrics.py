"""PSNR on the 8-bit scale (after rounding and clipping, per the evaluation protocol)."""

from __future__ import annotations

import numpy as np


def psnr(clean: np.ndarray, test: np.ndarray) -> float:
    """PSNR in dB of ``test`` vs ``clean``, both on the 0-255 scale; ``test`` is rounded/clipped."""
    a = np.asarray(clean, np.float64)
    b = np.clip(np.rint(np.asarray(test, np.float64)), 0, 255)
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0**2 / mse)
