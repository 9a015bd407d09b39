"""Inference throughput of the zoo's architectures on one GPU, model only, through PyTorch.

The per-GPU figure of the sizing model (docs/sizing.md, r_gpu): the networks of models/gpu/torch_archs.py
(layer for layer the Keras ones) timed on tiles of 512x512 at batch 1/8/32 and on whole 12 MP images,
in fp32 (TF32 allowed) and bf16, channels_last, inputs already on the GPU; the batch-32 case is also
timed end to end (uint8 upload, model, uint8 download). The baseline of the same run is the same
model in fp32 on this machine's CPUs (all cores, tile 512, batch 1): each row gives its ratio to it.
Throughput does not depend on the weights, so none are loaded.

    python3 benchmarks/gpu/infer_torch.py --archs fastdn,unet --out infer.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "models" / "gpu"))

from timing import timed  # noqa: E402
from torch_archs import build  # noqa: E402

TILE_CASES = (("tile 512 batch 1", 1, 512, 512), ("tile 512 batch 8", 8, 512, 512),
              ("tile 512 batch 32", 32, 512, 512), ("whole 12 MP", 1, 2816, 4224))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--archs", default="fastdn,unet")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--cpu-runs", type=int, default=3)
    p.add_argument("--out")
    p.add_argument("--device", default="cuda", help="'cpu' only checks that the script runs")
    args = p.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 2
    gpu = torch.device(args.device)
    cuda = gpu.type == "cuda"
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    report = {"gpu": torch.cuda.get_device_name(0) if cuda else "none (--device cpu)", "torch": torch.__version__,
              "cpu_threads": torch.get_num_threads(),
              "cpus": os.cpu_count(), "results": []}
    print(f"{report['gpu']}, torch {report['torch']}, CPU baseline on {report['cpu_threads']} threads", flush=True)
    print(f"{'arch':8} {'dtype':9} {'case':22} {'MP':>6} {'median ms':>10} {'MP/s':>9} {'x CPU':>7}", flush=True)

    for arch in args.archs.split(","):
        model = build(arch, 3, {}).eval()
        with torch.inference_mode():
            x = torch.rand((1, 3, 512, 512))
            cpu_s = float(np.median(timed(lambda: model(x), args.cpu_runs, cuda=False)))
        cpu_mps = 512 * 512 / 1e6 / cpu_s
        report["results"].append({"arch": arch, "device": "cpu", "dtype": "fp32", "case": "tile 512 batch 1",
                                  "megapixels": 0.262, "median_s": cpu_s, "mp_per_s": cpu_mps, "ratio_to_cpu": 1.0})
        print(f"{arch:8} {'fp32':9} {'CPU tile 512 batch 1':22} {0.262:6.2f} {cpu_s * 1e3:10.1f} {cpu_mps:9.2f} {1.0:7.1f}",
              flush=True)
        net = model.to(gpu).to(memory_format=torch.channels_last)
        for dtype_name, dtype in (("fp32", None), ("bf16", torch.bfloat16)):
            for label, n, h, w in TILE_CASES + (("tile 512 batch 32 e2e", 32, 512, 512),):
                end_to_end = label.endswith("e2e")
                with torch.inference_mode(), torch.autocast(gpu.type, dtype=dtype or torch.float32, enabled=dtype is not None):
                    if end_to_end:
                        host = torch.randint(0, 256, (n, h, w, 3), dtype=torch.uint8)
                        host = host.pin_memory() if cuda else host

                        def step():
                            t = host.to(gpu, non_blocking=True).permute(0, 3, 1, 2).float().div(255)
                            y = net(t.contiguous(memory_format=torch.channels_last))
                            return (y.float().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu()
                    else:
                        t = torch.rand((n, 3, h, w), device=gpu).contiguous(memory_format=torch.channels_last)

                        def step():
                            return net(t)
                    try:
                        seconds = float(np.median(timed(step, args.runs, cuda=cuda)))
                    except torch.cuda.OutOfMemoryError:
                        print(f"{arch} {dtype_name} {label}: out of memory", flush=True)
                        torch.cuda.empty_cache()
                        continue
                mp = n * h * w / 1e6
                row = {"arch": arch, "device": gpu.type, "dtype": dtype_name, "case": label, "megapixels": mp,
                       "median_s": seconds, "mp_per_s": mp / seconds, "ratio_to_cpu": mp / seconds / cpu_mps,
                       "runs": args.runs, "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if cuda else None}
                report["results"].append(row)
                print(f"{arch:8} {dtype_name:9} {label:22} {mp:6.2f} {seconds * 1e3:10.2f} {mp / seconds:9.1f} "
                      f"{row['ratio_to_cpu']:7.1f}", flush=True)
                if cuda:
                    torch.cuda.reset_peak_memory_stats()
                    torch.cuda.empty_cache()
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
