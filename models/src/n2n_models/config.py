"""Typed, validated training configuration, loadable from and saved to YAML."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from n2n_models import arch_specs
from n2n_models.noise import parse_noise_spec

LOSSES = ("l2", "l1", "l0")
TRAINING_MODES = ("n2n", "n2c")


@dataclass
class DataConfig:
    """Where training and validation images come from and how patches are cut."""

    data_root: str = "/work/shared/data"
    # Folders relative to data_root (or absolute) holding training images.
    train_dirs: list[str] = field(default_factory=lambda: ["train/color/BSDS500_train"])
    # Folder with clean validation images (relative to data_root or absolute); "" disables validation.
    # Real noisy pairs (the case Noise2Noise exists for): folders whose sub-folders each hold two
    # or more registered captures of one scene. When set, training uses them instead of
    # train_dirs + synthetic noise (train.source_noise/target_noise are then not used).
    pair_dirs: list[str] = field(default_factory=list)
    val_dir: str = "eval/CBSD68"
    # Use the first N validation images in sorted file-name order (0 = all).
    val_count: int = 4
    # Noise added (seeded) to the validation images.
    val_noise: str = "gaussian,25,25"
    val_seed: int = 1234
    patch_size: int = 64
    batch_size: int = 16
    # Downscale training images by this integer factor before cropping (1 = no scaling).
    downscale: int = 1

    def validate(self) -> None:
        if not self.train_dirs and not self.pair_dirs:
            raise ValueError("data.train_dirs (or data.pair_dirs) must list at least one folder")
        if self.patch_size < 8:
            raise ValueError(f"data.patch_size must be >= 8, got {self.patch_size}")
        if self.batch_size < 1:
            raise ValueError(f"data.batch_size must be >= 1, got {self.batch_size}")
        if self.val_count < 0:
            raise ValueError(f"data.val_count must be >= 0, got {self.val_count}")
        if self.downscale < 1:
            raise ValueError(f"data.downscale must be >= 1, got {self.downscale}")
        parse_noise_spec(self.val_noise)

    def resolve(self, folder: str) -> Path:
        path = Path(folder)
        return path if path.is_absolute() else Path(self.data_root) / path


@dataclass
class ModelConfig:
    arch: str = "fastdn"
    channels: int = 3
    # Extra keyword arguments for the architecture builder (e.g. {"features": 64}).
    kwargs: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.arch not in arch_specs.available():
            raise ValueError(f"model.arch {self.arch!r} unknown; available: {', '.join(arch_specs.available())}")
        if self.channels not in (1, 3):
            raise ValueError(f"model.channels must be 1 or 3, got {self.channels}")


@dataclass
class TrainConfig:
    source_noise: str = "gaussian,0,50"
    # Noise on the training target; "clean" means Noise2Clean (supervised) training.
    target_noise: str = "gaussian,0,50"
    # Clip/round the noisy source to 8-bit like a real image file (targets are never clipped,
    # which keeps the Noise2Noise target unbiased).
    quantize_source: bool = True
    # l2 (mean-seeking: Gaussian, Poisson), l1 (median: text overlays), l0 (mode: impulse noise;
    # |d|^gamma with gamma annealed linearly from l0_gamma to 0 over the run, as in the N2N paper).
    loss: str = "l2"
    l0_gamma: float = 2.0
    # Start from the weights of another run's best checkpoint (a run directory; the optimizer,
    # step and schedule start fresh). Same architecture and channels required. "" = random init.
    # On the GPU path (models/gpu) it names an npz of Keras-layout weights instead (`n2n-models zoo-weights`).
    init_from: str = ""
    # GPU path only: distil from a teacher, an npz of Keras-layout weights of a ``teacher_arch`` model; the
    # teacher's output on the noisy source is the target (``target_noise`` is then not used). A teacher
    # trained Noise2Noise keeps the student free of clean images too.
    teacher: str = ""
    teacher_arch: str = ""
    lr: float = 1e-3
    # Linear learning-rate warm-up over the first steps: lets Adam's moment estimates settle before full-size
    # steps, so a warm start is not knocked off the optimum it starts from. 0 = none.
    warmup_steps: int = 0
    # Fraction of the steps, at the end, over which the learning rate ramps down (cosine) to ~0.
    rampdown: float = 0.3
    steps: int = 10000
    # Stop (after saving) once this wall time is spent in this invocation; 0 = no limit.
    max_minutes: float = 0.0
    # Total training-time budget across resumes; when > 0 the run ends (with a full LR ramp-down)
    # at whichever of ``steps`` and this budget comes first. 0 = steps only.
    time_budget_minutes: float = 0.0
    val_every: int = 500
    ckpt_every: int = 250
    log_every: int = 50
    seed: int = 0
    threads: int = 1

    @property
    def mode(self) -> str:
        if self.teacher:
            return "distilled"
        return "n2c" if self.target_noise.strip() == "clean" else "n2n"

    def validate(self) -> None:
        parse_noise_spec(self.source_noise)
        parse_noise_spec(self.target_noise)
        if bool(self.teacher) != bool(self.teacher_arch):
            raise ValueError("train.teacher and train.teacher_arch go together (an npz and its architecture)")
        if self.teacher_arch and self.teacher_arch not in arch_specs.available():
            raise ValueError(
                f"train.teacher_arch {self.teacher_arch!r} unknown; available: {', '.join(arch_specs.available())}"
            )
        if self.loss not in LOSSES:
            raise ValueError(f"train.loss must be one of {LOSSES}, got {self.loss!r}")
        if not self.l0_gamma > 0:
            raise ValueError(f"train.l0_gamma must be > 0, got {self.l0_gamma}")
        if not self.lr > 0:
            raise ValueError(f"train.lr must be > 0, got {self.lr}")
        if self.warmup_steps < 0:
            raise ValueError(f"train.warmup_steps must be >= 0, got {self.warmup_steps}")
        if not 0.0 <= self.rampdown <= 1.0:
            raise ValueError(f"train.rampdown must be in [0, 1], got {self.rampdown}")
        for name in ("steps", "val_every", "ckpt_every", "log_every", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"train.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("max_minutes", "time_budget_minutes"):
            if getattr(self, name) < 0:
                raise ValueError(f"train.{name} must be >= 0, got {getattr(self, name)}")


@dataclass
class Config:
    name: str = "model"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def validate(self) -> Config:
        if not self.name or any(c in self.name for c in "/\\ "):
            raise ValueError(f"name must be a non-empty identifier without slashes/spaces, got {self.name!r}")
        self.data.validate()
        self.model.validate()
        self.train.validate()
        multiple = arch_specs.size_multiple(self.model.arch)
        if self.data.patch_size % multiple:
            raise ValueError(
                f"patch_size {self.data.patch_size} must be a multiple of {multiple} for {self.model.arch}"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Config:
        if not isinstance(raw, dict):
            raise ValueError("config must be a mapping")
        unknown = set(raw) - {"name", "data", "model", "train"}
        if unknown:
            raise ValueError(f"unknown config sections: {sorted(unknown)}")
        return cls(
            name=str(raw.get("name", "model")),
            data=_build(DataConfig, raw.get("data") or {}, "data"),
            model=_build(ModelConfig, raw.get("model") or {}, "model"),
            train=_build(TrainConfig, raw.get("train") or {}, "train"),
        ).validate()

    def save(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))

    @classmethod
    def load(cls, path: str | Path) -> Config:
        return cls.from_dict(read_raw(path))


def read_raw(path: str | Path) -> dict[str, Any]:
    """A config file's mapping before validation (an empty file is an empty mapping), for ``--set``."""
    return yaml.safe_load(Path(path).read_text()) or {}


