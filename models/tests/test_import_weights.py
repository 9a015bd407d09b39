"""import-weights (the way back from models/gpu) and the torch-free helpers of models/gpu.

No torch here: the npz a GPU run writes is made from a Keras model instead, which pins the format
(names, HWIO kernels, parity fixture) that models/gpu/train_torch.py must produce.
"""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import common  # models/gpu/common.py (pytest's pythonpath)
import prepare_data
from conftest import synthetic_image, tiny_config
from n2n_models import archs
from n2n_models.__main__ import main
from n2n_models.import_weights import ImportRefused, keras_weights, save_weights_npz, set_weights
from n2n_models.schedule import LOG_FIELDS
from n2n_models.train import load_trained

ARCH_CASES = {
    "fastdn": ({"features": 16, "depth": 3}, (2, 38, 52)),
    "unet": ({}, (1, 64, 96)),
    "halfunet": ({"enc": 16, "dec": 24}, (1, 64, 96)),
}


def _model(arch: str, seed: int) -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)
    return archs.build(arch, channels=3, **ARCH_CASES[arch][0])


def _config(data_root: Path, arch: str):
    cfg = tiny_config(data_root)
    cfg.model.arch = arch
    cfg.model.kwargs = dict(ARCH_CASES[arch][0])
    cfg.data.patch_size = 32
    return cfg


def _gpu_outputs(tmp_path: Path, model: tf.keras.Model, cfg, shape) -> dict[str, Path]:
    """What a GPU run leaves in $OUT: weights, parity fixture, config, run.json, log."""
    out = tmp_path / "out"
    out.mkdir()
    save_weights_npz(model, out / "weights.npz")
    x = np.random.default_rng(0).random((*shape, 3), dtype=np.float32)
    np.savez(out / "parity.npz", input=x, output=model(tf.constant(x), training=False).numpy())
    cfg.save(out / "config.yaml")
    (out / "run.json").write_text('{"step": 7, "train_seconds": 12.5, "best_psnr_model": 30.1, "device": "test"}')
    (out / "log.csv").write_text(",".join(LOG_FIELDS) + "\n7,12.5,0.01,0.001,20.0,30.1\n")
    return {"weights": out / "weights.npz", "parity": out / "parity.npz", "config": out / "config.yaml"}


def _import(paths: dict[str, Path], run_dir: Path) -> int:
    return main(
        [
            "import-weights",
            "--weights",
            str(paths["weights"]),
            "--config",
            str(paths["config"]),
            "--parity",
            str(paths["parity"]),
            "--run-dir",
            str(run_dir),
        ]
    )


@pytest.mark.parametrize("arch", sorted(ARCH_CASES))
def test_round_trip_reproduces_outputs(arch, data_root, tmp_path):
    source = _model(arch, seed=1)
    shape = ARCH_CASES[arch][1]
    paths = _gpu_outputs(tmp_path, source, _config(data_root, arch), shape)
    run = tmp_path / "run"
    assert _import(paths, run) == 0

    assert (run / "config.yaml").exists() and (run / "log.csv").exists() and (run / "import.json").exists()
    for which in ("best", "last"):
        cfg, model, info = load_trained(run, which)
        assert info["step"] == 7 and info["best_psnr_model"] == 30.1
        assert info["imported"]["parity_max_abs_diff"] == 0.0
        x = np.random.default_rng(5).random((*shape, 3), dtype=np.float32)
        np.testing.assert_array_equal(model(x, training=False).numpy(), source(x, training=False).numpy())
    # A second import into the same run directory would overwrite its checkpoints.
    with pytest.raises(FileExistsError):
        _import(paths, run)


def test_imported_run_exports(data_root, tmp_path):
    paths = _gpu_outputs(tmp_path, _model("fastdn", seed=2), _config(data_root, "fastdn"), (1, 32, 32))
    run = tmp_path / "run"
    _import(paths, run)
    out = tmp_path / "zoo" / "m"
    assert main(["export", "--run-dir", str(run), "--out", str(out)]) == 0
    assert (out / "saved_model" / "saved_model.pb").exists()


def test_parity_mismatch_is_refused(data_root, tmp_path):
    model = _model("fastdn", seed=3)
    paths = _gpu_outputs(tmp_path, model, _config(data_root, "fastdn"), (1, 32, 32))
    with np.load(paths["parity"]) as z:
        x, y = z["input"], z["output"].copy()
    y[0, 5, 5, 1] += 2e-4
    np.savez(paths["parity"], input=x, output=y)
    run = tmp_path / "run"
    with pytest.raises(
        SystemExit, match=r"refusing the import: Keras output differs from the fixture by up to 0\.0002"
    ):
        _import(paths, run)
    assert not (run / "checkpoints" / "best.json").exists()


