"""Noise2Noise / Noise2Clean training loop with atomic checkpoints, resume, CSV log and validation."""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from n2n_models import archs
from n2n_models.config import Config
from n2n_models.curves import plot_run
from n2n_models.data import (
    list_images,
    load_folders,
    load_image,
    load_scenes,
    pad_to_multiple,
    pair_stream,
    patch_stream,
)
from n2n_models.metrics import psnr
from n2n_models.noise import parse_noise_spec, quantize
from n2n_models.schedule import LOG_FIELDS, l0_gamma_at, lr_at, progress  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


@dataclass
class ValidationSet:
    names: list[str]
    clean: list[np.ndarray]  # float32 0-255
    noisy: list[np.ndarray]  # float32 0-255, seeded
    spec: str
    psnr_noisy: float

    def describe(self, data_dir: str) -> str:
        return f"{data_dir} first {len(self.names)} images ({', '.join(self.names)}), noise {self.spec}"


def load_validation(cfg: Config) -> ValidationSet | None:
    if not cfg.data.val_dir:
        return None
    files = list_images(cfg.data.resolve(cfg.data.val_dir))
    if cfg.data.val_count:
        files = files[: cfg.data.val_count]
    noise = parse_noise_spec(cfg.data.val_noise)
    rng = np.random.default_rng(cfg.data.val_seed)
    clean, noisy = [], []
    for f in files:
        img = load_image(f, cfg.model.channels).astype(np.float32)
        n = noise.apply(img, rng)
        clean.append(img)
        noisy.append(quantize(n) if cfg.train.quantize_source else n)
    pn = float(np.mean([psnr(c, n) for c, n in zip(clean, noisy, strict=True)]))
    return ValidationSet([f.name for f in files], clean, noisy, cfg.data.val_noise, pn)


def make_predictor(model: tf.keras.Model, channels: int):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, channels], tf.float32)], reduce_retracing=True)
    def predict(x):
        return model(x, training=False)

    return predict


def denoise(predict, image: np.ndarray, multiple: int) -> np.ndarray:
    """Denoise one (H, W, C) 0-255 image, reflect-padding to the size multiple like the worker."""
    padded, (h, w) = pad_to_multiple(image / 255.0, multiple)
    out = predict(tf.constant(padded[None], tf.float32)).numpy()[0]
    return out[:h, :w] * 255.0


def evaluate_set(predict, val: ValidationSet, multiple: int) -> float:
    return float(np.mean([psnr(c, denoise(predict, n, multiple)) for c, n in zip(val.clean, val.noisy, strict=True)]))


