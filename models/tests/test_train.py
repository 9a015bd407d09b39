import csv
import logging

import numpy as np
import pytest
import tensorflow as tf

from conftest import tiny_config
from n2n_models.data import load_folders, random_patches
from n2n_models.train import Trainer, load_trained


def fixed_loss(trainer: Trainer, clean: np.ndarray, rng_seed: int = 0) -> float:
    src, tgt = trainer.make_pair(clean, np.random.default_rng(rng_seed))
    pred = trainer.model(tf.constant(src, tf.float32), training=False).numpy()
    return float(np.mean((pred - tgt) ** 2))


def test_short_training_lowers_loss(data_root, tmp_path, caplog):
    cfg = tiny_config(data_root, steps=30)
    trainer = Trainer(cfg, tmp_path / "run")
    images = load_folders([data_root / "train"], 3, 32)
    clean = random_patches(images, 32, 16, np.random.default_rng(99))
    before = fixed_loss(trainer, clean)
    with caplog.at_level(logging.WARNING):
        result = trainer.fit()
    assert any("tiny.png" in r.message for r in caplog.records), "too-small image must be skipped with a warning"
    after = fixed_loss(trainer, clean)
    assert result["step"] == 30
    assert after < 0.8 * before, (before, after)
    rows = list(csv.DictReader((tmp_path / "run" / "log.csv").open()))
    assert [int(r["step"]) for r in rows] == [5, 10, 15, 20, 25, 30]
    assert rows[1]["val_psnr_model"] and rows[1]["val_psnr_noisy"]
    for kind in ("last", "best"):
        assert (tmp_path / "run" / "checkpoints" / f"{kind}.json").exists()


def test_noise2noise_mode_runs(data_root, tmp_path):
    cfg = tiny_config(data_root, steps=4, target_noise="gaussian,0,50", source_noise="gaussian,0,50", loss="l1")
    assert cfg.train.mode == "n2n"
    result = Trainer(cfg, tmp_path / "run").fit()
    assert result["step"] == 4 and np.isfinite(result["val_psnr_model"])


def test_resume_continues_from_saved_step(data_root, tmp_path):
    run = tmp_path / "run"
    first = Trainer(tiny_config(data_root, steps=10), run)
    first.fit()
    saved = [w.copy() for w in first.model.get_weights()]
    assert int(first.optimizer.iterations.numpy()) == 10

    # A stale temporary checkpoint from an interrupted write must not matter.
    (run / "checkpoints" / ".tmp-last-00000015").mkdir()

    second = Trainer(tiny_config(data_root, steps=15), run)
    info = second.store.restore("last")
    assert info["step"] == 10 and int(second.step.numpy()) == 10
    assert int(second.optimizer.iterations.numpy()) == 10
    for a, b in zip(saved, second.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)

    third = Trainer(tiny_config(data_root, steps=15), run)
    result = third.fit(resume=True)
    assert result["step"] == 15
    assert int(third.optimizer.iterations.numpy()) == 15
    steps = [int(r["step"]) for r in csv.DictReader((run / "log.csv").open())]
    assert steps == [5, 10, 15]
    assert result["train_seconds"] > 0

    _, model, pointer = load_trained(run, "last")
    assert pointer["step"] == 15


def test_refuses_to_overwrite_without_resume(data_root, tmp_path):
    import pytest

    Trainer(tiny_config(data_root, steps=2, ckpt_every=1), tmp_path / "run").fit()
    with pytest.raises(FileExistsError):
        Trainer(tiny_config(data_root, steps=4), tmp_path / "run").fit(resume=False)


def test_lr_schedule_by_steps_and_time_budget(data_root):
    from n2n_models.train import lr_at, progress

    cfg = tiny_config(data_root, steps=100, rampdown=0.5, lr=0.01)
    assert lr_at(cfg, 0) == 0.01 and lr_at(cfg, 49) == 0.01
    assert lr_at(cfg, 75) < 0.01 and lr_at(cfg, 100) < 1e-4
    timed = tiny_config(data_root, steps=100, rampdown=0.5, lr=0.01, time_budget_minutes=1.0)
    assert progress(timed, 10, 30.0) == 0.5
    assert lr_at(timed, 10, 10.0) == 0.01
    assert lr_at(timed, 10, 60.0) < 1e-4
    warm = tiny_config(data_root, steps=100, rampdown=0.5, lr=0.01, warmup_steps=10)
    assert lr_at(warm, 0) == pytest.approx(0.001) and lr_at(warm, 4) == pytest.approx(0.005)
    assert lr_at(warm, 9) == 0.01 and lr_at(warm, 40) == 0.01


def test_time_budget_ends_run(data_root, tmp_path):
    cfg = tiny_config(data_root, steps=10_000, time_budget_minutes=0.001)  # 60 ms
    result = Trainer(cfg, tmp_path / "run").fit()
    assert 1 <= result["step"] < 10_000
    assert (tmp_path / "run" / "checkpoints" / "last.json").exists()


