"""The zoo's model.onnx on a GPU through PyTorch: a model-only throughput check that needs neither TF's
GPU natives nor onnxruntime-gpu (neither fits a machine that cannot download). It interprets the
graph's few ops (Transpose, SpaceToDepth, DepthToSpace, Conv, Relu, Add — all that fastdn exports
to) with the ONNX file's own weights, checks the result against onnxruntime on the CPU, then times
tiles of 512x512 (batch 1 and larger) and whole images in fp32 and, optionally, fp16/bf16.

    python3 benchmarks/gpu/onnx_torch.py --model models/zoo/text/model.onnx --out results.json
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

from timing import timed


class OnnxGraph(torch.nn.Module):
    def __init__(self, path: str):
        super().__init__()
        model = onnx.load(path)
        self.graph = model.graph
        self.weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
        for node in model.graph.node:
            if node.op_type == "Constant":
                self.weights[node.output[0]] = torch.from_numpy(numpy_helper.to_array(node.attribute[0].t).copy())
        self.input_name = model.graph.input[0].name
        self.output_name = model.graph.output[0].name

    def to_device(self, device, dtype):
        self.weights = {k: (v.to(device, dtype) if v.is_floating_point() else v.to(device)) for k, v in self.weights.items()}
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values = dict(self.weights)
        values[self.input_name] = x
        for node in self.graph.node:
            a = {att.name: onnx.helper.get_attribute_value(att) for att in node.attribute}
            ins = [values[n] for n in node.input if n]
            op = node.op_type
            if op == "Constant":
                continue
            if op == "Transpose":
                out = ins[0].permute(*a["perm"])
            elif op == "SpaceToDepth":
                out = F.pixel_unshuffle(ins[0], a["blocksize"])
                # ONNX SpaceToDepth orders channels (by, bx, c); pixel_unshuffle orders (c, by, bx)
                n, c4, h, w = out.shape
                b = a["blocksize"]
                out = out.view(n, c4 // (b * b), b * b, h, w).transpose(1, 2).reshape(n, c4, h, w)
            elif op == "DepthToSpace":
                b = a["blocksize"]
                x0 = ins[0]
                if a.get("mode", b"DCR") in (b"DCR", "DCR"):
                    n, c, h, w = x0.shape
                    x0 = x0.view(n, b * b, c // (b * b), h, w).transpose(1, 2).reshape(n, c, h, w)
                out = F.pixel_shuffle(x0, b)
            elif op == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])
                out = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                               padding=(pads[0], pads[1]), dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
            elif op == "Relu":
                out = F.relu(ins[0])
            elif op == "Add":
                out = ins[0] + ins[1]
            else:
                raise NotImplementedError(op)
            values[node.output[0]] = out
        return values[self.output_name]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="models/zoo/text/model.onnx")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--out")
    args = p.parse_args()
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    report = {"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "results": []}

    net = OnnxGraph(args.model)
    x = np.random.default_rng(0).random((2, 130, 74, 3), dtype=np.float32)
    try:
        import onnxruntime as ort

        expected = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"]).run(None, {net.input_name: x})[0]
        actual = net.to_device(device, torch.float32)(torch.from_numpy(x).to(device)).cpu().numpy()
        report["parity_vs_onnxruntime_cpu"] = float(np.abs(expected - actual).max())
        print("parity vs onnxruntime (CPU):", report["parity_vs_onnxruntime_cpu"], flush=True)
    except ImportError:
        net.to_device(device, torch.float32)

    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        net.to_device(device, dtype)
        with torch.inference_mode():
            for label, shape in (("tile 512 batch 1", (1, 512, 512, 3)), ("tile 512 batch 8", (8, 512, 512, 3)),
                                 ("tile 512 batch 32", (32, 512, 512, 3)), ("whole 4 MP", (1, 1633, 2449, 3)),
                                 ("whole 12 MP", (1, 2828, 4242, 3)), ("whole 40 MP", (1, 5164, 7746, 3))):
                x = torch.rand(shape, device=device, dtype=dtype)
                try:
                    times = timed(lambda: net(x), args.runs)
                except torch.cuda.OutOfMemoryError:
                    print(f"{dtype} {label}: out of memory", flush=True)
                    torch.cuda.empty_cache()
                    continue
                mp = shape[0] * shape[1] * shape[2] / 1e6
                median = float(np.median(times))
                row = {"dtype": str(dtype), "case": label, "megapixels": mp, "median_s": median,
                       "mp_per_s": mp / median, "runs": args.runs,
                       "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20}
                report["results"].append(row)
                print(f"{str(dtype):15} {label:18} {mp:7.2f} MP {median * 1e3:9.2f} ms {mp / median:10.1f} MP/s "
                      f"peak {row['peak_gpu_mb']:.0f} MB", flush=True)
                torch.cuda.reset_peak_memory_stats()
                del x
                torch.cuda.empty_cache()
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
