"""Writes the labelled mixed set that benchmarks the worker's model=auto choice (benchmarks/auto/run.sh).

Each CBSD68 and Set14 image gets one noisy version per class, its strength drawn from the class's range
(seeded per image and class): gaussian sigma 5-50, camera 1-30 then JPEG quality 50-100, poisson lambda
5-60, impulse 5-50 %, text 5-25 %; the real noisy Nam patches (*_noise.png) are labelled camera.
Tuning half: the first half of each source (sorted by name); test half: the rest. Writes
OUT/{tune,test}/NAME.png and OUT/labels.json ([{"file", "split", "label", "spec", "source"}]).
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from n2n_models.noise import parse_noise_spec, quantize

CLASSES = {
    "gaussian": "gaussian,5,50",
    "camera": "camera,1,30+jpeg,50,100",
    "poisson": "poisson,5,60",
    "impulse": "impulse,5,50",
    "text": "text,5,25",
    "clean": "clean",
}


def halves(paths: list[Path]) -> list[tuple[Path, str]]:
    paths = sorted(paths)
    cut = len(paths) // 2
    return [(p, "tune" if i < cut else "test") for i, p in enumerate(paths)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for split in ("tune", "test"):
        (args.out / split).mkdir(parents=True, exist_ok=True)
    labels = []
    sources = [("CBSD68", sorted((args.data_root / "eval/CBSD68").glob("*.png"))),
               ("Set14", sorted((args.data_root / "eval/Set14").glob("*.png")))]
    for set_name, paths in sources:
        for path, split in halves(paths):
            clean = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
            for label, spec in CLASSES.items():
                rng = np.random.default_rng(zlib.crc32(f"{set_name}/{path.name}/{label}".encode()))
                noisy = quantize(parse_noise_spec(spec).apply(clean, rng)).astype(np.uint8)
                name = f"{label}__{set_name}_{path.stem}.png"
                Image.fromarray(noisy).save(args.out / split / name)
                labels.append({"file": f"{split}/{name}", "split": split, "label": label, "spec": spec,
                               "source": f"{set_name}/{path.name}"})
    nam = sorted((args.data_root / "real/Nam_CBDNet_patches").glob("*_noise.png"))
    for path, split in halves(nam):
        name = f"camera__Nam_{path.stem}.png"
        Image.open(path).convert("RGB").save(args.out / split / name)
        labels.append({"file": f"{split}/{name}", "split": split, "label": "camera", "spec": "real (Nam et al.)",
                       "source": f"Nam_CBDNet_patches/{path.name}"})
    (args.out / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    print(f"{len(labels)} images in {args.out}")


if __name__ == "__main__":
    main()
