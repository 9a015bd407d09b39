"""Seconds-long checks train_torch.py runs before training, on the device it trains on."""

from __future__ import annotations

import numpy as np
import torch

import src_path  # noqa: F401  (models/src on sys.path)
from n2n_models.noise import parse_noise_spec
from torch_archs import build, depth_to_space, space_to_depth
from torch_noise import apply_noise_torch

EXPECTED_PARAMS = {("fastdn", 3): 235_468, ("unet", 3): 991_203, ("halfunet", 3): 774_540}


def selftest(device: torch.device) -> None:
    """TF channel order, parameter counts and noise statistics against n2n_models.noise."""
    rng = np.random.default_rng(0)
    x = rng.random((2, 6, 8, 3), dtype=np.float32)
    # tf.nn.space_to_depth: out[n, i, j, (dy * 2 + dx) * C + c] = x[n, 2i + dy, 2j + dx, c]
    ref = x.reshape(2, 3, 2, 4, 2, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 3, 4, 12)
    got = space_to_depth(torch.from_numpy(x).permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1).numpy()
    np.testing.assert_array_equal(got, ref)
    back = depth_to_space(torch.from_numpy(ref).permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1).numpy()
    np.testing.assert_array_equal(back, x)
    for (arch, channels), count in EXPECTED_PARAMS.items():
        got_count = sum(p.numel() for p in build(arch, channels, {}).parameters())
        if got_count != count:
            raise AssertionError(f"{arch}: {got_count} parameters, Keras has {count}")
    gen = torch.Generator(device=device)
    gen.manual_seed(0)
    clean = np.full((512, 16, 16, 3), 100.0, np.float32)
    for spec in (
        "gaussian,10,30",
        "poisson,20,40",
        "bernoulli,0.1,0.3",
        "impulse,5,15",
        "gaussian,25,25+impulse,10,10",
    ):
        model = parse_noise_spec(spec)
        a = model.apply_batch(clean, np.random.default_rng(1)) - clean
        t = torch.from_numpy(clean).permute(0, 3, 1, 2).to(device)
        b = (apply_noise_torch(model, t, gen) - t).permute(0, 2, 3, 1).cpu().numpy()
        # The mean is compared on the noise's own scale: 0.4 M samples leave it a few hundredths off.
        scale = float(np.std(a))
        for stat, tol in ((np.mean, 0.02 * scale), (np.std, 0.05 * max(scale, 1.0))):
            sa, sb = float(stat(a)), float(stat(b))
            if abs(sa - sb) > tol:
                raise AssertionError(f"{spec}: {stat.__name__} numpy {sa:.3f} vs torch {sb:.3f}")
    print("selftest ok: TF channel order, parameter counts, noise statistics")
