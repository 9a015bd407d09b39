"""Train an n2n_models architecture in PyTorch (GPU machine) and write Keras-layout weights.

The GPU machine has PyTorch but no TensorFlow, so the models of ``n2n_models.archs`` are rebuilt
here layer for layer (same names, 'same' padding, TF's space_to_depth channel order, Keras
initialisers). Training follows ``n2n_models.train``: N2N/N2C, l2/l1/annealed l0, Adam (0.9, 0.99),
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
import multiprocessing
import os
import platform
import queue
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
import yaml
from torch import nn

import common
from n2n_models.data import pad_to_multiple
from n2n_models.metrics import psnr
from n2n_models.noise import NoiseModel, NoiseTerm, parse_noise_spec

PARITY_SHAPE = (2, 64, 96)  # N, H, W: a multiple of every architecture's size multiple
PARITY_SEED = 0


# -- layers with TensorFlow semantics ----------------------------------------------------------
def space_to_depth(x: torch.Tensor, block: int) -> torch.Tensor:
    """tf.nn.space_to_depth on NCHW: output channel (dy * block + dx) * C + c (pixel_unshuffle differs)."""
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // block, block, w // block, block)
    return x.permute(0, 3, 5, 1, 2, 4).reshape(n, block * block * c, h // block, w // block)


def depth_to_space(x: torch.Tensor, block: int) -> torch.Tensor:
    """tf.nn.depth_to_space on NCHW, the inverse of :func:`space_to_depth`."""
    n, c, h, w = x.shape
    c_out = c // (block * block)
    x = x.reshape(n, block, block, c_out, h, w)
    return x.permute(0, 3, 4, 1, 5, 2).reshape(n, c_out, h * block, w * block)


def conv(cin: int, cout: int) -> nn.Conv2d:
    """3x3 'same' conv initialised like Keras (glorot_uniform kernel, zero bias)."""
    layer = nn.Conv2d(cin, cout, 3, padding=1)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class KerasNamed(nn.Module):
    """A model whose weighted layers are registered under their Keras layer names."""

    layers: nn.ModuleDict

    def keras_weights(self) -> dict[str, np.ndarray]:
        """``layer/weight`` -> array in Keras layout (conv kernels HWIO)."""
        out: dict[str, np.ndarray] = {}
        for name, layer in self.layers.items():
            if isinstance(layer, nn.Conv2d):
                out[f"{name}/kernel"] = _np(layer.weight.permute(2, 3, 1, 0))
                out[f"{name}/bias"] = _np(layer.bias)
            elif isinstance(layer, nn.PReLU):
                out[f"{name}/alpha"] = _np(layer.weight.reshape(1, 1, -1))
            elif isinstance(layer, nn.BatchNorm2d):
                out[f"{name}/gamma"] = _np(layer.weight)
                out[f"{name}/beta"] = _np(layer.bias)
                out[f"{name}/moving_mean"] = _np(layer.running_mean)
                out[f"{name}/moving_variance"] = _np(layer.running_var)
            else:
                raise TypeError(f"no Keras layout for {type(layer).__name__} {name}")
        return out


def _np(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().float().cpu().numpy())


class FastDn(KerasNamed):
    def __init__(self, channels: int = 3, features: int = 64, depth: int = 8):
        super().__init__()
        if depth < 2:
            raise ValueError(f"fastdn depth must be >= 2, got {depth}")
        widths = [4 * channels] + [features] * (depth - 1) + [4 * channels]
        self.layers = nn.ModuleDict({f"conv{i}": conv(widths[i], widths[i + 1]) for i in range(depth)})
        self.depth = depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = space_to_depth(x, 2)
        for i in range(self.depth):
            y = self.layers[f"conv{i}"](y)
            if i < self.depth - 1:
                y = F.relu(y)
        return x + depth_to_space(y, 2)


class UNet(KerasNamed):
    """n2n_models.archs.unet: 48-ch encoder, five 2x2 max-pools, 96-ch decoder, leaky ReLU 0.1.

    ``in_channels``/``out_channels``/``pools`` give the body that ``HalfUNet`` runs at half resolution.
    """

    def __init__(self, channels: int = 3, enc: int = 48, dec: int = 96, pools: int = 5,
                 in_channels: int | None = None, out_channels: int | None = None):
        super().__init__()
        cin0 = in_channels or channels
        spec = {"enc_conv0": (cin0, enc), "enc_conv1": (enc, enc)}
        spec.update({f"enc_conv{i}": (enc, enc) for i in range(2, pools + 2)})
        cin = enc
        for i in range(pools, 1, -1):
            spec[f"dec_conv{i}a"] = (cin + enc, dec)
            spec[f"dec_conv{i}b"] = (dec, dec)
            cin = dec
        spec.update({"dec_conv1a": (dec + cin0, 64), "dec_conv1b": (64, 32), "dec_conv1": (32, out_channels or channels)})
        self.layers = nn.ModuleDict({name: conv(a, b) for name, (a, b) in spec.items()})
        self.pools = pools

    def _c(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(self.layers[name](x), 0.1)

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        skips = [inp]
        x = self._c("enc_conv1", self._c("enc_conv0", inp))
        x = F.max_pool2d(x, 2)
        skips.append(x)
        for i in range(2, self.pools + 1):
            x = F.max_pool2d(self._c(f"enc_conv{i}", x), 2)
            if i < self.pools:
                skips.append(x)
        x = self._c(f"enc_conv{self.pools + 1}", x)
        for i in range(self.pools, 1, -1):
            x = torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips.pop()], dim=1)
            x = self._c(f"dec_conv{i}b", self._c(f"dec_conv{i}a", x))
        x = torch.cat([F.interpolate(x, scale_factor=2, mode="nearest"), skips.pop()], dim=1)
        x = self._c("dec_conv1b", self._c("dec_conv1a", x))
        return self.layers["dec_conv1"](x)


class HalfUNet(UNet):
    """n2n_models.archs.halfunet: the U-Net body (4 pools) on the space_to_depth(2) image, residual."""

    def __init__(self, channels: int = 3, enc: int = 48, dec: int = 96):
        super().__init__(channels, enc, dec, pools=4, in_channels=4 * channels, out_channels=4 * channels)

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        return inp + depth_to_space(super().forward(space_to_depth(inp, 2)), 2)


class SRResNet(KerasNamed):
    """n2n_models.archs.srresnet; BatchNorm with Keras' epsilon 1e-3 and momentum 0.99."""

    def __init__(self, channels: int = 3, features: int = 64, blocks: int = 16):
        super().__init__()
        f = features
        layers: dict[str, nn.Module] = {"head": conv(channels, f), "head_prelu": _prelu(f)}
        for i in range(blocks):
            layers.update({f"res{i}_conv1": conv(f, f), f"res{i}_bn1": _bn(f), f"res{i}_prelu": _prelu(f),
                           f"res{i}_conv2": conv(f, f), f"res{i}_bn2": _bn(f)})
        layers.update({"body_conv": conv(f, f), "body_bn": _bn(f), "tail": conv(f, channels)})
        self.layers = nn.ModuleDict(layers)
        self.blocks = blocks

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        L = self.layers
        x = head = L["head_prelu"](L["head"](inp))
        for i in range(self.blocks):
            y = L[f"res{i}_prelu"](L[f"res{i}_bn1"](L[f"res{i}_conv1"](x)))
            x = x + L[f"res{i}_bn2"](L[f"res{i}_conv2"](y))
        x = L["body_bn"](L["body_conv"](x)) + head
        return L["tail"](x)


