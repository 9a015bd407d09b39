"""What the service and the trainers need to know about each architecture, without its framework.

The Keras builders (``n2n_models.archs``) and the PyTorch twins (``models/gpu``) both look their
architectures up here, so the GPU machine, which has no TensorFlow, shares one list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchSpec:
    name: str
    # Input H and W must be multiples of this (the worker reflect-pads).
    size_multiple: int
    # Context (px) a tile needs on each side it shares with a neighbour for the worker's blended tiles
    # to match the untiled output within 1/255 (measured; about the effective receptive field).
    tile_overlap: int
    description: str


ARCH_SPECS: dict[str, ArchSpec] = {
    spec.name: spec
    for spec in (
        ArchSpec("fastdn", 2, 32, "pixel-unshuffle x2, 3x3 conv stack at half resolution, residual"),
        ArchSpec("halfunet", 32, 192, "U-Net body (4 pools) at half resolution via pixel-unshuffle x2, residual"),
        ArchSpec("srresnet", 1, 64, "SRResNet body: 16 residual blocks x 64 filters, BN, PReLU"),
        ArchSpec("unet", 32, 192, "Noise2Noise paper U-Net: 48-ch encoder, 5 pools, 96-ch decoder"),
    )
}


def available() -> list[str]:
    return sorted(ARCH_SPECS)


def get(name: str) -> ArchSpec:
    try:
        return ARCH_SPECS[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; available: {', '.join(available())}") from None


def size_multiple(name: str) -> int:
    return get(name).size_multiple


def tile_overlap(name: str) -> int:
    return get(name).tile_overlap