def test_l0_gamma_anneals_from_start_to_zero(data_root):
    from n2n_models.train import l0_gamma_at

    cfg = tiny_config(data_root, steps=100, loss="l0", l0_gamma=2.0)
    assert l0_gamma_at(cfg, 0) == 2.0
    assert abs(l0_gamma_at(cfg, 50) - 1.0) < 1e-9
    assert l0_gamma_at(cfg, 100) == 0.0 and l0_gamma_at(cfg, 150) == 0.0
    timed = tiny_config(data_root, steps=10**6, loss="l0", time_budget_minutes=1.0)
    assert abs(l0_gamma_at(timed, 10, 45.0) - 0.5) < 1e-9


def test_l0_training_fits_the_mode_of_impulse_targets(data_root, tmp_path):
    """Impulse noise on the targets: L2 learns the mean (biased), annealed L0 the clean mode."""
    cfg = tiny_config(data_root, steps=40, loss="l0", source_noise="impulse,30,30", target_noise="impulse,30,30")
    cfg.data.val_noise = "impulse,30,30"
    trainer = Trainer(cfg, tmp_path / "run")
    before = trainer.model.get_weights()[0].copy()
    result = trainer.fit()
    assert result["step"] == 40 and np.isfinite(result["val_psnr_model"])
    assert float(trainer.l0_gamma.numpy()) < 0.1, "gamma must have been annealed close to 0 by the end"
    assert not np.array_equal(before, trainer.model.get_weights()[0])


def test_warm_start_loads_weights_but_not_step(data_root, tmp_path):
    import pytest

    base = Trainer(tiny_config(data_root, steps=6), tmp_path / "base")
    base.fit()
    _, base_model, _ = load_trained(tmp_path / "base", "best")
    warm = Trainer(tiny_config(data_root, steps=3, init_from=str(tmp_path / "base")), tmp_path / "warm")
    warm.warm_start(tmp_path / "base")
    for a, b in zip(base_model.get_weights(), warm.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(warm.step.numpy()) == 0 and int(warm.optimizer.iterations.numpy()) == 0
    assert warm.fit()["step"] == 3

    other = tiny_config(data_root, steps=3, init_from=str(tmp_path / "base"))
    other.model.kwargs = {"features": 8, "depth": 3}
    with pytest.raises(ValueError, match="differs"):
        Trainer(other, tmp_path / "other").fit()


def test_training_writes_png_curves_and_the_cli_compares_runs(data_root, tmp_path):
    from n2n_models.__main__ import main

    Trainer(tiny_config(data_root, steps=20), tmp_path / "a").fit()
    Trainer(tiny_config(data_root, steps=10, target_noise="gaussian,25,25"), tmp_path / "b").fit()
    png = (tmp_path / "a" / "curves.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    out = tmp_path / "cmp.png"
    assert main(["curves", "--run", f"N2C={tmp_path / 'a'}", "--run", str(tmp_path / "b"), "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_training_from_real_noisy_pairs(data_root, tmp_path, caplog):
    """Folders of repeated captures: source and target are two captures of the same scene, cropped
    and augmented identically; scenes with one capture or mixed sizes are skipped with a warning."""
    from PIL import Image

    from n2n_models.data import load_scenes, pair_stream

    rng = np.random.default_rng(5)
    pairs = tmp_path / "pairs"
    for s in range(3):
        clean = np.asarray(Image.open(data_root / "train" / f"img{s}.png"), np.float32)
        (pairs / f"scene{s}").mkdir(parents=True)
        for c in range(3):
            capture = np.clip(np.rint(clean + rng.normal(0, 20, clean.shape)), 0, 255).astype(np.uint8)
            Image.fromarray(capture).save(pairs / f"scene{s}" / f"capture{c}.png")
    (pairs / "lonely").mkdir()
    Image.open(data_root / "train" / "img0.png").save(pairs / "lonely" / "only.png")

    with caplog.at_level(logging.WARNING):
        scenes = load_scenes([pairs], 3, 32)
    assert len(scenes) == 3 and any("lonely" in r.message for r in caplog.records)
    src, tgt = next(pair_stream(scenes, 32, 8, seed=0))
    assert src.shape == tgt.shape == (8, 32, 32, 3)
    assert not np.array_equal(src, tgt), "two different captures"
    # Same scene, same crop: the captures differ by noise only (sigma 20 each -> ~28 per pixel).
    assert 15 < float(np.std(src - tgt)) < 40

    cfg = tiny_config(data_root, steps=30, target_noise="gaussian,25,25")
    cfg.data.pair_dirs = [str(pairs)]
    trainer = Trainer(cfg, tmp_path / "run")
    fixed_src, fixed_tgt = next(pair_stream(scenes, 32, 16, seed=99))

    def pair_loss() -> float:
        pred = trainer.model(tf.constant(fixed_src / 255.0, tf.float32), training=False).numpy()
        return float(np.mean((pred - fixed_tgt / 255.0) ** 2))

    before = pair_loss()
    with caplog.at_level(logging.INFO):
        assert trainer.fit()["step"] == 30
    assert any("real noisy pairs: 3 scenes, 9 captures" in r.message for r in caplog.records)
    assert pair_loss() < 0.8 * before