def _prelu(channels: int) -> nn.PReLU:
    layer = nn.PReLU(channels)
    nn.init.zeros_(layer.weight)  # Keras PReLU starts at alpha = 0
    return layer


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)


ARCHS: dict[str, Callable[..., KerasNamed]] = {"fastdn": FastDn, "unet": UNet, "halfunet": HalfUNet, "srresnet": SRResNet}


def build(arch: str, channels: int, kwargs: dict[str, Any]) -> KerasNamed:
    return ARCHS[arch](channels=channels, **kwargs)


# -- noise on the GPU ---------------------------------------------------------------------------
def _strength(term: NoiseTerm, n: int, gen: torch.Generator, device: torch.device) -> torch.Tensor:
    u = torch.rand((n, 1, 1, 1), generator=gen, device=device)
    return term.low + (term.high - term.low) * u


def apply_noise_torch(model: NoiseModel, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """n2n_models.noise semantics on an NCHW float batch (0-255), strength drawn per sample; no text."""
    n, c, h, w = x.shape
    dev = x.device
    for term in model.terms:
        if term.kind == "clean":
            continue
        s = _strength(term, n, gen, dev)
        if term.kind == "gaussian":
            x = x + torch.randn(x.shape, generator=gen, device=dev) * s
        elif term.kind == "poisson":
            x = torch.poisson(x.clamp(min=0) * (s / 255.0), generator=gen) * (255.0 / s)
        elif term.kind == "bernoulli":
            x = x * (torch.rand((n, 1, h, w), generator=gen, device=dev) >= s)
        elif term.kind == "impulse":
            mask = torch.rand((n, 1, h, w), generator=gen, device=dev) < s / 100.0
            values = torch.randint(0, 256, x.shape, generator=gen, device=dev).float()
            x = torch.where(mask, values, x)
        else:
            raise ValueError(f"{term.kind} noise has no torch implementation")
    return x


def needs_cpu(model: NoiseModel) -> bool:
    return any(t.kind == "text" for t in model.terms)


class CpuNoise:
    """Text overlays are drawn with PIL (n2n_models.noise) in worker processes, one seed per patch.

    'spawn', not fork: the parent has CUDA initialised by then.
    """

    def __init__(self, model: NoiseModel, seed: int, workers: int):
        self.model = model
        self.seeds = np.random.SeedSequence(seed)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def __call__(self, clean: np.ndarray) -> np.ndarray:
        children = self.seeds.spawn(len(clean))
        jobs = [self.pool.submit(self.model.apply, img.astype(np.float32), np.random.default_rng(s))
                for img, s in zip(clean, children)]
        return np.stack([j.result() for j in jobs])


# -- training -----------------------------------------------------------------------------------
class Batches:
    """uint8 crops made on a background thread (numpy releases the GIL while copying)."""

    def __init__(self, images: list[np.ndarray], patch: int, batch: int, seed: int, depth: int = 6):
        self.q: queue.Queue[np.ndarray] = queue.Queue(maxsize=depth)
        rng = np.random.default_rng(seed)

        def work() -> None:
            while True:
                self.q.put(common.random_patches(images, patch, batch, rng, np.uint8))

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


def parity_fixture(model: KerasNamed, channels: int) -> dict[str, np.ndarray]:
    """A fixed random NHWC input and the fp32 CPU output of ``model`` (no TF32, no autocast)."""
    n, h, w = PARITY_SHAPE
    x = np.random.default_rng(PARITY_SEED).random((n, h, w, channels), dtype=np.float32)
    with torch.no_grad():
        y = model(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    return {"input": x, "output": np.ascontiguousarray(y)}


# -- self-test (seconds; run.sh runs it before training) -----------------------------------------
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
    for spec in ("gaussian,10,30", "poisson,20,40", "bernoulli,0.1,0.3", "impulse,5,15", "gaussian,25,25+impulse,10,10"):
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    raw = common.apply_overrides(yaml.safe_load(Path(args.config).read_text()) or {}, args.set)
    raw.setdefault("train", {})["time_budget_minutes"] = float(args.minutes)
    if args.steps:
        raw["train"]["steps"] = args.steps
    cfg = common.load_config(raw)
    t = cfg.train
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    amp = None if (args.amp == "off" or not cuda) else {"bf16": torch.bfloat16, "fp16": torch.float16}[args.amp]
    torch.manual_seed(t.seed)
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        print(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}, amp {args.amp}")
    else:
        print(f"device: cpu ({os.cpu_count()} CPUs), torch {torch.__version__}, amp off")
    if not args.skip_selftest:
        selftest(device)

    pack = common.read_pack(args.data)
    common.record_pack(cfg, pack)
    images = common.training_images(pack, cfg.model.channels, cfg.data.patch_size)
    val = common.validation_set(cfg, pack)
    print(f"training on {len(images)} packed images; validation: "
          + (f"{cfg.data.val_dir} {', '.join(val.names)}, noisy {val.psnr_noisy:.2f} dB" if val else "none"))

    multiple = common.SIZE_MULTIPLE[cfg.model.arch]
    model = build(cfg.model.arch, cfg.model.channels, cfg.model.kwargs).to(device)
    model = model.to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    print(f"{cfg.model.arch}: {params:,} parameters")
    step_model: nn.Module = torch.compile(model) if args.compile else model
    opt = torch.optim.Adam(model.parameters(), lr=t.lr, betas=(0.9, 0.99), eps=1e-8, **({"fused": True} if cuda else {}))
    scaler = torch.amp.GradScaler("cuda", enabled=amp == torch.float16)

    source = parse_noise_spec(t.source_noise)
    target = parse_noise_spec(t.target_noise)
    workers = max(1, (os.cpu_count() or 2) - 2)
    cpu_noise = {m: CpuNoise(m, t.seed + i, workers) for i, m in enumerate((source, target)) if needs_cpu(m)}
    gen = torch.Generator(device=device)
    gen.manual_seed(t.seed)
    batches = Batches(images, cfg.data.patch_size, cfg.data.batch_size, seed=t.seed * 1_000_003)

    def noisy(m: NoiseModel, clean_u8: np.ndarray, clean: torch.Tensor) -> torch.Tensor:
        if m in cpu_noise:
            arr = cpu_noise[m](clean_u8)
            return torch.from_numpy(arr).to(device, non_blocking=True).permute(0, 3, 1, 2)
        return apply_noise_torch(m, clean, gen)

    log_path = out / "log.csv"
    logf = log_path.open("w", newline="")
    writer = csv.DictWriter(logf, fieldnames=common.LOG_FIELDS)
    writer.writeheader()
    cpu_model = build(cfg.model.arch, cfg.model.channels, cfg.model.kwargs).eval()
    best: dict[str, Any] = {"psnr": -math.inf, "step": 0, "state": None}
    state: dict[str, Any] = {"step": 0, "last_val": None, "seconds": 0.0}

    def snapshot() -> dict[str, torch.Tensor]:
        return {k: v.detach().float().cpu().clone() for k, v in model.state_dict().items()}

    def write_outputs(final: bool) -> None:
        chosen = best["state"] if best["state"] is not None else snapshot()
        cpu_model.load_state_dict(chosen)
        _atomic_npz(out / "weights.npz", cpu_model.keras_weights())
        _atomic_npz(out / "parity.npz", parity_fixture(cpu_model, cfg.model.channels))
        saved = copy.deepcopy(cfg)
        saved.train.steps = max(1, state["step"])
        _atomic_text(out / "config.yaml", yaml.safe_dump(saved.to_dict(), sort_keys=False))
        step = best["step"] if best["state"] is not None else state["step"]
        info = {
            "step": step,
            "steps_run": state["step"],
            "final": final,
            "train_seconds": round(state["seconds"], 1),
            "best_psnr_model": None if best["psnr"] == -math.inf else best["psnr"],
            "val_psnr_noisy": None if val is None else val.psnr_noisy,
            "val_psnr_model": state["last_val"],
            "val_set": None if val is None else f"{cfg.data.val_dir} first {len(val.names)} images ({', '.join(val.names)}), noise {cfg.data.val_noise}",
            "training_pixels": step * cfg.data.batch_size * cfg.data.patch_size ** 2,
            "megapixels_per_s": round(state["step"] * cfg.data.batch_size * cfg.data.patch_size ** 2
                                      / max(state["seconds"], 1e-9) / 1e6, 3),
            "device": torch.cuda.get_device_name(device) if cuda else f"cpu ({platform.processor() or platform.machine()})",
            "torch": torch.__version__,
            "amp": args.amp if amp is not None else "off",
            "channels_last": True,
            "compiled": bool(args.compile),
            "parameters": params,
            "packed_images": len(images),
        }
        _atomic_text(out / "run.json", json.dumps(info, indent=2) + "\n")

    def validate() -> float:
        assert val is not None
        model.eval()
        score = float(np.mean([psnr(c, predict_image(model, n, multiple, device)) for c, n in zip(val.clean, val.noisy)]))
        model.train()
        return score

    t0 = time.monotonic()
    last_ckpt = t0
    losses: list[float] = []
    step = 0
    done = False
    model.train()
    while not done:
        seconds = time.monotonic() - t0
        lr = common.lr_at(cfg, step, seconds)
        for g in opt.param_groups:
            g["lr"] = lr
        gamma = common.l0_gamma_at(cfg, step, seconds)
        clean_u8 = batches.next()
        clean = torch.from_numpy(clean_u8).to(device, non_blocking=True).permute(0, 3, 1, 2).float()
        src = noisy(source, clean_u8, clean)
        if t.quantize_source:
            src = src.round().clamp(0, 255)
        tgt = clean if target.is_clean else noisy(target, clean_u8, clean)
        src = (src / 255.0).contiguous(memory_format=torch.channels_last)
        tgt = tgt / 255.0
        with torch.autocast(device.type, dtype=amp or torch.float32, enabled=amp is not None):
            pred = step_model(src)
        diff = pred.float() - tgt
        if t.loss == "l1":
            loss = diff.abs().mean()
        elif t.loss == "l0":
            loss = (diff.abs() + 1e-8).pow(gamma).mean()
        else:
            loss = diff.square().mean()
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        step += 1
        losses.append(loss.detach())
        seconds = time.monotonic() - t0
        state.update(step=step, seconds=seconds)
        done = common.progress(cfg, step, seconds) >= 1.0
        row: dict[str, Any] = {}
        is_val = val is not None and (step % t.val_every == 0 or done)
        if is_val:
            score = validate()
            state["last_val"] = score
            row.update(val_psnr_noisy=f"{val.psnr_noisy:.3f}", val_psnr_model=f"{score:.3f}")
            if score > best["psnr"]:
                best.update(psnr=score, step=step, state=snapshot())
        if step % t.log_every == 0 or is_val or done:
            mean_loss = float(torch.stack(losses).mean())
            if not math.isfinite(mean_loss):
                raise FloatingPointError(f"loss became {mean_loss} at step {step}")
            row.update(step=step, elapsed_s=f"{seconds:.1f}", loss=f"{mean_loss:.6g}", lr=f"{lr:.3g}")
            writer.writerow(row)
            logf.flush()
            mp_s = step * cfg.data.batch_size * cfg.data.patch_size ** 2 / seconds / 1e6
            print(f"step {step} {seconds:.0f}s loss {mean_loss:.5g} lr {lr:.3g} {mp_s:.2f} MP/s"
                  + (f" val {state['last_val']:.2f} dB" if is_val else ""))
            losses = []
        if done or time.monotonic() - last_ckpt > 60 * args.ckpt_minutes:
            write_outputs(final=done)
            last_ckpt = time.monotonic()
    logf.close()
    print(json.dumps(json.loads((out / "run.json").read_text()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
