"""Keras builders of the denoiser architectures, by name (their metadata: ``n2n_models.arch_specs``).

Every builder returns a Keras model mapping float32 NHWC images in [0, 1] with dynamic H, W
(multiples of the architecture's ``size_multiple``) to the denoised image, same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from n2n_models.arch_specs import available, get, size_multiple, tile_overlap
from n2n_models.archs.fastdn import build_fastdn
from n2n_models.archs.halfunet import build_halfunet
from n2n_models.archs.srresnet import build_srresnet
from n2n_models.archs.unet import build_unet

__all__ = ["BUILDERS", "available", "build", "get", "size_multiple", "tile_overlap"]

BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "fastdn": build_fastdn,
    "halfunet": build_halfunet,
    "srresnet": build_srresnet,
    "unet": build_unet,
}


def build(name: str, channels: int = 3, **kwargs: Any) -> keras.Model:
    get(name)  # unknown names fail with the list of available ones
    return BUILDERS[name](channels=channels, **kwargs)
