"""Registry of denoiser architectures by name.

Every builder returns a Keras model mapping float32 NHWC images in [0, 1] with dynamic H, W
(multiples of the architecture's ``size_multiple``) to the denoised image, same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import keras


@dataclass(frozen=True)
class ArchSpec:
    name: str
    builder: Callable[..., keras.Model]
    size_multiple: int
    description: str
    # Context (px) a tile needs on each side it shares with a neighbour for the worker's blended tiles
    # to match the untiled output within 1/255 (measured; about the effective receptive field).
    tile_overlap: int


_REGISTRY: dict[str, ArchSpec] = {}


def register(name: str, size_multiple: int, tile_overlap: int, description: str) -> Callable:
    def wrap(fn: Callable[..., keras.Model]) -> Callable[..., keras.Model]:
        if name in _REGISTRY:
            raise ValueError(f"architecture {name!r} registered twice")
        _REGISTRY[name] = ArchSpec(name, fn, size_multiple, description, tile_overlap)
        return fn

    return wrap


def available() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> ArchSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; available: {', '.join(available())}") from None


def build(name: str, channels: int = 3, **kwargs: Any) -> keras.Model:
    return get(name).builder(channels=channels, **kwargs)


def size_multiple(name: str) -> int:
    return get(name).size_multiple


def tile_overlap(name: str) -> int:
    return get(name).tile_overlap


# Import the modules so they register themselves.
from n2n_models.archs import fastdn, halfunet, srresnet, unet  # noqa: E402,F401
