"""Training schedule (learning rate, L0 exponent, progress) and the log's columns.

Pure Python, no TensorFlow: the PyTorch trainer for the GPU machine (models/gpu) uses it too.
"""

from __future__ import annotations

import math

from n2n_models.config import Config

LOG_FIELDS = ["step", "elapsed_s", "loss", "lr", "val_psnr_noisy", "val_psnr_model"]


def l0_gamma_at(cfg: Config, step: int, seconds: float = 0.0) -> float:
    """Exponent of the annealed L0 loss: falls linearly from ``l0_gamma`` to 0 at the end of the run."""
    return cfg.train.l0_gamma * max(0.0, 1.0 - progress(cfg, step, seconds))


def progress(cfg: Config, step: int, seconds: float = 0.0) -> float:
    """Fraction of the run done: by steps, or by total training time if that is further along."""
    p = step / cfg.train.steps
    if cfg.train.time_budget_minutes > 0:
        p = max(p, seconds / (60.0 * cfg.train.time_budget_minutes))
    return p


def lr_at(cfg: Config, step: int, seconds: float = 0.0) -> float:
    """Constant learning rate (after a linear ``warmup_steps`` warm-up), then a cosine ramp-down over the last
    ``rampdown`` fraction of the run.

    The fraction is measured in steps or, with ``time_budget_minutes``, in training time, whichever
    is further along, so a run on a busy CPU still ends with a full ramp-down.
    """
    t = cfg.train
    p = progress(cfg, step, seconds)
    start = 1.0 - t.rampdown
    warmup = min(1.0, (step + 1) / t.warmup_steps) if t.warmup_steps else 1.0
    if p < start or t.rampdown == 0:
        return t.lr * warmup
    frac = min(1.0, (p - start) / t.rampdown)
    return warmup * (t.lr * (0.5 + 0.5 * math.cos(math.pi * frac)) + t.lr * 1e-3)