class CheckpointStore:
    """``checkpoints/<kind>-<step>/`` dirs with a ``<kind>.json`` pointer replaced atomically.

    A checkpoint is first written completely; only then does the pointer move to it, so an
    interruption at any time leaves the previous pointer and its checkpoint intact.
    """

    def __init__(self, root: Path, ckpt: tf.train.Checkpoint):
        self.root = root
        self.ckpt = ckpt
        root.mkdir(parents=True, exist_ok=True)

    def save(self, kind: str, step: int, info: dict[str, Any]) -> Path:
        folder = self.root / f"{kind}-{step:08d}"
        tmp = self.root / f".tmp-{kind}-{step:08d}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        self.ckpt.write(str(tmp / "ckpt"))
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
        pointer = {"path": folder.name, "step": step, **info}
        _atomic_write_text(self.root / f"{kind}.json", json.dumps(pointer, indent=2))
        for old in self.root.glob(f"{kind}-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        return folder

    def pointer(self, kind: str) -> dict[str, Any] | None:
        return read_pointer(self.root, kind)

    def restore(self, kind: str) -> dict[str, Any]:
        pointer = self.pointer(kind)
        if pointer is None:
            raise FileNotFoundError(f"no {kind!r} checkpoint in {self.root}")
        self.ckpt.read(str(self.root / pointer["path"] / "ckpt")).expect_partial()
        return pointer


def read_pointer(root: Path, kind: str) -> dict[str, Any] | None:
    """The ``kind`` ("best"|"last") pointer of a checkpoints folder: path, step and the info saved with it."""
    p = root / f"{kind}.json"
    return json.loads(p.read_text()) if p.exists() else None


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class Trainer:
    def __init__(self, cfg: Config, run_dir: str | Path):
        cfg.validate()
        self.cfg = cfg
        self.run_dir = Path(run_dir)
        self.multiple = archs.size_multiple(cfg.model.arch)
        tf.keras.utils.set_random_seed(cfg.train.seed)
        self.model = archs.build(cfg.model.arch, channels=cfg.model.channels, **cfg.model.kwargs)
        self.optimizer = tf.keras.optimizers.Adam(learning_rate=cfg.train.lr, beta_1=0.9, beta_2=0.99, epsilon=1e-8)
        self.optimizer.build(self.model.trainable_variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.ckpt = tf.train.Checkpoint(model=self.model, optimizer=self.optimizer, step=self.step)
        self.store = CheckpointStore(self.run_dir / "checkpoints", self.ckpt)
        self.predict = make_predictor(self.model, cfg.model.channels)
        self.source_noise = parse_noise_spec(cfg.train.source_noise)
        self.target_noise = parse_noise_spec(cfg.train.target_noise)
        spec = tf.TensorSpec([None, None, None, cfg.model.channels], tf.float32)
        loss_kind = cfg.train.loss
        # A variable, not a Python float, so annealing does not retrace the step function.
        self.l0_gamma = tf.Variable(cfg.train.l0_gamma, dtype=tf.float32, trainable=False, name="l0_gamma")

        @tf.function(input_signature=[spec, spec])
        def train_step(src, tgt):
            with tf.GradientTape() as tape:
                pred = self.model(src, training=True)
                diff = pred - tgt
                if loss_kind == "l1":
                    loss = tf.reduce_mean(tf.abs(diff))
                elif loss_kind == "l0":
                    loss = tf.reduce_mean(tf.pow(tf.abs(diff) + 1e-8, self.l0_gamma))
                else:
                    loss = tf.reduce_mean(tf.square(diff))
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            return loss

        self._train_step = train_step

    # -- batches -----------------------------------------------------------------------------
    def make_pair(self, clean: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(source, target) in [0, 1] scale from clean 0-255 patches; noises drawn independently."""
        src = self.source_noise.apply_batch(clean, rng)
        if self.cfg.train.quantize_source:
            src = quantize(src)
        tgt = self.target_noise.apply_batch(clean, rng)
        return src / 255.0, tgt / 255.0

    def warm_start(self, source_run: Path) -> None:
        """Load the model weights (only) of another run's best checkpoint."""
        source_cfg = Config.load(source_run / "config.yaml")
        mine = self.cfg.model
        if (source_cfg.model.arch, source_cfg.model.channels, source_cfg.model.kwargs) != (
            mine.arch,
            mine.channels,
            mine.kwargs,
        ):
            raise ValueError(f"init_from {source_run}: model {source_cfg.model} differs from {mine}")
        pointer = CheckpointStore(source_run / "checkpoints", tf.train.Checkpoint(model=self.model)).restore("best")
        log.info("warm start from %s step %d", source_run, pointer["step"])

    def batches(self, start: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(source, target) batches in [0, 1]: real noisy pairs when ``data.pair_dirs`` is set,
        else clean crops with independently drawn synthetic noise; seeded by the start step."""
        cfg = self.cfg
        seed = cfg.train.seed * 1_000_003 + start
        if cfg.data.pair_dirs:
            scenes = load_scenes(
                [cfg.data.resolve(d) for d in cfg.data.pair_dirs], cfg.model.channels, cfg.data.patch_size
            )
            log.info("training on real noisy pairs: %d scenes, %d captures", len(scenes), sum(map(len, scenes)))
            for src, tgt in pair_stream(scenes, cfg.data.patch_size, cfg.data.batch_size, seed):
                yield src / 255.0, tgt / 255.0
            return
        images = load_folders(
            [cfg.data.resolve(d) for d in cfg.data.train_dirs],
            cfg.model.channels,
            cfg.data.patch_size,
            cfg.data.downscale,
        )
        log.info("training on %d images", len(images))
        rng = np.random.default_rng((cfg.train.seed, start))
        for clean in patch_stream(images, cfg.data.patch_size, cfg.data.batch_size, seed):
            yield self.make_pair(clean, rng)

    # -- main loop ---------------------------------------------------------------------------
    def fit(self, resume: bool = False) -> dict[str, Any]:
        cfg = self.cfg
        if cfg.train.teacher:
            raise ValueError("train.teacher (distillation) runs on the GPU path only: models/gpu/train_torch.py")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        best_psnr = -math.inf
        elapsed_before = 0.0
        if resume and self.store.pointer("last") is not None:
            resumed = self.store.restore("last")
            best_psnr = resumed.get("best_psnr_model", -math.inf) or -math.inf
            elapsed_before = float(resumed.get("train_seconds", 0.0))
            log.info("resumed %s at step %d", self.run_dir, int(self.step.numpy()))
        elif self.store.pointer("last") is not None:
            raise FileExistsError(f"{self.run_dir} already has checkpoints; pass --resume or use a new run dir")
        elif cfg.train.init_from:
            self.warm_start(Path(cfg.train.init_from))
        cfg.save(self.run_dir / "config.yaml")

        val = load_validation(cfg)
        start = int(self.step.numpy())
        batches = self.batches(start)
        log_path = self.run_dir / "log.csv"
        new_log = not log_path.exists()
        logf = log_path.open("a", newline="")
        writer = csv.DictWriter(logf, fieldnames=LOG_FIELDS)
        if new_log:
            writer.writeheader()

        t0 = time.monotonic()
        losses: list[float] = []
        last_val: float | None = None
        step = start

        def info() -> dict[str, Any]:
            return {
                "train_seconds": elapsed_before + time.monotonic() - t0,
                "best_psnr_model": None if best_psnr == -math.inf else best_psnr,
                "val_psnr_noisy": None if val is None else val.psnr_noisy,
                "val_psnr_model": last_val,
                "val_set": None if val is None else val.describe(cfg.data.val_dir),
                "training_pixels": step * cfg.data.batch_size * cfg.data.patch_size**2,
            }

        try:
            done = progress(cfg, step, elapsed_before) >= 1.0
            while not done:
                lr = lr_at(cfg, step, elapsed_before + time.monotonic() - t0)
                self.optimizer.learning_rate.assign(lr)
                self.l0_gamma.assign(l0_gamma_at(cfg, step, elapsed_before + time.monotonic() - t0))
                src, tgt = next(batches)
                loss = float(self._train_step(tf.constant(src, tf.float32), tf.constant(tgt, tf.float32)))
                if not math.isfinite(loss):
                    raise FloatingPointError(f"loss became {loss} at step {step}")
                losses.append(loss)
                step += 1
                self.step.assign(step)
                done = progress(cfg, step, elapsed_before + time.monotonic() - t0) >= 1.0
                row: dict[str, Any] = {}
                is_val = val is not None and (step % cfg.train.val_every == 0 or done)
                if is_val and val is not None:
                    last_val = evaluate_set(self.predict, val, self.multiple)
                    row.update(val_psnr_noisy=f"{val.psnr_noisy:.3f}", val_psnr_model=f"{last_val:.3f}")
                    log.info("step %d val PSNR noisy %.2f dB -> model %.2f dB", step, val.psnr_noisy, last_val)
                    plot_run(self.run_dir, cfg.data.batch_size * cfg.data.patch_size**2)
                    if last_val > best_psnr:
                        best_psnr = last_val
                        self.store.save("best", step, info())
                if step % cfg.train.log_every == 0 or is_val or done:
                    row.update(
                        step=step,
                        elapsed_s=f"{elapsed_before + time.monotonic() - t0:.1f}",
                        loss=f"{np.mean(losses):.6g}",
                        lr=f"{lr:.3g}",
                    )
                    writer.writerow(row)
                    logf.flush()
                    log.info("step %d loss %.5g lr %.3g", step, np.mean(losses), lr)
                    losses = []
                out_of_time = cfg.train.max_minutes and (time.monotonic() - t0) > 60 * cfg.train.max_minutes
                if step % cfg.train.ckpt_every == 0 or done or out_of_time:
                    self.store.save("last", step, info())
                if out_of_time:
                    log.info(
                        "time budget of %.1f min spent at step %d; stopping (resume to continue)",
                        cfg.train.max_minutes,
                        step,
                    )
                    break
        finally:
            logf.close()
        if val is None and step > start:
            # Without validation the last checkpoint is also the one to export.
            self.store.save("best", step, info())
        return {"step": step, **info()}


def load_trained(run_dir: str | Path, which: str = "best") -> tuple[Config, tf.keras.Model, dict[str, Any]]:
    """Config, model with the ``which`` ("best"|"last") weights, and the checkpoint pointer of a run."""
    run_dir = Path(run_dir)
    cfg = Config.load(run_dir / "config.yaml")
    trainer = Trainer(cfg, run_dir)
    info = trainer.store.restore(which)
    return cfg, trainer.model, info
