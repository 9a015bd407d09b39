"""Python side of the benchmarks: test inputs, the model through TensorFlow, OpenCV non-local means.

    bench.py inputs   --out DIR --sizes 0.4,4,12,40 [--data-root /work/shared/data]
    bench.py tf       --model-dir models/zoo/gaussian --image X.png --runs 5 --warmup 1 --threads 2
    bench.py ort      (the same arguments; model.onnx through the onnxruntime wheel)
    bench.py nlm      --image X.png --runs 5 --warmup 1 --threads 2 --h 14
    bench.py tune-nlm --data-root /work/shared/data --sigma 25

Every timing command prints one line ``RESULT {json}``: per-run seconds (the denoising only, not the
PNG decode), megapixels, and the process's peak RSS (``ru_maxrss``, which includes the decoded
image, the output and the runtime).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

SIDE_RATIO = 1.5  # 3:2 landscape, like most camera sensors


def size_for(megapixels: float) -> tuple[int, int]:
    width = round(math.sqrt(megapixels * 1e6 * SIDE_RATIO))
    return width, round(width / SIDE_RATIO)


def cmd_inputs(args: argparse.Namespace) -> int:
    """Noisy (sigma on 0-255, rounded/clipped to 8 bit) PNGs of the requested sizes: a mosaic of
    CBSD68 images when a data root is given, smooth synthetic content otherwise (the speed of a CNN
    and of NLM does not depend on the content)."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = []
    if args.data_root:
        folder = Path(args.data_root) / "eval" / "CBSD68"
        sources = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]
    rng = np.random.default_rng(args.seed)
    for mp in [float(s) for s in args.sizes.split(",")]:
        width, height = size_for(mp)
        path = out / f"noisy-{mp:g}mp.png"
        if path.exists():
            print(f"{path} exists", file=sys.stderr)
            continue
        clean = np.empty((height, width, 3), np.uint8)
        if sources:
            k = 0
            for y in range(0, height, 321):
                for x in range(0, width, 481):
                    src = sources[k % len(sources)]
                    k += 1
                    h = min(src.shape[0], height - y)
                    w = min(src.shape[1], width - x)
                    clean[y:y + h, x:x + w] = src[:h, :w]
        else:
            yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
            for c in range(3):
                clean[..., c] = (127 + 100 * np.sin(xx / (37 + 11 * c)) * np.cos(yy / (53 + 7 * c))).astype(np.uint8)
        noisy = clean.astype(np.float32)
        for y in range(0, height, 1024):  # in bands, to keep the float copy small
            band = noisy[y:y + 1024]
            band += rng.normal(0, args.sigma, band.shape).astype(np.float32)
        Image.fromarray(np.clip(np.rint(noisy), 0, 255).astype(np.uint8)).save(path, compress_level=1)
        print(f"wrote {path} ({width}x{height})", file=sys.stderr)
    return 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_float(image: str) -> np.ndarray:
    return np.asarray(Image.open(image).convert("RGB"), dtype=np.float32) / 255.0


