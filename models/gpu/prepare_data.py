"""Pack a training subset and a few held-out validation images into one .npz for the GPU machine.

Runs here (numpy + Pillow, no TensorFlow). The GPU machine cannot reach /work/shared, and only the
working tree travels there (64 MiB in all), so the images go along as one carried file.

Each image is stored as the bytes of its encoded file (uint8 arrays): JPEG and PNG files as they
are, other formats (T91's BMPs) re-encoded as lossless PNG. Decoding them there gives the same
pixels that ``n2n_models.data.load_image`` reads here, and about three times as many images fit
as decoded arrays would.

    python models/gpu/prepare_data.py [--data-root /work/shared/data] [--out models/gpu/carry/train-data.npz]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

import src_path  # noqa: F401  (models/src on sys.path)
from n2n_models.data import list_images

MIB = 1 << 20
# What travels to the device machine: the working tree plus carried paths.
TREE_LIMIT = 64 * MIB
# Head room for the tree growing between packing and the device call.
MARGIN = 3 * MIB
DEFAULT_TRAIN = [
    "train/color/BSDS500_train",
    "train/color/BSDS500_test",
    "train/color/SunHays80",
    "train/color/T91",
]
KEEP_AS_IS = (".jpg", ".jpeg", ".png")


def tree_bytes(repo: Path, exclude: Path) -> int:
    """Bytes of the files that travel with the working tree (tracked + untracked-not-ignored)."""
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout
    total = 0
    for name in out.decode().split("\0"):
        path = repo / name
        if name and path.is_file() and not path.is_symlink() and path.resolve() != exclude.resolve():
            total += path.stat().st_size
    return total


def encoded(path: Path) -> bytes:
    if path.suffix.lower() in KEEP_AS_IS:
        return path.read_bytes()
    with Image.open(path) as src:
        src.load()
        im = src if src.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16") else src.convert("RGB")
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def pack(data_root: Path, train_dirs: list[str], val_dir: str, val_count: int, budget: int) -> tuple[dict, dict]:
    """Arrays and metadata; training images are added folder by folder until the budget is spent."""
    arrays: dict[str, np.ndarray] = {}
    val_files = list_images(data_root / val_dir)[:val_count] if val_dir else []
    val_blobs = [encoded(f) for f in val_files]
    used = sum(len(b) for b in val_blobs)
    train_blobs: list[bytes] = []
    train_names: list[str] = []
    packed_dirs: list[str] = []
    full = False
    for folder in train_dirs:
        for f in list_images(data_root / folder):
            blob = encoded(f)
            if used + len(blob) > budget:
                full = True
                break
            train_blobs.append(blob)
            train_names.append(f"{folder}/{f.name}")
            used += len(blob)
        if train_names and train_names[-1].startswith(f"{folder}/"):
            packed_dirs.append(folder)
        if full:
            print(f"budget reached inside {folder}: later files and folders left out", file=sys.stderr)
            break
    if not train_blobs:
        raise SystemExit(f"no training image fits in the budget of {budget / MIB:.2f} MiB")
    for prefix, blobs in (("train", train_blobs), ("val", val_blobs)):
        arrays[f"{prefix}_bytes"] = np.frombuffer(b"".join(blobs), np.uint8) if blobs else np.zeros(0, np.uint8)
        arrays[f"{prefix}_offsets"] = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    meta = {
        "format": 1,
        "data_root": str(data_root),
        "train_dirs": packed_dirs,
        "train_files": train_names,
        "val_dir": val_dir,
        "val_files": [f.name for f in val_files],
    }
    arrays["meta"] = np.array(json.dumps(meta))
    return arrays, meta


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-root", default="/work/shared/data")
    p.add_argument(
        "--train-dir", action="append", help=f"folder under the data root (repeatable; default {DEFAULT_TRAIN})"
    )
    p.add_argument("--val-dir", default="eval/Set14", help="held-out validation folder ('' for none)")
    p.add_argument("--val-count", type=int, default=4, help="first N images of --val-dir in file-name order")
    p.add_argument("--out", default=str(here / "carry" / "train-data.npz"))
    p.add_argument("--max-mib", type=float, help="size cap; default: 64 MiB minus the working tree minus 3 MiB")
    args = p.parse_args(argv)

    out = Path(args.out)
    repo = Path(
        subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--show-toplevel"], check=True, capture_output=True, text=True
        ).stdout.strip()
    )
    tree = tree_bytes(repo, out)
    budget = int(args.max_mib * MIB) if args.max_mib else TREE_LIMIT - tree - MARGIN
    # Zip headers and the offsets add a little on top of the image bytes.
    arrays, meta = pack(
        Path(args.data_root), args.train_dir or DEFAULT_TRAIN, args.val_dir, args.val_count, budget - 64 * 1024
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    size = tmp.stat().st_size
    if size > budget:
        tmp.unlink()
        raise SystemExit(f"packed {size / MIB:.1f} MiB > budget {budget / MIB:.1f} MiB")
    tmp.replace(out)
    print(
        f"{out}: {size / MIB:.1f} MiB ({size} bytes); working tree {tree / MIB:.1f} MiB; "
        f"together {(size + tree) / MIB:.1f} MiB of {TREE_LIMIT / MIB:.0f} MiB"
    )
    print(f"train: {len(meta['train_files'])} images from {', '.join(meta['train_dirs'])}")
    print(f"val: {meta['val_dir']} {', '.join(meta['val_files'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
