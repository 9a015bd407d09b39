"""SRResNet-style denoiser without upsampling (as in yu4u/noise2noise): 16 residual blocks, 64 filters."""

from __future__ import annotations

import keras
from keras import layers


def build_srresnet(channels: int = 3, features: int = 64, blocks: int = 16) -> keras.Model:
    inp = keras.Input((None, None, channels), name="input")
    x = layers.Conv2D(features, 3, padding="same", name="head")(inp)
    x = layers.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
    head = x
    for i in range(blocks):
        y = layers.Conv2D(features, 3, padding="same", name=f"res{i}_conv1")(x)
        y = layers.BatchNormalization(name=f"res{i}_bn1")(y)
        y = layers.PReLU(shared_axes=[1, 2], name=f"res{i}_prelu")(y)
        y = layers.Conv2D(features, 3, padding="same", name=f"res{i}_conv2")(y)
        y = layers.BatchNormalization(name=f"res{i}_bn2")(y)
        x = layers.Add(name=f"res{i}_add")([x, y])
    x = layers.Conv2D(features, 3, padding="same", name="body_conv")(x)
    x = layers.BatchNormalization(name="body_bn")(x)
    x = layers.Add(name="body_add")([x, head])
    out = layers.Conv2D(channels, 3, padding="same", name="tail")(x)
    return keras.Model(inp, out, name="srresnet")