def round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def stride_for(tile: int, overlap: int, multiple: int) -> int:
    return max(multiple, (tile - overlap) // multiple * multiple)


def tile_starts(length: int, tile: int, overlap: int, multiple: int) -> list[int]:
    """Denoiser.starts: origins on the size multiple, the last tile ending at the padded image's end."""
    if length <= tile:
        return [0]
    stride = stride_for(tile, overlap, multiple)
    count = (length - tile + stride - 1) // stride + 1
    last = round_up(length - tile, multiple)
    return [min(i * stride, last) for i in range(count)]


def balanced_tile(length: int, tile: int, overlap: int, multiple: int) -> int:
    """Denoiser.balancedTile: the same number of tiles, spread evenly, each at most ``tile``."""
    if length <= tile:
        return length
    stride = stride_for(tile, overlap, multiple)
    count = (length - tile + stride - 1) // stride + 1
    side = -(-(length + (count - 1) * overlap) // count)
    return min(tile, round_up(side, multiple))


def ramps(starts: list[int], length: int, extent: int, overlap: int) -> list[np.ndarray]:
    """The worker's blend weights (Denoiser.normalisedRamps): zero on the outer quarter of an overlap,
    linear across its middle half, normalised so they sum to 1 per position (inside the image)."""
    quarter = overlap / 4.0
    result, total = [], np.zeros(extent, np.float32)
    for s in starts:
        used = min(length, extent - s)
        i = np.arange(used, dtype=np.float32)
        up = np.clip((i + 0.5 - quarter) / (2 * quarter), 0, 1) if overlap > 0 else np.ones(used, np.float32)
        w = np.ones(used, np.float32)
        if s > 0:
            w = np.minimum(w, up)
        if s + length < extent:
            w = np.minimum(w, up[::-1])
        result.append(w)
        total[s:s + used] += w
    return [w / total[s:s + len(w)] for w, s in zip(result, starts)]


def run_tiled(rgb: np.ndarray, predict, tile: int, overlap: int, multiple: int) -> np.ndarray:
    """The worker's tiling (Denoiser), in numpy: equal balanced tiles on the size multiple, reflect
    padding to it, the same normalised blend weights, one tile per call. ``overlap`` and ``tile`` are
    the effective ones (see :func:`effective_tiling`)."""
    height, width, _ = rgb.shape
    th, tw = balanced_tile(height, tile, overlap, multiple), balanced_tile(width, tile, overlap, multiple)
    rows, cols = tile_starts(height, th, overlap, multiple), tile_starts(width, tw, overlap, multiple)
    ph, pw = round_up(th, multiple), round_up(tw, multiple)
    wy, wx = ramps(rows, th, height, overlap), ramps(cols, tw, width, overlap)
    out = np.zeros_like(rgb)
    for r, y0 in enumerate(rows):
        for c, x0 in enumerate(cols):
            window = rgb[y0:y0 + ph, x0:x0 + pw]
            if window.shape[:2] != (ph, pw):
                window = np.pad(window, ((0, ph - window.shape[0]), (0, pw - window.shape[1]), (0, 0)), mode="reflect")
            uh, uw = len(wy[r]), len(wx[c])
            result = predict(window[None])[0, :uh, :uw]
            out[y0:y0 + uh, x0:x0 + uw] += result * (wy[r][:, None, None] * wx[c][None, :, None])
    return out


def effective_tiling(tile: int, overlap: int, card: dict) -> tuple[int, int]:
    """Denoiser.overlap/tileSide: the card's tile_overlap when larger, tiles of at least four overlaps."""
    multiple = card["size_multiple"]
    overlap = max(overlap, card.get("tile_overlap", 0))
    least = round_up(max(multiple, 4 * overlap), multiple)
    return max(least, tile // multiple * multiple), overlap


def timed_model(rgb: np.ndarray, predict, card: dict, args: argparse.Namespace) -> list[float]:
    """Timings of the worker's tiled path over ``rgb`` with one model's ``predict``."""
    tile, overlap = effective_tiling(args.tile, args.overlap, card)

    def run(image: np.ndarray) -> np.ndarray:
        return run_tiled(image, predict, tile, overlap, card["size_multiple"])

    return timed(lambda: run(rgb), args.runs, args.warmup, lambda: run(rgb[:1024, :1024]))


def timed(fn, runs: int, warmup: int, warm=None) -> list[float]:
    """Median-ready timings of ``fn``; the warm-up runs ``warm`` (a 1024x1024 crop: the same tile
    shapes as the whole image, like the Java harness) or ``fn``."""
    for _ in range(warmup):
        (warm or fn)()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(method: str, image: str, rgb_shape, times: list[float], **extra) -> None:
    height, width = rgb_shape[:2]
    mp = width * height / 1e6
    result = {"method": method, "image": os.path.basename(image), "width": width, "height": height,
              "megapixels": mp, "runs": len(times), "seconds": times, "median_s": statistics.median(times),
              "mp_per_s": mp / statistics.median(times), "peak_rss_mb": peak_rss_mb(), **extra}
    print("RESULT " + json.dumps(result), flush=True)


def cmd_tf(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1 if args.threads else 0)
    card = json.loads((Path(args.model_dir) / "model.json").read_text())
    serving = tf.saved_model.load(str(Path(args.model_dir) / "saved_model")).signatures["serving_default"]

    def predict(batch: np.ndarray) -> np.ndarray:
        return serving(input=tf.constant(batch))["output"].numpy()

    rgb = load_float(args.image)
    times = timed_model(rgb, predict, card, args)
    report("python-tensorflow", args.image, rgb.shape, times, threads=args.threads, tile=args.tile,
           tensorflow=tf.__version__)
    return 0


def cmd_ort(args: argparse.Namespace) -> int:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    card = json.loads((Path(args.model_dir) / "model.json").read_text())
    session = ort.InferenceSession(str(Path(args.model_dir) / "model.onnx"), options,
                                   providers=["CPUExecutionProvider"])
    rgb = load_float(args.image)
    def predict(batch: np.ndarray) -> np.ndarray:
        return session.run(["output"], {"input": np.ascontiguousarray(batch)})[0]

    times = timed_model(rgb, predict, card, args)
    report("python-onnxruntime", args.image, rgb.shape, times, threads=args.threads, tile=args.tile,
           onnxruntime=ort.__version__)
    return 0


def cmd_nlm(args: argparse.Namespace) -> int:
    import cv2

    cv2.setNumThreads(args.threads)
    bgr = cv2.imread(args.image, cv2.IMREAD_COLOR)
    times = timed(lambda: cv2.fastNlMeansDenoisingColored(bgr, None, args.h, args.h, 7, 21), args.runs, args.warmup,
                  lambda: cv2.fastNlMeansDenoisingColored(bgr[:1024, :1024].copy(), None, args.h, args.h, 7, 21))
    report("opencv-nlm", args.image, bgr.shape, times, threads=args.threads, h=args.h, opencv=cv2.__version__)
    return 0


def psnr(clean: np.ndarray, test: np.ndarray) -> float:
    mse = np.mean((clean.astype(np.float64) - test.astype(np.float64)) ** 2)
    return 10 * math.log10(255.0 ** 2 / mse)


def cmd_tune_nlm(args: argparse.Namespace) -> int:
    """Picks h (= hColor) for fastNlMeansDenoisingColored at the given sigma by mean PSNR on the first
    CBSD68 images (the ones the model card validates on), 8-bit noisy inputs, seed 0."""
    import cv2

    cv2.setNumThreads(args.threads)
    folder = Path(args.data_root) / "eval" / "CBSD68"
    rng = np.random.default_rng(0)
    images = []
    for p in sorted(folder.glob("*.png"))[:args.images]:
        clean = np.asarray(Image.open(p).convert("RGB"))
        noisy = np.clip(np.rint(clean + rng.normal(0, args.sigma, clean.shape)), 0, 255).astype(np.uint8)
        images.append((clean, noisy))
    scores = {}
    for h in [float(v) for v in args.grid.split(",")]:
        values = []
        for clean, noisy in images:
            out = cv2.fastNlMeansDenoisingColored(noisy[..., ::-1].copy(), None, h, h, 7, 21)[..., ::-1]
            values.append(psnr(clean, out))
        scores[h] = statistics.mean(values)
        print(f"h={h:g}: {scores[h]:.3f} dB", file=sys.stderr)
    best = max(scores, key=scores.get)
    noisy_psnr = statistics.mean(psnr(c, n) for c, n in images)
    print("RESULT " + json.dumps({"sigma": args.sigma, "images": len(images), "psnr_noisy": noisy_psnr,
                                  "psnr_by_h": scores, "best_h": best, "best_psnr": scores[best]}), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    i = sub.add_parser("inputs")
    i.add_argument("--out", required=True)
    i.add_argument("--sizes", default="0.4,4,12,40")
    i.add_argument("--data-root")
    i.add_argument("--sigma", type=float, default=25)
    i.add_argument("--seed", type=int, default=0)
    i.set_defaults(func=cmd_inputs)
    for name, func in (("tf", cmd_tf), ("ort", cmd_ort), ("nlm", cmd_nlm)):
        t = sub.add_parser(name)
        t.add_argument("--image", required=True)
        t.add_argument("--runs", type=int, default=5)
        t.add_argument("--warmup", type=int, default=1)
        t.add_argument("--threads", type=int, default=2)
        if name == "nlm":
            t.add_argument("--h", type=float, default=14)
        else:
            t.add_argument("--model-dir", default="models/zoo/gaussian")
            t.add_argument("--tile", type=int, default=1024)
            t.add_argument("--overlap", type=int, default=32)
        t.set_defaults(func=func)
    n = sub.add_parser("tune-nlm")
    n.add_argument("--data-root", default="/work/shared/data")
    n.add_argument("--sigma", type=float, default=25)
    n.add_argument("--images", type=int, default=4)
    n.add_argument("--grid", default="8,10,12,14,16,18,20,22")
    n.add_argument("--threads", type=int, default=2)
    n.set_defaults(func=cmd_tune_nlm)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
