"""fastdn: a small denoiser built for CPU throughput.

The image is pixel-unshuffled by 2 (space_to_depth: C -> 4C channels at half resolution), a
plain stack of 3x3 convolutions with ReLU runs at half resolution, the result is shuffled back
(depth_to_space) and added to the input: the network predicts the residual (minus the noise).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers


class SpaceToDepth(layers.Layer):
    def __init__(self, block: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.block = block

    def call(self, x):
        return tf.nn.space_to_depth(x, self.block)

    def get_config(self):
        return {**super().get_config(), "block": self.block}


class DepthToSpace(layers.Layer):
    def __init__(self, block: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.block = block

    def call(self, x):
        return tf.nn.depth_to_space(x, self.block)

    def get_config(self):
        return {**super().get_config(), "block": self.block}


def build_fastdn(channels: int = 3, features: int = 64, depth: int = 8) -> keras.Model:
    if depth < 2:
        raise ValueError(f"fastdn depth must be >= 2, got {depth}")
    inp = keras.Input((None, None, channels), name="input")
    x = SpaceToDepth(2, name="unshuffle")(inp)
    x = layers.Conv2D(features, 3, padding="same", activation="relu", name="conv0")(x)
    for i in range(1, depth - 1):
        x = layers.Conv2D(features, 3, padding="same", activation="relu", name=f"conv{i}")(x)
    x = layers.Conv2D(4 * channels, 3, padding="same", name=f"conv{depth - 1}")(x)
    x = DepthToSpace(2, name="shuffle")(x)
    out = layers.Add(name="residual")([inp, x])
    return keras.Model(inp, out, name="fastdn")
