import numpy as np
import pytest
import tensorflow as tf

from n2n_models import archs
from n2n_models.data import pad_to_multiple

SMALL = {"srresnet": {"blocks": 2, "features": 16}}


@pytest.mark.parametrize("name", archs.available())
@pytest.mark.parametrize("channels", [1, 3])
def test_odd_sizes_keep_shape(name, channels):
    model = archs.build(name, channels=channels, **SMALL.get(name, {}))
    k = archs.size_multiple(name)
    for h, w in ((37, 45), (33, 64)):
        x = np.random.default_rng(0).random((h, w, channels), dtype=np.float32)
        padded, (oh, ow) = pad_to_multiple(x, k)
        assert padded.shape[0] % k == 0 and padded.shape[1] % k == 0
        y = model(tf.constant(padded[None]), training=False).numpy()
        assert y.shape == (1,) + padded.shape
        assert y[0, :oh, :ow].shape == x.shape
        assert np.all(np.isfinite(y))


def test_unet_parameter_count():
    n = archs.build("unet", channels=3).count_params()
    assert n == 991_203  # ~0.99 M as in the Noise2Noise paper


def test_srresnet_default_depth():
    model = archs.build("srresnet")
    assert sum(1 for layer in model.layers if layer.name.endswith("_add") and layer.name.startswith("res")) == 16


def test_fastdn_is_residual_and_small():
    model = archs.build("fastdn")
    assert model.count_params() < 500_000
    # With the last conv zeroed the network is the identity.
    last = model.get_layer("conv7")
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    x = np.random.default_rng(1).random((1, 10, 14, 3), dtype=np.float32)
    np.testing.assert_allclose(model(tf.constant(x)).numpy(), x, atol=1e-6)


def test_unknown_arch():
    with pytest.raises(ValueError):
        archs.build("nope")
