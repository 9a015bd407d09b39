"""halfunet: the paper's U-Net run at half resolution, for CPU throughput.

The paper's U-Net spends most of its time in its full-resolution layers. Here the image is
pixel-unshuffled by 2 (space_to_depth: C -> 4C channels at half resolution), the U-Net body with
four pools (so the same 32-pixel size multiple) runs on that, its 4C-channel output is shuffled back
and added to the input (the network predicts the residual). About a quarter of the U-Net's
multiply-adds per pixel, close to fastdn's, with the U-Net's receptive field.
"""

from __future__ import annotations

import keras
from keras import layers

from n2n_models.archs.fastdn import DepthToSpace, SpaceToDepth
from n2n_models.archs.unet import unet_body


def build_halfunet(channels: int = 3, enc: int = 48, dec: int = 96) -> keras.Model:
    inp = keras.Input((None, None, channels), name="input")
    x = SpaceToDepth(2, name="unshuffle")(inp)
    x = unet_body(x, 4 * channels, enc, dec, pools=4)
    x = DepthToSpace(2, name="shuffle")(x)
    out = layers.Add(name="residual")([inp, x])
    return keras.Model(inp, out, name="halfunet")
