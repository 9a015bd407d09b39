"""Synthetic noise models addressed by spec strings compatible with yu4u/noise2noise.

A spec is one or more terms joined by ``+``, applied left to right:

* ``gaussian,MIN,MAX``  additive N(0, sigma^2), sigma ~ U[MIN, MAX] on the 0-255 scale.
* ``poisson,MIN,MAX``   shot noise; lambda ~ U[MIN, MAX] photons at full scale (255):
                        ``y = Poisson(lambda * x / 255) * 255 / lambda``.
* ``bernoulli,MIN,MAX`` multiplicative Bernoulli (N2N paper): each *pixel* is zeroed with
                        probability p ~ U[MIN, MAX], MIN/MAX in [0, 1].
* ``impulse,MIN,MAX``   random-valued impulse: MIN..MAX percent of the *pixels* (one mask per
                        pixel, all channels together) replaced by uniform random values.
* ``text,MIN,MAX``      random text overlay covering about MIN..MAX percent of the pixels.
* ``camera,MIN,MAX``    real-camera noise (:mod:`n2n_models.camera`): shot + read noise on a Bayer mosaic
                        of an approximate raw image, demosaiced and processed back to sRGB with random
                        camera parameters; MIN..MAX (> 0) is the noise sd at mid grey in 8-bit units,
                        drawn *log*-uniformly (real photos are mostly lightly noisy). Colour images only.
* ``jpeg,MIN,MAX``      an 8-bit JPEG round trip at a quality drawn from MIN..MAX (1-100), 4:2:0 chroma
                        for colour images: what a camera or a web upload adds after the noise.
* ``clean``             no noise.

The strength is drawn uniformly per sample (per image / patch). Images are float arrays on the
0-255 scale, shape ``(H, W, C)``; results are float and *not* clipped (see :func:`quantize`).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np

from n2n_models.camera import camera_noise, jpeg_round_trip

KINDS = ("gaussian", "poisson", "bernoulli", "impulse", "text", "camera", "jpeg", "clean")


@dataclass(frozen=True)
class NoiseTerm:
    kind: str
    low: float = 0.0
    high: float = 0.0

    def __str__(self) -> str:
        if self.kind == "clean":
            return "clean"
        return f"{self.kind},{_fmt(self.low)},{_fmt(self.high)}"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class NoiseModel:
    terms: tuple[NoiseTerm, ...]

    @property
    def is_clean(self) -> bool:
        return all(t.kind == "clean" for t in self.terms)

    def __str__(self) -> str:
        return "+".join(str(t) for t in self.terms)

    def apply(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Return a noisy float32 copy of one ``(H, W, C)`` image on the 0-255 scale."""
        if image.ndim != 3:
            raise ValueError(f"expected an (H, W, C) image, got shape {image.shape}")
        out = image.astype(np.float32, copy=True)
        for term in self.terms:
            out = _apply_term(term, out, rng)
        return out

    def apply_batch(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Noise for each image of an ``(N, H, W, C)`` batch, strength drawn per image."""
        return np.stack([self.apply(img, rng) for img in images])


def parse_noise_spec(spec: str) -> NoiseModel:
    """Parse a spec such as ``"gaussian,0,50"`` or ``"poisson,30,30+impulse,5,5"``.

    Raises ``ValueError`` with an explanation for any malformed spec.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"empty noise spec {spec!r}; expected e.g. 'gaussian,0,50' or 'clean'")
    terms = []
    for raw in spec.split("+"):
        parts = [p.strip() for p in raw.strip().split(",")]
        kind = parts[0].lower()
        if kind not in KINDS:
            raise ValueError(f"unknown noise kind {kind!r} in spec {spec!r}; known: {', '.join(KINDS)}")
        if kind == "clean":
            if len(parts) != 1:
                raise ValueError(f"'clean' takes no parameters (spec {spec!r})")
            terms.append(NoiseTerm("clean"))
            continue
        if len(parts) != 3:
            raise ValueError(f"noise term {raw.strip()!r} in spec {spec!r} must be '{kind},MIN,MAX'")
        try:
            low, high = float(parts[1]), float(parts[2])
        except ValueError:
            raise ValueError(f"noise term {raw.strip()!r}: MIN and MAX must be numbers") from None
        if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high < low:
            raise ValueError(f"noise term {raw.strip()!r}: need 0 <= MIN <= MAX, got {low}, {high}")
        if kind in ("poisson", "camera") and low <= 0:
            raise ValueError(f"noise term {raw.strip()!r}: {kind} strength must be > 0")
        if kind == "bernoulli" and high > 1:
            raise ValueError(f"noise term {raw.strip()!r}: bernoulli probability must be <= 1")
        if kind in ("impulse", "text") and high > 100:
            raise ValueError(f"noise term {raw.strip()!r}: {kind} percentage must be <= 100")
        if kind == "jpeg" and not (low >= 1 and high <= 100):
            raise ValueError(f"noise term {raw.strip()!r}: jpeg quality must be within 1..100")
        terms.append(NoiseTerm(kind, low, high))
    return NoiseModel(tuple(terms))


