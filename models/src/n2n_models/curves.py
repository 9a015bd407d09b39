"""Training curves as PNG: loss and validation PSNR of one run, and PSNR against training pixels
for several runs (the budget-vs-quality curve the model cards refer to)."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a display
import matplotlib.pyplot as plt  # noqa: E402


def read_log(run_dir: str | Path) -> list[dict[str, str]]:
    with (Path(run_dir) / "log.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def validation_points(rows: list[dict[str, str]], pixels_per_step: int) -> tuple[list[float], list[float]]:
    """(training pixels, validation PSNR) for every logged validation."""
    pts = [(int(r["step"]) * pixels_per_step, float(r["val_psnr_model"])) for r in rows if r.get("val_psnr_model")]
    return [p for p, _ in pts], [v for _, v in pts]


def plot_run(run_dir: str | Path, pixels_per_step: int, out: str | Path | None = None) -> Path:
    """``curves.png`` of a run: training loss by step and validation PSNR by training pixels."""
    rows = read_log(run_dir)
    out = Path(out) if out else Path(run_dir) / "curves.png"
    fig, (ax_loss, ax_psnr) = plt.subplots(1, 2, figsize=(10, 3.6))
    steps = [int(r["step"]) for r in rows if r.get("loss")]
    ax_loss.plot(steps, [float(r["loss"]) for r in rows if r.get("loss")], lw=1)
    ax_loss.set(xlabel="step", ylabel="training loss", yscale="log", title=Path(run_dir).name)
    px, psnr = validation_points(rows, pixels_per_step)
    ax_psnr.plot(px, psnr, marker=".", lw=1)
    if rows and rows[-1].get("val_psnr_noisy"):
        ax_psnr.axhline(float(rows[-1]["val_psnr_noisy"]), color="grey", ls="--", lw=0.8, label="noisy input")
        ax_psnr.legend(loc="lower right")
    ax_psnr.set(xlabel="training pixels", ylabel="validation PSNR (dB)", xscale="log")
    ax_psnr.grid(alpha=0.3)
    fig.tight_layout()
    _save(fig, out)
    return out


def plot_runs(runs: list[tuple[str, str | Path, int]], out: str | Path, title: str = "") -> Path:
    """Validation PSNR against training pixels, one line per (label, run_dir, pixels_per_step)."""
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, run_dir, pixels_per_step in runs:
        px, psnr = validation_points(read_log(run_dir), pixels_per_step)
        ax.plot(px, psnr, marker=".", lw=1, label=label)
    ax.set(xlabel="training pixels", ylabel="validation PSNR (dB)", xscale="log", title=title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    _save(fig, Path(out))
    return Path(out)


def _save(fig, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(out)
