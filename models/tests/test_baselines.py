import numpy as np
import pytest

from conftest import synthetic_image
from n2n_models import baselines
from n2n_models.metrics import psnr
from n2n_models.noise import parse_noise_spec, quantize


def noisy_pair(spec: str, seed: int = 0, size: int = 48):
    rng = np.random.default_rng(seed)
    clean = synthetic_image(rng, size, size).astype(np.float32)
    return clean, quantize(parse_noise_spec(spec).apply(clean, rng))


@pytest.mark.parametrize(
    "name,spec,gain",
    [
        ("bm3d", "gaussian,25,25", 6.0),
        ("bm3d", "poisson,20,20", 5.0),
        ("nlm", "gaussian,25,25", 3.0),
        ("median", "impulse,20,20", 8.0),
    ],
)
def test_baseline_denoises(name, spec, gain):
    noise = parse_noise_spec(spec)
    clean, noisy = noisy_pair(spec)
    b = baselines.BASELINES[name]
    params = baselines.tune(b, noise, [noisy_pair(spec, seed=1)])
    out = b.run(noisy, noise, params)
    assert out.shape == clean.shape
    assert psnr(clean, out) > psnr(clean, noisy) + gain


def test_bm3d_poisson_inverse_is_unbiased_on_flat_images():
    noise = parse_noise_spec("poisson,10,10")
    clean = np.full((64, 64, 3), 100.0, np.float32)
    noisy = noise.apply(clean, np.random.default_rng(0))
    out = baselines.BASELINES["bm3d"].run(noisy, noise, {})
    assert abs(float(out.mean()) - 100.0) < 2.0


def test_grey_images_keep_their_channel():
    clean, noisy = noisy_pair("gaussian,25,25")
    grey_clean, grey_noisy = clean[..., :1], noisy[..., :1]
    for name, params in (("bm3d", {}), ("nlm", {"h": 20}), ("median", {"k": 3})):
        out = baselines.BASELINES[name].run(grey_noisy, parse_noise_spec("gaussian,25,25"), params)
        assert out.shape == grey_clean.shape


def test_tune_picks_the_best_grid_entry():
    spec = "impulse,30,30"
    noise = parse_noise_spec(spec)
    pairs = [noisy_pair(spec, seed=s) for s in (1, 2)]
    median = baselines.BASELINES["median"]
    chosen = baselines.tune(median, noise, pairs)
    scores = {p["k"]: np.mean([psnr(c, median.run(n, noise, p)) for c, n in pairs]) for p in median.grid(noise)}
    assert scores[chosen["k"]] == max(scores.values())


def test_applicable_filters_by_noise_and_rejects_unknown_names():
    assert [b.name for b in baselines.applicable(["bm3d", "nlm", "median"], parse_noise_spec("impulse,50,50"))] == [
        "nlm",
        "median",
    ]
    with pytest.raises(ValueError, match="unknown baselines"):
        baselines.applicable(["bm5d"], parse_noise_spec("gaussian,25,25"))
    with pytest.raises(ValueError, match="fixed-strength"):
        baselines.applicable(["nlm"], parse_noise_spec("gaussian,0,50"))


@pytest.mark.parametrize("sigma", [5.0, 15.0, 40.0])
def test_blind_sigma_estimate_is_close_on_white_noise(sigma):
    clean, noisy = noisy_pair(f"gaussian,{sigma:g},{sigma:g}", seed=2)
    assert abs(baselines.estimate_sigma(noisy) - sigma) < 0.15 * sigma + 0.6
