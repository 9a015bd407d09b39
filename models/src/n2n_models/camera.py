"""Realistic camera noise from a clean sRGB image, for Noise2Noise training without clean targets.

Real sensor noise reaches a photograph through the camera's processing: it is heteroscedastic in the
raw domain (shot noise grows with the signal, read noise does not), sampled on a Bayer mosaic, spread
over neighbouring pixels and channels by demosaicing, then mixed by the colour matrix and bent by the
white-balance gains, gamma and tone curve (and often JPEG, see the ``jpeg`` noise term). So the noise
of a photograph differs per channel, depends on brightness and is correlated over a few pixels —
unlike the independent per-pixel noise the Gaussian models are trained on.

``camera_noise`` follows Brooks et al., "Unprocessing Images for Learned Raw Denoising" (CVPR 2019):
clean sRGB -> inverse tone curve -> inverse gamma -> inverse colour matrix -> inverse white balance
and exposure gain (approximate raw) -> shot + read noise drawn on the Bayer sites -> demosaiced ->
gains, colour matrix, gamma, tone -> sRGB. Camera parameters are drawn per image, widely.

Only the *noise* is demosaiced (bilinear interpolation of the noise mosaic), not the signal: a
demosaiced clean image is not the clean image, and a Noise2Noise target's expectation must be the
scene itself (up to the small bias the gamma curve gives noise in the darkest tones) — else the
denoiser would learn to reproduce demosaicing artefacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Raw value of the reference grey whose noise the strength names (18 % grey after the inverse pipeline).
MID_GREY_RAW = 0.18
# How much the processing amplifies raw noise at mid grey (gamma and tone slope, gains, colour matrix): the median
# over random cameras of sd(sRGB noise) / sd(raw noise), measured (tests/test_noise.py holds it), so that the
# strength is the median noise sd at mid grey in 8-bit units; per camera it varies about 0.7x-1.3x around that.
MID_GREY_SLOPE = 3.3
BAYER_PATTERNS = ("RGGB", "BGGR", "GRBG", "GBRG")
_CHANNEL = {"R": 0, "G": 1, "B": 2}


@dataclass(frozen=True)
class CameraParams:
    """One simulated camera and exposure."""

    cam2rgb: np.ndarray  # (3, 3), rows sum to 1: a neutral grey stays grey
    red_gain: float
    blue_gain: float
    exposure_gain: float
    gamma: float
    tone_curve: bool
    pattern: str
    # Passes of a [1, 2, 1] blur over the demosaiced noise: in-camera demosaicing, noise reduction and
    # resampling spread real noise over more than bilinear interpolation's neighbours.
    noise_spread: int
    shot: float  # raw-domain noise variance per unit of signal
    read: float  # raw-domain signal-independent noise variance

    @staticmethod
    def draw(strength: float, rng: np.random.Generator) -> CameraParams:
        """A random camera whose noise sd at mid grey is about ``strength`` (8-bit sRGB units)."""
        off = -rng.uniform(0.05, 0.45, size=(3, 3))
        np.fill_diagonal(off, 0.0)
        cam2rgb = off + np.diag(1.0 - off.sum(axis=1))
        variance = (strength / 255.0 / MID_GREY_SLOPE) ** 2
        shot_fraction = rng.uniform(0.3, 0.95)
        return CameraParams(
            cam2rgb=cam2rgb,
            red_gain=float(rng.uniform(1.9, 2.4)),
            blue_gain=float(rng.uniform(1.5, 1.9)),
            exposure_gain=float(np.clip(rng.normal(0.8, 0.1), 0.5, 1.1)),
            gamma=float(rng.uniform(2.0, 2.4)),
            tone_curve=bool(rng.random() < 0.7),
            pattern=BAYER_PATTERNS[int(rng.integers(len(BAYER_PATTERNS)))],
            noise_spread=int(rng.integers(0, 4)),
            shot=shot_fraction * variance / MID_GREY_RAW,
            read=(1.0 - shot_fraction) * variance,
        )

    def gains(self) -> np.ndarray:
        return np.array([self.red_gain, 1.0, self.blue_gain], np.float32) / np.float32(self.exposure_gain)

    def unprocess(self, srgb: np.ndarray) -> np.ndarray:
        """(H, W, 3) sRGB in [0, 1] -> camera raw RGB (linear, before white balance), >= 0."""
        x = np.clip(srgb, 0.0, 1.0)
        if self.tone_curve:
            x = 0.5 - np.sin(np.arcsin(1.0 - 2.0 * x) / 3.0)
        x = np.maximum(x, 1e-8) ** self.gamma
        x = x @ np.linalg.inv(self.cam2rgb).T.astype(np.float32)
        return np.maximum(x / self.gains(), 0.0).astype(np.float32)

    def process(self, raw: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`unprocess`: camera raw RGB -> sRGB in [0, 1]."""
        x = raw * self.gains()
        x = np.clip(x @ self.cam2rgb.T.astype(np.float32), 0.0, 1.0)
        x = np.maximum(x, 1e-8) ** (1.0 / self.gamma)
        if self.tone_curve:
            x = 3.0 * x**2 - 2.0 * x**3
        return x.astype(np.float32)

    def cfa_masks(self, h: int, w: int) -> np.ndarray:
        """(H, W, 3) one-hot: which colour each photosite samples."""
        masks = np.zeros((h, w, 3), np.float32)
        for i, letter in enumerate(self.pattern):
            masks[i // 2 :: 2, i % 2 :: 2, _CHANNEL[letter]] = 1.0
        return masks


def camera_noise(image: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """A noisy copy of an (H, W, 3) 0-255 sRGB image, as a camera with random parameters would render it."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"camera noise needs an (H, W, 3) colour image, got shape {image.shape}")
    cam = CameraParams.draw(strength, rng)
    h, w, _ = image.shape
    raw = cam.unprocess(image.astype(np.float32) / 255.0)
    masks = cam.cfa_masks(h, w)
    site_signal = (raw * masks).sum(axis=2)
    sd = np.sqrt(cam.shot * site_signal + cam.read).astype(np.float32)
    noise_mosaic = rng.standard_normal((h, w), dtype=np.float32) * sd
    noise = demosaic_bilinear(noise_mosaic[..., None] * masks)
    if cam.noise_spread:
        spread = noise
        for _ in range(cam.noise_spread):
            spread = _blur121(spread)
        # the blur keeps the noise's amplitude (the strength), changing only how far it reaches
        noise = spread * np.float32(noise.std() / max(float(spread.std()), 1e-12))
    noisy_raw = raw + noise
    return cam.process(noisy_raw) * np.float32(255.0)


def demosaic_bilinear(sparse: np.ndarray) -> np.ndarray:
    """Bilinear demosaicing of an (H, W, 3) mosaic holding each site's value in its own channel only.

    Green is interpolated from the 4 nearest green sites, red and blue from the 2 or 4 nearest of theirs;
    'reflect' padding keeps the Bayer phase at the borders.
    """
    green = np.array([[0, 1, 0], [1, 4, 1], [0, 1, 0]], np.float32) / 4.0
    red_blue = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float32) / 4.0
    out = np.empty_like(sparse)
    for c, kernel in ((0, red_blue), (1, green), (2, red_blue)):
        out[..., c] = _convolve3(sparse[..., c], kernel)
    return out


def _blur121(image: np.ndarray) -> np.ndarray:
    kernel = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]).astype(np.float32) / 16.0
    return np.stack([_convolve3(image[..., c], kernel) for c in range(image.shape[2])], axis=2)


def _convolve3(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    h, w = plane.shape
    padded = np.pad(plane, 1, mode="reflect")
    out = np.zeros_like(plane)
    for dy in range(3):
        for dx in range(3):
            if kernel[dy, dx]:
                out += kernel[dy, dx] * padded[dy : dy + h, dx : dx + w]
    return out


def jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """Encode an (H, W, C) 0-255 image as an 8-bit JPEG (4:2:0 for colour, as cameras do) and decode it."""
    import io

    from PIL import Image

    u8 = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    pil = Image.fromarray(u8[..., 0] if u8.shape[2] == 1 else u8)
    buf = io.BytesIO()
    pil.save(buf, format="JPEG", quality=int(quality), subsampling=0 if u8.shape[2] == 1 else 2)
    buf.seek(0)
    with Image.open(buf) as decoded:
        out = np.asarray(decoded, dtype=np.float32)
    return out.reshape(image.shape)