def test_weights_from_another_model_are_refused(data_root, tmp_path):
    """Right names and shapes, wrong numbers (e.g. a transposed kernel): only parity can tell."""
    model = _model("fastdn", seed=4)
    paths = _gpu_outputs(tmp_path, model, _config(data_root, "fastdn"), (1, 32, 32))
    weights = keras_weights(model)
    k = weights["conv1/kernel"]
    weights["conv1/kernel"] = np.ascontiguousarray(k.transpose(1, 0, 2, 3))
    np.savez(paths["weights"], **weights)
    with pytest.raises(SystemExit, match="refusing the import"):
        _import(paths, tmp_path / "run")


def test_key_set_must_match_exactly():
    model = _model("fastdn", seed=5)
    weights = keras_weights(model)
    missing = {k: v for k, v in weights.items() if k != "conv2/bias"}
    with pytest.raises(ImportRefused, match=r"missing \['conv2/bias'\]; unexpected none"):
        set_weights(model, missing)
    extra = {**weights, "conv9/kernel": np.zeros((3, 3, 16, 16), np.float32)}
    with pytest.raises(ImportRefused, match=r"missing none; unexpected \['conv9/kernel'\]"):
        set_weights(model, extra)
    wrong = {**weights, "conv0/bias": np.zeros(17, np.float32)}
    with pytest.raises(ImportRefused, match=r"conv0/bias: got \(17,\), model has \(16,\)"):
        set_weights(model, wrong)


# -- packed data for the GPU machine -----------------------------------------------------------
def test_pack_round_trip_gives_the_same_pixels(tmp_path, monkeypatch):
    from n2n_models.config import Config
    from n2n_models.data import load_image
    from n2n_models.train import load_validation

    rng = np.random.default_rng(3)
    root = tmp_path / "data"
    for folder in ("a", "b", "val"):
        (root / folder).mkdir(parents=True)
    Image.fromarray(synthetic_image(rng, 40, 50)).save(root / "a" / "x.bmp")  # re-encoded as PNG
    Image.fromarray(synthetic_image(rng, 36, 44)).save(root / "a" / "y.jpg", quality=80)  # kept as is
    Image.fromarray(synthetic_image(rng, 48, 40)).save(root / "b" / "z.png")
    for i in range(3):
        Image.fromarray(synthetic_image(rng, 30, 34)).save(root / "val" / f"v{i}.png")
    out = tmp_path / "pack.npz"
    monkeypatch.setattr(prepare_data, "tree_bytes", lambda repo, exclude: 0)
    assert (
        prepare_data.main(
            [
                "--data-root",
                str(root),
                "--train-dir",
                "a",
                "--train-dir",
                "b",
                "--val-dir",
                "val",
                "--val-count",
                "2",
                "--out",
                str(out),
            ]
        )
        == 0
    )

    pack = common.read_pack(out)
    assert pack.meta["train_files"] == ["a/x.bmp", "a/y.jpg", "b/z.png"]
    assert pack.meta["val_files"] == ["v0.png", "v1.png"]
    for channels in (1, 3):
        for name, blob in zip(pack.meta["train_files"], pack.train, strict=True):
            np.testing.assert_array_equal(common.decode(blob, channels), load_image(root / name, channels))

    cfg = Config.from_dict({"data": {"val_noise": "gaussian,25,25"}})
    common.record_pack(cfg, pack)
    assert (cfg.data.data_root, cfg.data.train_dirs, cfg.data.val_dir, cfg.data.val_count) == (
        str(root),
        ["a", "b"],
        "val",
        2,
    )
    mine, theirs = common.validation_set(cfg, pack), load_validation(cfg)
    assert mine.names == theirs.names and mine.psnr_noisy == theirs.psnr_noisy
    for a, b in zip(mine.noisy, theirs.noisy, strict=True):
        np.testing.assert_array_equal(a, b)

    small = tmp_path / "small.npz"
    with pytest.raises(SystemExit, match="budget"):
        prepare_data.main(
            ["--data-root", str(root), "--train-dir", "a", "--val-dir", "", "--out", str(small), "--max-mib", "0.0001"]
        )
