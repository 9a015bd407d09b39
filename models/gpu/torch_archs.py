"""PyTorch twins of the n2n_models.archs Keras models, layer for layer, with Keras-layout weights.

Same layer names, 'same' padding, TF's space_to_depth channel order and Keras initialisers, so
that ``keras_weights()`` loads into the Keras model (``n2n-models import-weights``) unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

PARITY_SHAPE = (2, 64, 96)  # N, H, W: a multiple of every architecture's size multiple
PARITY_SEED = 0


def space_to_depth(x: torch.Tensor, block: int) -> torch.Tensor:
    """tf.nn.space_to_depth on NCHW: output channel (dy * block + dx) * C + c (pixel_unshuffle differs)."""
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // block, block, w // block, block)
    return x.permute(0, 3, 5, 1, 2, 4).reshape(n, block * block * c, h // block, w // block)


def depth_to_space(x: torch.Tensor, block: int) -> torch.Tensor:
    """tf.nn.depth_to_space on NCHW, the inverse of :func:`space_to_depth`."""
    n, c, h, w = x.shape
    c_out = c // (block * block)
    x = x.reshape(n, block, block, c_out, h, w)
    return x.permute(0, 3, 4, 1, 5, 2).reshape(n, c_out, h * block, w * block)


def conv(cin: int, cout: int) -> nn.Conv2d:
    """3x3 'same' conv initialised like Keras (glorot_uniform kernel, zero bias)."""
    layer = nn.Conv2d(cin, cout, 3, padding=1)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class KerasNamed(nn.Module):
    """A model whose weighted layers are registered under their Keras layer names."""

    layers: nn.ModuleDict

    def keras_weights(self) -> dict[str, np.ndarray]:
        """``layer/weight`` -> array in Keras layout (conv kernels HWIO)."""
        out: dict[str, np.ndarray] = {}
        for name, layer in self.layers.items():
            if isinstance(layer, nn.Conv2d):
                out[f"{name}/kernel"] = _np(layer.weight.permute(2, 3, 1, 0))
                out[f"{name}/bias"] = _np(layer.bias)
            elif isinstance(layer, nn.PReLU):
                out[f"{name}/alpha"] = _np(layer.weight.reshape(1, 1, -1))
            elif isinstance(layer, nn.BatchNorm2d):
                out[f"{name}/gamma"] = _np(layer.weight)
                out[f"{name}/beta"] = _np(layer.bias)
                out[f"{name}/moving_mean"] = _np(layer.running_mean)
                out[f"{name}/moving_variance"] = _np(layer.running_var)
            else:
                raise TypeError(f"no Keras layout for {type(layer).__name__} {name}")
        return out

    def load_keras_weights(self, arrays: dict[str, np.ndarray]) -> None:
        """The inverse of :meth:`keras_weights`: every weight from ``arrays``, key sets and shapes exactly matching."""
        expected = self.keras_weights()
        missing, extra = sorted(set(expected) - set(arrays)), sorted(set(arrays) - set(expected))
        if missing or extra:
            raise ValueError(f"weights do not fit: missing {missing or 'none'}; unexpected {extra or 'none'}")
        wrong = [k for k in expected if expected[k].shape != arrays[k].shape]
        if wrong:
            raise ValueError(f"weight shapes differ for {wrong}")
        with torch.no_grad():
            for name, layer in self.layers.items():
                if isinstance(layer, nn.Conv2d):
                    layer.weight.copy_(torch.from_numpy(arrays[f"{name}/kernel"]).permute(3, 2, 0, 1))
                    layer.bias.copy_(torch.from_numpy(arrays[f"{name}/bias"]))
                elif isinstance(layer, nn.PReLU):
                    layer.weight.copy_(torch.from_numpy(arrays[f"{name}/alpha"]).reshape(-1))
                elif isinstance(layer, nn.BatchNorm2d):
                    layer.weight.copy_(torch.from_numpy(arrays[f"{name}/gamma"]))
                    layer.bias.copy_(torch.from_numpy(arrays[f"{name}/beta"]))
                    layer.running_mean.copy_(torch.from_numpy(arrays[f"{name}/moving_mean"]))
                    layer.running_var.copy_(torch.from_numpy(arrays[f"{name}/moving_variance"]))
        back = self.keras_weights()
        if any(not np.array_equal(back[k], arrays[k].astype(np.float32)) for k in back):
            raise AssertionError("loaded weights do not read back as given")


def _np(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy())


class FastDn(KerasNamed):
    def __init__(self, channels: int = 3, features: int = 64, depth: int = 8):
        super().__init__()
        if depth < 2:
            raise ValueError(f"fastdn depth must be >= 2, got {depth}")
        widths = [4 * channels] + [features] * (depth - 1) + [4 * channels]
        self.layers = nn.ModuleDict({f"conv{i}": conv(widths[i], widths[i + 1]) for i in range(depth)})
        self.depth = depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = space_to_depth(x, 2)
        for i in range(self.depth):
            y = self.layers[f"conv{i}"](y)
            if i < self.depth - 1:
                y = F.relu(y)
        return x + depth_to_space(y, 2)


class UNet(KerasNamed):
    """n2n_models.archs.unet: 48-ch encoder, five 2x2 max-pools, 96-ch decoder, leaky ReLU 0.1.

    ``in_channels``/``out_channels``/``pools`` give the body that ``HalfUNet`` runs at half resolution.
    """

    def __init__(
        self,
        channels: int = 3,
        enc: int = 48,
        dec: int = 96,
        pools: int = 5,
        in_channels: int | None = None,
        out_channels: int | None = None,
    ):
        super().__init__()
        cin0 = in_channels or channels
        spec = {"enc_conv0": (cin0, enc), "enc_conv1": (enc, enc)}
        spec.update({f"enc_conv{i}": (enc, enc) for i in range(2, pools + 2)})
        cin = enc
        for i in range(pools, 1, -1):
            spec[f"dec_conv{i}a"] = (cin + enc, dec)
            spec[f"dec_conv{i}b"] = (dec, dec)
            cin = dec
        spec.update(
            {"dec_conv1a": (dec + cin0, 64), "dec_conv1b": (64, 32), "dec_conv1": (32, out_channels or channels)}
        )
        self.layers = nn.ModuleDict({name: conv(a, b) for name, (a, b) in spec.items()})
        self.pools = pools

    def _c(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.layers[name](x), 0.1)

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        skips = [inp]
        x = self._c("enc_conv1", self._c("enc_conv0", inp))
        x = F.max_pool2d(x, 2)
        skips.append(x)
        for i in range(2, self.pools + 1):
            x = F.max_pool2d(self._c(f"enc_conv{i}", x), 2)
            if i < self.pools:
                skips.append(x)
        x = self._c(f"enc_conv{self.pools + 1}", x)
        for i in range(self.pools, 1, -1):
            x = torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips.pop()], dim=1)
            x = self._c(f"dec_conv{i}b", self._c(f"dec_conv{i}a", x))
        x = torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips.pop()], dim=1)
        x = self._c("dec_conv1b", self._c("dec_conv1a", x))
        return self.layers["dec_conv1"](x)


class HalfUNet(UNet):
    """n2n_models.archs.halfunet: the U-Net body (4 pools) on the space_to_depth(2) image, residual."""

    def __init__(self, channels: int = 3, enc: int = 48, dec: int = 96):
        super().__init__(channels, enc, dec, pools=4, in_channels=4 * channels, out_channels=4 * channels)

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        return inp + depth_to_space(super().forward(space_to_depth(inp, 2)), 2)


class SRResNet(KerasNamed):
    """n2n_models.archs.srresnet; BatchNorm with Keras' epsilon 1e-3 and momentum 0.99."""

    def __init__(self, channels: int = 3, features: int = 64, blocks: int = 16):
        super().__init__()
        f = features
        layers: dict[str, nn.Module] = {"head": conv(channels, f), "head_prelu": _prelu(f)}
        for i in range(blocks):
            layers.update(
                {
                    f"res{i}_conv1": conv(f, f),
                    f"res{i}_bn1": _bn(f),
                    f"res{i}_prelu": _prelu(f),
                    f"res{i}_conv2": conv(f, f),
                    f"res{i}_bn2": _bn(f),
                }
            )
        layers.update({"body_conv": conv(f, f), "body_bn": _bn(f), "tail": conv(f, channels)})
        self.layers = nn.ModuleDict(layers)
        self.blocks = blocks

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        L = self.layers
        x = head = L["head_prelu"](L["head"](inp))
        for i in range(self.blocks):
            y = L[f"res{i}_prelu"](L[f"res{i}_bn1"](L[f"res{i}_conv1"](x)))
            x = x + L[f"res{i}_bn2"](L[f"res{i}_conv2"](y))
        x = L["body_bn"](L["body_conv"](x)) + head
        return L["tail"](x)


def _prelu(channels: int) -> nn.PReLU:
    layer = nn.PReLU(channels)
    nn.init.zeros_(layer.weight)  # Keras PReLU starts at alpha = 0
    return layer


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


# One twin for every architecture of n2n_models.arch_specs (tests/test_gpu.py checks the names).
ARCHS: dict[str, Callable[..., KerasNamed]] = {
    "fastdn": FastDn,
    "unet": UNet,
    "halfunet": HalfUNet,
    "srresnet": SRResNet,
}


def build(arch: str, channels: int, kwargs: dict[str, Any]) -> KerasNamed:
    if arch not in ARCHS:
        raise ValueError(f"model.arch {arch!r} has no torch twin; available: {', '.join(ARCHS)}")
    return ARCHS[arch](channels=channels, **kwargs)


def parity_fixture(model: KerasNamed, channels: int) -> dict[str, np.ndarray]:
    """A fixed random NHWC input and the fp32 CPU output of ``model`` (no TF32, no autocast)."""
    n, h, w = PARITY_SHAPE
    x = np.random.default_rng(PARITY_SEED).random((n, h, w, channels), dtype=np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    return {"input": x, "output": np.ascontiguousarray(y)}
