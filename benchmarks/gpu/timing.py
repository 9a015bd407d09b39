"""Wall-clock timing shared by the GPU benchmarks."""

from __future__ import annotations

import time

import torch


def timed(fn, runs: int, cuda: bool = True) -> list[float]:
    """Seconds of each of ``runs`` calls of ``fn`` after one warm-up call; CUDA work is waited for."""
    fn()
    if cuda:
        torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times
