import numpy as np
import pytest

from n2n_models.noise import parse_noise_spec, quantize


def flat(h=128, w=128, value=128.0):
    return np.full((h, w, 3), value, np.float32)


def test_gaussian_std_matches_sigma():
    rng = np.random.default_rng(0)
    noisy = parse_noise_spec("gaussian,25,25").apply(flat(), rng)
    assert abs(float(np.std(noisy - 128.0)) - 25.0) < 0.5
    assert abs(float(np.mean(noisy - 128.0))) < 0.5


def test_gaussian_strength_uniform_per_sample():
    rng = np.random.default_rng(1)
    model = parse_noise_spec("gaussian,0,50")
    stds = np.array([np.std(model.apply(flat(32, 32), rng) - 128.0) for _ in range(400)])
    assert stds.min() >= 0 and stds.max() <= 52
    assert 20 < stds.mean() < 30  # mean of U[0, 50] is 25
    assert np.mean(stds < 10) > 0.1 and np.mean(stds > 40) > 0.1


def test_impulse_mask_is_per_pixel():
    rng = np.random.default_rng(2)
    img = flat(200, 200)
    noisy = parse_noise_spec("impulse,30,30").apply(img, rng)
    changed = noisy != img
    any_changed = changed.any(axis=2)
    # ~30 % of the pixels are hit ...
    assert abs(any_changed.mean() - 0.30) < 0.02
    # ... and a hit pixel has all its channels replaced (per-channel masks would give ~0.3).
    all_changed = changed.all(axis=2)
    assert all_changed.sum() / any_changed.sum() > 0.95


def test_bernoulli_zeroes_whole_pixels():
    rng = np.random.default_rng(3)
    noisy = parse_noise_spec("bernoulli,0.5,0.5").apply(flat(100, 100), rng)
    zero = noisy == 0
    assert np.array_equal(zero.any(axis=2), zero.all(axis=2))
    assert abs(zero[..., 0].mean() - 0.5) < 0.03


def test_poisson_is_unbiased_with_expected_variance():
    rng = np.random.default_rng(4)
    noisy = parse_noise_spec("poisson,30,30").apply(flat(200, 200), rng)
    assert abs(noisy.mean() - 128.0) < 1.0
    # Var = x * 255 / lambda on the 0-255 scale.
    assert abs(noisy.var() - 128.0 * 255.0 / 30.0) / (128.0 * 255.0 / 30.0) < 0.05


def test_text_overlay_covers_roughly_requested_fraction():
    rng = np.random.default_rng(5)
    noisy = parse_noise_spec("text,20,20").apply(flat(96, 96), rng)
    frac = (noisy != 128.0).any(axis=2).mean()
    assert 0.15 < frac < 0.4


def test_clean_and_combined():
    rng = np.random.default_rng(6)
    img = flat(16, 16)
    assert np.array_equal(parse_noise_spec("clean").apply(img, rng), img)
    model = parse_noise_spec("gaussian,10,10+impulse,5,5")
    assert len(model.terms) == 2
    assert str(model) == "gaussian,10,10+impulse,5,5"
    assert parse_noise_spec("clean").is_clean and not model.is_clean


def test_seeded_is_reproducible():
    model = parse_noise_spec("gaussian,0,50+impulse,0,10")
    a = model.apply(flat(32, 32), np.random.default_rng(7))
    b = model.apply(flat(32, 32), np.random.default_rng(7))
    assert np.array_equal(a, b)


def test_quantize_rounds_and_clips():
    q = quantize(np.array([[[-3.0, 12.6, 300.0]]], np.float32))
    assert q.tolist() == [[[0.0, 13.0, 255.0]]]


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "gauss,0,50",
        "gaussian,0",
        "gaussian,50,0",
        "gaussian,-1,5",
        "gaussian,a,b",
        "clean,1,2",
        "poisson,0,10",
        "bernoulli,0.1,1.5",
        "impulse,10,150",
        "gaussian,0,50+",
        "gaussian,0,nan",
    ],
)
def test_bad_spec_raises_value_error(spec):
    with pytest.raises(ValueError):
        parse_noise_spec(spec)
