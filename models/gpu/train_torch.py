"""Train an n2n_models architecture in PyTorch (GPU machine) and write Keras-layout weights.

The GPU machine has PyTorch but no TensorFlow, so the models of ``n2n_models.archs`` are rebuilt
layer for layer in ``torch_archs.py`` (same names, 'same' padding, TF's space_to_depth channel
order, Keras initialisers); the noise is ``torch_noise.py``, the config, schedule and metrics are the
package's TensorFlow-free modules. Training follows ``n2n_models.train``: N2N/N2C, l2/l1/annealed l0, Adam (0.9, 0.99),
constant LR then a cosine ramp-down, ended by steps or by ``--minutes`` of training time.

Outputs in ``--out`` (rewritten at every checkpoint, so a run killed at its time limit still
leaves a consistent set): ``weights.npz`` (Keras layer/weight names, conv kernels HWIO; the best
validated weights), ``parity.npz`` (fixed input and these weights' fp32 CPU output),
``config.yaml`` (n2n_models Config schema), ``log.csv`` and ``run.json``. Import them here with
``n2n-models import-weights``.

    python3 models/gpu/train_torch.py --config models/gpu/configs/fastdn-gaussian.yaml \
        --data models/gpu/carry/train-data.npz --out $OUT --minutes 6
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import math
import os
import platform
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn

import common
import src_path  # noqa: F401  (models/src on sys.path)
from n2n_models import arch_specs, schedule
from n2n_models.config import Config, apply_overrides, read_raw
from n2n_models.data import pad_to_multiple, random_patches
from n2n_models.metrics import psnr
from n2n_models.noise import parse_noise_spec
from selftest import selftest
from torch_archs import KerasNamed, build, parity_fixture
from torch_noise import CpuNoise, apply_noise_torch, needs_cpu


class Batches:
    """uint8 crops made on a background thread (numpy releases the GIL while copying)."""

    def __init__(self, images: list[np.ndarray], patch: int, batch: int, seed: int, depth: int = 6):
        self.q: queue.Queue[np.ndarray] = queue.Queue(maxsize=depth)
        rng = np.random.default_rng(seed)

        def work() -> None:
            while True:
                self.q.put(random_patches(images, patch, batch, rng, np.uint8))

        threading.Thread(target=work, daemon=True).start()

    def next(self) -> np.ndarray:
        return self.q.get()


def predict_image(model: nn.Module, image: np.ndarray, multiple: int, device: torch.device) -> np.ndarray:
    """Denoise one (H, W, C) 0-255 image, reflect-padded like n2n_models.train.denoise."""
    padded, (h, w) = pad_to_multiple(image / 255.0, multiple)
    x = torch.from_numpy(np.ascontiguousarray(padded, np.float32)).permute(2, 0, 1)[None].to(device)
    with torch.no_grad():
        y = model(x.contiguous(memory_format=torch.channels_last)).float()
    return y[0].permute(1, 2, 0).cpu().numpy()[:h, :w] * 255.0


class NoisyPairs:
    """Training pairs as n2n_models.train makes them: (source, target) NCHW on the device, 0-1 scale.

    Noise drawn on CPU workers (text, camera, jpeg) is started one batch ahead, so it is made while the GPU
    trains on the previous one. With a teacher (``train.teacher``) the target is its output on the source.
    """

    def __init__(self, cfg: Config, images: list[np.ndarray], device: torch.device, teacher: nn.Module | None = None):
        t = cfg.train
        self.device = device
        self.quantize_source = t.quantize_source
        self.teacher = teacher
        self.noise = {"source": parse_noise_spec(t.source_noise), "target": parse_noise_spec(t.target_noise)}
        if teacher is not None:
            del self.noise["target"]
        workers = max(1, (os.cpu_count() or 2) - 2)
        # one pool per role: the same spec on both sides must still give two independent draws
        self.cpu_noise = {
            role: CpuNoise(m, t.seed + i, workers) for i, (role, m) in enumerate(self.noise.items()) if needs_cpu(m)
        }
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed(t.seed)
        self.batches = Batches(images, cfg.data.patch_size, cfg.data.batch_size, seed=t.seed * 1_000_003)
        self.ahead = self._start()

    def _start(self) -> tuple[np.ndarray, dict[str, list]]:
        clean_u8 = self.batches.next()
        return clean_u8, {role: pool.start(clean_u8) for role, pool in self.cpu_noise.items()}

    def _noisy(self, role: str, pending: dict[str, list], clean: torch.Tensor) -> torch.Tensor:
        if role in pending:
            arr = CpuNoise.collect(pending[role])
            return torch.from_numpy(arr).to(self.device, non_blocking=True).permute(0, 3, 1, 2)
        return apply_noise_torch(self.noise[role], clean, self.gen)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        clean_u8, pending = self.ahead
        self.ahead = self._start()
        clean = torch.from_numpy(clean_u8).to(self.device, non_blocking=True).permute(0, 3, 1, 2).float()
        src = self._noisy("source", pending, clean)
        if self.quantize_source:
            src = src.round().clamp(0, 255)
        src = (src / 255.0).contiguous(memory_format=torch.channels_last)
        if self.teacher is not None:
            cuda = self.device.type == "cuda"
            with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=cuda):
                return src, self.teacher(src).float()
        tgt = clean if self.noise["target"].is_clean else self._noisy("target", pending, clean)
        return src, tgt / 255.0


def loss_of(kind: str, diff: torch.Tensor, gamma: float) -> torch.Tensor:
    """train.loss on prediction - target: l1, annealed l0 (|d|^gamma) or l2."""
    if kind == "l1":
        return diff.abs().mean()
    if kind == "l0":
        return (diff.abs() + 1e-8).pow(gamma).mean()
    return diff.square().mean()


@dataclass
class Progress:
    step: int = 0
    seconds: float = 0.0
    last_val: float | None = None
    best_psnr: float = -math.inf
    best_step: int = 0
    # CPU copy of the best validated weights; None until a validation has run.
    best_state: dict[str, torch.Tensor] | None = None


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().float().cpu().clone() for k, v in model.state_dict().items()}


def validate(model: nn.Module, val: common.Validation, multiple: int, device: torch.device) -> float:
    model.eval()
    score = float(
        np.mean([psnr(c, predict_image(model, n, multiple, device)) for c, n in zip(val.clean, val.noisy, strict=True)])
    )
    model.train()
    return score


class Outputs:
    """Rewrites weights.npz, parity.npz, config.yaml and run.json in ``out`` at every checkpoint."""

    def __init__(self, out: Path, cfg: Config, val: common.Validation | None, run_info: dict[str, Any]):
        self.out = out
        self.cfg = cfg
        self.val = val
        self.run_info = run_info
        self.cpu_model = build(cfg.model.arch, cfg.model.channels, cfg.model.kwargs).eval()

    def write(self, model: nn.Module, progress: Progress, final: bool) -> None:
        cfg, val = self.cfg, self.val
        chosen = progress.best_state if progress.best_state is not None else snapshot(model)
        self.cpu_model.load_state_dict(chosen)
        _atomic_npz(self.out / "weights.npz", self.cpu_model.keras_weights())
        _atomic_npz(self.out / "parity.npz", parity_fixture(self.cpu_model, cfg.model.channels))
        saved = copy.deepcopy(cfg)
        saved.train.steps = max(1, progress.step)
        _atomic_text(self.out / "config.yaml", yaml.safe_dump(saved.to_dict(), sort_keys=False))
        step = progress.best_step if progress.best_state is not None else progress.step
        pixels_per_step = cfg.data.batch_size * cfg.data.patch_size**2
        info = {
            "step": step,
            "steps_run": progress.step,
            "final": final,
            "train_seconds": round(progress.seconds, 1),
            "best_psnr_model": None if progress.best_psnr == -math.inf else progress.best_psnr,
            "val_psnr_noisy": None if val is None else val.psnr_noisy,
            "val_psnr_model": progress.last_val,
            "val_set": None if val is None else val_set_description(cfg, val),
            "training_pixels": step * pixels_per_step,
            "megapixels_per_s": round(progress.step * pixels_per_step / max(progress.seconds, 1e-9) / 1e6, 3),
            **self.run_info,
        }
        _atomic_text(self.out / "run.json", json.dumps(info, indent=2) + "\n")


def val_set_description(cfg: Config, val: common.Validation) -> str:
    return f"{cfg.data.val_dir} first {len(val.names)} images ({', '.join(val.names)}), noise {cfg.data.val_noise}"


def load_npz(path: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _atomic_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(f".{path.stem}.tmp.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, help="YAML in the n2n_models Config schema")
    p.add_argument("--data", required=True, help="pack from prepare_data.py")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=6.0, help="training-time budget (drives the LR ramp-down)")
    p.add_argument("--steps", type=int, help="override train.steps (the run ends at steps or minutes)")
    p.add_argument("--amp", choices=["bf16", "fp16", "off"], default="bf16", help="autocast dtype on CUDA")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--ckpt-minutes", type=float, default=1.0, help="rewrite the outputs this often")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (slow start)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    p.add_argument("--skip-selftest", action="store_true")
    return p.parse_args(argv)


def run_config(args: argparse.Namespace) -> Config:
    """The config file with ``--set``, ``--minutes`` and ``--steps`` applied, checked for this path."""
    raw = apply_overrides(read_raw(args.config), args.set)
    raw.setdefault("train", {})["time_budget_minutes"] = float(args.minutes)
    if args.steps:
        raw["train"]["steps"] = args.steps
    return common.load_config(raw)


def open_device(args: argparse.Namespace) -> tuple[torch.device, torch.dtype | None]:
    """The training device and its autocast dtype (None: fp32)."""
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    amp = None if (args.amp == "off" or not cuda) else {"bf16": torch.bfloat16, "fp16": torch.float16}[args.amp]
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        print(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}, amp {args.amp}")
    else:
        print(f"device: cpu ({os.cpu_count()} CPUs), torch {torch.__version__}, amp off")
    return device, amp


def train(
    cfg: Config,
    model: KerasNamed,
    pairs: NoisyPairs,
    val: common.Validation | None,
    outputs: Outputs,
    device: torch.device,
    amp: torch.dtype | None,
    args: argparse.Namespace,
) -> None:
    """Steps until schedule.progress reaches 1, validating, logging and checkpointing on the way."""
    t = cfg.train
    multiple = arch_specs.size_multiple(cfg.model.arch)
    step_model: nn.Module = torch.compile(model) if args.compile else model
    opt = torch.optim.Adam(
        model.parameters(), lr=t.lr, betas=(0.9, 0.99), eps=1e-8, **({"fused": True} if device.type == "cuda" else {})
    )
    scaler = torch.amp.GradScaler("cuda", enabled=amp == torch.float16)
    progress = Progress()
    with (outputs.out / "log.csv").open("w", newline="") as logf:
        writer = csv.DictWriter(logf, fieldnames=schedule.LOG_FIELDS)
        writer.writeheader()
        t0 = time.monotonic()
        last_ckpt = t0
        losses: list[torch.Tensor] = []
        step = 0
        if val is not None and t.init_from:
            # the starting point, in the log: a warm start's gain is measured from here
            start_score = validate(model, val, multiple, device)
            writer.writerow(
                {
                    "step": 0,
                    "elapsed_s": "0.0",
                    "val_psnr_noisy": f"{val.psnr_noisy:.3f}",
                    "val_psnr_model": f"{start_score:.3f}",
                }
            )
            print(f"step 0 (warm start) val {start_score:.2f} dB")
        done = False
        model.train()
        while not done:
            seconds = time.monotonic() - t0
            lr = schedule.lr_at(cfg, step, seconds)
            for g in opt.param_groups:
                g["lr"] = lr
            gamma = schedule.l0_gamma_at(cfg, step, seconds)
            src, tgt = pairs.next()
            with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
                pred = step_model(src)
            loss = loss_of(t.loss, pred.float() - tgt, gamma)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            step += 1
            losses.append(loss.detach())
            seconds = time.monotonic() - t0
            progress.step, progress.seconds = step, seconds
            done = schedule.progress(cfg, step, seconds) >= 1.0
            row: dict[str, Any] = {}
            is_val = val is not None and (step % t.val_every == 0 or done)
            if val is not None and is_val:
                score = validate(model, val, multiple, device)
                progress.last_val = score
                row.update(val_psnr_noisy=f"{val.psnr_noisy:.3f}", val_psnr_model=f"{score:.3f}")
                if score > progress.best_psnr:
                    progress.best_psnr, progress.best_step, progress.best_state = score, step, snapshot(model)
            if step % t.log_every == 0 or is_val or done:
                mean_loss = float(torch.stack(losses).mean())
                if not math.isfinite(mean_loss):
                    raise FloatingPointError(f"loss became {mean_loss} at step {step}")
                row.update(step=step, elapsed_s=f"{seconds:.1f}", loss=f"{mean_loss:.6g}", lr=f"{lr:.3g}")
                writer.writerow(row)
                logf.flush()
                mp_s = step * cfg.data.batch_size * cfg.data.patch_size**2 / seconds / 1e6
                print(
                    f"step {step} {seconds:.0f}s loss {mean_loss:.5g} lr {lr:.3g} {mp_s:.2f} MP/s"
                    + (f" val {progress.last_val:.2f} dB" if is_val else "")
                )
                losses = []
            if done or time.monotonic() - last_ckpt > 60 * args.ckpt_minutes:
                outputs.write(model, progress, final=done)
                last_ckpt = time.monotonic()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = run_config(args)
    device, amp = open_device(args)
    # Seeded before the self-test, which builds models too: the run's initial weights follow both.
    torch.manual_seed(cfg.train.seed)
    if not args.skip_selftest:
        selftest(device)

    pack = common.read_pack(args.data)
    common.record_pack(cfg, pack)
    images = common.training_images(pack, cfg.model.channels, cfg.data.patch_size)
    val = common.validation_set(cfg, pack)
    print(
        f"training on {len(images)} packed images; validation: "
        + (f"{cfg.data.val_dir} {', '.join(val.names)}, noisy {val.psnr_noisy:.2f} dB" if val else "none")
    )

    model = build(cfg.model.arch, cfg.model.channels, cfg.model.kwargs).to(device)
    model = model.to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    print(f"{cfg.model.arch}: {params:,} parameters")
    if cfg.train.init_from:
        model.load_keras_weights(load_npz(cfg.train.init_from))
        print(f"warm start from {cfg.train.init_from}")
    teacher = None
    if cfg.train.teacher:
        teacher = build(cfg.train.teacher_arch, cfg.model.channels, {})
        teacher.load_keras_weights(load_npz(cfg.train.teacher))
        teacher = teacher.to(device).to(memory_format=torch.channels_last).eval().requires_grad_(False)
        print(f"distilling from {cfg.train.teacher} ({cfg.train.teacher_arch})")
    pairs = NoisyPairs(cfg, images, device, teacher)
    outputs = Outputs(
        out,
        cfg,
        val,
        {
            "device": torch.cuda.get_device_name(device)
            if device.type == "cuda"
            else f"cpu ({platform.processor() or platform.machine()})",
            "torch": torch.__version__,
            "amp": args.amp if amp is not None else "off",
            "channels_last": True,
            "compiled": bool(args.compile),
            "parameters": params,
            "packed_images": len(images),
        },
    )
    train(cfg, model, pairs, val, outputs, device, amp, args)
    print(json.dumps(json.loads((out / "run.json").read_text()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
