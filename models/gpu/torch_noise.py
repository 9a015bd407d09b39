"""n2n_models.noise on the GPU: the synthetic noise kinds as torch ops, text overlays on CPU workers."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np
import torch

import src_path  # noqa: F401  (models/src on sys.path)
from n2n_models.noise import NoiseModel, NoiseTerm


def _strength(term: NoiseTerm, n: int, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    u = torch.rand((n, 1, 1, 1), generator=gen, device=device)
    return term.low + (term.high - term.low) * u


def apply_noise_torch(model: NoiseModel, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """n2n_models.noise semantics on an NCHW float batch (0-255), strength drawn per sample; no text."""
    n, c, h, w = x.shape
    dev = x.device
    for term in model.terms:
        if term.kind == "clean":
            continue
        s = _strength(term, n, gen, dev)
        if term.kind == "gaussian":
            x = x + torch.randn(x.shape, generator=gen, device=dev) * s
        elif term.kind == "poisson":
            x = torch.poisson(x.clamp(min=0) * (s / 255.0), generator=gen) * (255.0 / s)
        elif term.kind == "bernoulli":
            x = x * (torch.rand((n, 1, h, w), generator=gen, device=dev) >= s)
        elif term.kind == "impulse":
            mask = torch.rand((n, 1, h, w), generator=gen, device=dev) < s / 100.0
            values = torch.randint(0, 256, x.shape, generator=gen, device=dev).float()
            x = torch.where(mask, values, x)
        else:
            raise ValueError(f"{term.kind} noise has no torch implementation")
    return x


# Drawn with PIL or the numpy camera pipeline (n2n_models.noise), on CPU worker processes.
CPU_KINDS = ("text", "camera", "jpeg")


def needs_cpu(model: NoiseModel) -> bool:
    return any(t.kind in CPU_KINDS for t in model.terms)


class CpuNoise:
    """Noise kinds without a torch twin, drawn by n2n_models.noise in worker processes, one seed per patch.

    'spawn', not fork: the parent has CUDA initialised by then.
    """

    def __init__(self, model: NoiseModel, seed: int, workers: int):
        self.model = model
        self.seeds = np.random.SeedSequence(seed)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def start(self, clean: np.ndarray) -> list[Future[np.ndarray]]:
        """Noise for every patch of a uint8 NHWC batch, under way on the pool."""
        children = self.seeds.spawn(len(clean))
        return [
            self.pool.submit(self.model.apply, img.astype(np.float32), np.random.default_rng(s))
            for img, s in zip(clean, children, strict=True)
        ]

    @staticmethod
    def collect(jobs: list[Future[np.ndarray]]) -> np.ndarray:
        return np.stack([j.result() for j in jobs])