def quantize(image: np.ndarray) -> np.ndarray:
    """Round and clip to 8-bit values (kept as float32), as when a noisy image is saved."""
    return np.clip(np.rint(image), 0, 255).astype(np.float32)


def _apply_term(term: NoiseTerm, img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if term.kind == "clean":
        return img
    if term.kind == "camera":
        return camera_noise(img, _log_uniform(term, rng), rng)
    if term.kind == "jpeg":
        return jpeg_round_trip(img, int(rng.integers(round(term.low), round(term.high) + 1)))
    strength = rng.uniform(term.low, term.high) if term.high > term.low else term.low
    h, w, c = img.shape
    if term.kind == "gaussian":
        return img + rng.standard_normal(img.shape, dtype=np.float32) * np.float32(strength)
    if term.kind == "poisson":
        lam = float(strength)
        counts = rng.poisson(np.clip(img, 0, None) * (lam / 255.0))
        return (counts * (255.0 / lam)).astype(np.float32)
    if term.kind == "bernoulli":
        keep = rng.random((h, w, 1)) >= strength
        return img * keep.astype(np.float32)
    if term.kind == "impulse":
        mask = rng.random((h, w, 1)) < strength / 100.0
        values = rng.integers(0, 256, size=img.shape).astype(np.float32)
        return np.where(mask, values, img).astype(np.float32)
    if term.kind == "text":
        return _text_overlay(img, strength / 100.0, rng)
    raise AssertionError(term.kind)


def _log_uniform(term: NoiseTerm, rng: np.random.Generator) -> float:
    if term.high <= term.low:
        return term.low
    return float(np.exp(rng.uniform(np.log(term.low), np.log(term.high))))


def _text_overlay(img: np.ndarray, coverage: float, rng: np.random.Generator) -> np.ndarray:
    """Draw random strings in random colours and sizes until about ``coverage`` of the pixels is covered."""
    from PIL import Image, ImageDraw, ImageFont

    h, w, c = img.shape
    if coverage <= 0:
        return img
    mask_img = Image.new("L", (w, h), 0)
    color_img = Image.new("RGB", (w, h), (0, 0, 0))
    draw_mask = ImageDraw.Draw(mask_img)
    draw_color = ImageDraw.Draw(color_img)
    letters = string.ascii_letters + string.digits
    target = coverage * h * w
    for _ in range(10000):
        if np.count_nonzero(np.asarray(mask_img)) >= target:
            break
        n = int(rng.integers(3, 12))
        text = "".join(rng.choice(list(letters), size=n))
        xy = (int(rng.integers(-8, max(w - 8, 1))), int(rng.integers(-8, max(h - 8, 1))))
        color = tuple(int(v) for v in rng.integers(0, 256, size=3))
        font = ImageFont.load_default(size=int(rng.integers(10, 33)))
        draw_mask.text(xy, text, fill=255, font=font)
        draw_color.text(xy, text, fill=color, font=font)
    mask = (np.asarray(mask_img) > 0)[..., None]
    colors = np.asarray(color_img, dtype=np.float32)
    if c == 1:
        colors = colors.mean(axis=2, keepdims=True)
    return np.where(mask, colors, img).astype(np.float32)
