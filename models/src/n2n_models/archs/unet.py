"""The U-Net of the Noise2Noise paper (Lehtinen et al. 2018, appendix A.1)."""

from __future__ import annotations

import keras
from keras import layers


def _conv(x, filters: int, name: str):
    x = layers.Conv2D(filters, 3, padding="same", name=name)(x)
    return layers.LeakyReLU(negative_slope=0.1, name=f"{name}_lrelu")(x)


def unet_body(inp, out_channels: int, enc: int, dec: int, pools: int):
    """The paper's encoder/decoder on ``inp``: ``pools`` 2x2 max-pools, skips, linear output.

    With ``pools=5`` it is the paper's network (bottleneck ``enc_conv6``); ``halfunet`` uses 4.
    """
    skips = [inp]
    x = _conv(inp, enc, "enc_conv0")
    x = _conv(x, enc, "enc_conv1")
    x = layers.MaxPooling2D(2, name="pool1")(x)
    skips.append(x)
    for i in range(2, pools + 1):
        x = _conv(x, enc, f"enc_conv{i}")
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
        if i < pools:
            skips.append(x)
    x = _conv(x, enc, f"enc_conv{pools + 1}")
    for i in range(pools, 1, -1):
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"upsample{i}")(x)
        x = layers.Concatenate(name=f"concat{i}")([x, skips.pop()])
        x = _conv(x, dec, f"dec_conv{i}a")
        x = _conv(x, dec, f"dec_conv{i}b")
    x = layers.UpSampling2D(2, interpolation="nearest", name="upsample1")(x)
    x = layers.Concatenate(name="concat1")([x, skips.pop()])
    x = _conv(x, 64, "dec_conv1a")
    x = _conv(x, 32, "dec_conv1b")
    return layers.Conv2D(out_channels, 3, padding="same", name="dec_conv1")(x)


def build_unet(channels: int = 3, enc: int = 48, dec: int = 96) -> keras.Model:
    inp = keras.Input((None, None, channels), name="input")
    out = unet_body(inp, channels, enc, dec, pools=5)
    return keras.Model(inp, out, name="unet")