def apply_overrides(raw: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """Sets ``SECTION.KEY=VALUE`` items (``--set``; VALUE parsed as YAML) in a raw config mapping."""
    for item in sets:
        key, sep, value = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot:
            raise SystemExit(f"--set expects SECTION.KEY=VALUE, got {item!r}")
        raw.setdefault(section, {})[name] = yaml.safe_load(value)
    return raw


def _build(kind: type, raw: dict[str, Any], section: str) -> Any:
    if not isinstance(raw, dict):
        raise ValueError(f"config section {section!r} must be a mapping")
    fields = {f.name: f for f in dataclasses.fields(kind)}
    unknown = set(raw) - set(fields)
    if unknown:
        raise ValueError(f"unknown keys in {section!r}: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = getattr(kind(), key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{section}.{key} must be a boolean, got {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{section}.{key} must be an integer, got {value!r}")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{section}.{key} must be a number, got {value!r}")
            value = float(value)
        elif isinstance(default, str):
            if not isinstance(value, str):
                raise ValueError(f"{section}.{key} must be a string, got {value!r}")
        elif isinstance(default, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{section}.{key} must be a list of strings, got {value!r}")
        elif isinstance(default, dict) and not isinstance(value, dict):
            raise ValueError(f"{section}.{key} must be a mapping, got {value!r}")
        values[key] = value
    return kind(**values)
