"""The ``camera`` and ``jpeg`` noise terms: what makes photographs' noise unlike i.i.d. Gaussian noise."""

import numpy as np
import pytest

from n2n_models.camera import CameraParams, camera_noise, demosaic_bilinear
from n2n_models.noise import parse_noise_spec


def grey(value: float, size: int = 64) -> np.ndarray:
    return np.full((size, size, 3), value, np.float32)


def lag1_correlation(noise: np.ndarray) -> float:
    d = noise - noise.mean(axis=(0, 1))
    return float(np.mean(d[:, :-1] * d[:, 1:]) / np.mean(d * d))


def test_strength_is_the_median_noise_sd_at_mid_grey():
    rng = np.random.default_rng(0)
    ratios = [float(np.std(camera_noise(grey(118), 8.0, rng) - 118) / 8.0) for _ in range(200)]
    assert 0.85 < np.median(ratios) < 1.15
    # cameras differ: the spread is real, not one fixed level
    assert np.percentile(ratios, 90) / np.percentile(ratios, 10) > 1.3


def test_noise_is_zero_mean_at_mid_grey_and_spatially_correlated_unlike_gaussian():
    rng = np.random.default_rng(1)
    camera = np.stack([camera_noise(grey(118), 10.0, rng) - 118 for _ in range(40)])
    assert abs(float(camera.mean())) < 0.5
    gaussian = parse_noise_spec("gaussian,10,10").apply(grey(118), rng) - 118
    assert np.mean([lag1_correlation(n) for n in camera]) > 0.4
    assert abs(lag1_correlation(gaussian)) < 0.05


def test_red_and_blue_are_noisier_than_green():
    # white balance multiplies red and blue's smaller raw signals back up, and their noise with them
    rng = np.random.default_rng(2)
    sd = np.mean([np.std(camera_noise(grey(118), 10.0, rng) - 118, axis=(0, 1)) for _ in range(60)], axis=0)
    assert sd[0] > 1.2 * sd[1] and sd[2] > 1.2 * sd[1]


def test_noise_depends_on_the_signal():
    rng = np.random.default_rng(3)
    ratios = []
    for _ in range(40):
        cam = CameraParams.draw(10.0, rng)
        # a pure-shot-noise camera: raw variance proportional to the signal
        cam = CameraParams(**{**cam.__dict__, "read": 0.0})
        raw = np.stack([cam.unprocess(grey(v) / 255.0) for v in (60.0, 200.0)])
        ratios.append(float(raw[1].mean() / raw[0].mean()))
    assert min(ratios) > 3  # brighter tones carry several times the raw signal, hence the shot variance


def test_without_noise_the_pipeline_gives_the_image_back():
    rng = np.random.default_rng(4)
    image = rng.uniform(20, 235, (32, 32, 3)).astype(np.float32) / 255.0
    for _ in range(20):
        cam = CameraParams.draw(5.0, rng)
        back = cam.process(cam.unprocess(image))
        assert np.max(np.abs(back - image)) * 255 < 1.5


def test_bilinear_demosaic_keeps_sampled_values_and_fills_the_rest():
    rng = np.random.default_rng(5)
    cam = CameraParams.draw(5.0, rng)
    masks = cam.cfa_masks(16, 16)
    flat = masks * np.array([0.2, 0.5, 0.8], np.float32)
    out = demosaic_bilinear(flat)
    # a flat scene is reconstructed exactly everywhere, borders included
    np.testing.assert_allclose(out, np.broadcast_to([0.2, 0.5, 0.8], out.shape), atol=1e-6)


def test_camera_noise_needs_colour():
    with pytest.raises(ValueError, match="colour"):
        parse_noise_spec("camera,5,5").apply(np.zeros((8, 8, 1), np.float32), np.random.default_rng(0))


def test_jpeg_term_quantizes_and_its_quality_matters():
    rng = np.random.default_rng(6)
    yy, xx = np.mgrid[0:64, 0:64].astype(np.float32)
    image = np.stack([2 * xx + 40, 2 * yy + 60, 100 + 60 * np.sin(xx / 5) * np.cos(yy / 7)], axis=2)
    high = parse_noise_spec("jpeg,98,98").apply(image, rng)
    low = parse_noise_spec("jpeg,10,10").apply(image, rng)
    assert np.array_equal(high, np.rint(high)) and high.min() >= 0 and high.max() <= 255
    assert np.sqrt(np.mean((low - image) ** 2)) > 2 * np.sqrt(np.mean((high - image) ** 2))


@pytest.mark.parametrize("spec", ["camera,0,5", "jpeg,0,90", "jpeg,50,101"])
def test_camera_and_jpeg_specs_are_checked(spec):
    with pytest.raises(ValueError):
        parse_noise_spec(spec)
