"""ONNX export of a zoo SavedModel, for the worker's ONNX Runtime engine.

``zoo/<name>/saved_model/`` → ``zoo/<name>/model.onnx`` (tf2onnx, opset 17 by default: the ONNX Runtime
1.21 that DJL 0.36 bundles runs opsets up to 22) plus ``zoo/<name>/model.onnx.json``, which records the
digest of the SavedModel it came from (the worker runs ``model.onnx`` only while that digest matches
the current ``saved_model/``, so a re-exported SavedModel never silently runs with a stale ONNX file),
the versions used, and the TF-vs-ONNX Runtime parity measured right after the conversion.

Needs the optional ``onnx`` extra (``pip install -e '.[onnx]'``): tf2onnx pins protobuf 3.20, so it
lives in its own environment rather than the training one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from n2n_models.card import ModelCard

log = logging.getLogger(__name__)

DEFAULT_OPSET = 17
ONNX_FILE = "model.onnx"
ONNX_CARD = "model.onnx.json"


def saved_model_digest(saved_model: str | os.PathLike[str]) -> str:
    """SHA-256 over ``"<sha256 of file>  <relative path>\\n"`` of every file under ``saved_model``,
    sorted by path (``sha256sum`` lines); the Java worker's ``SavedModelDigest`` computes the same."""
    root = Path(saved_model)
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    listing = hashlib.sha256()
    for rel, path in files:
        content = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                content.update(block)
        listing.update(f"{content.hexdigest()}  {rel}\n".encode())
    return listing.hexdigest()


def export_onnx(
    model_dir: str | os.PathLike[str],
    opset: int = DEFAULT_OPSET,
    parity_sizes: tuple[tuple[int, int], ...] = ((64, 96), (130, 74)),
    tolerance: float = 1e-4,
) -> dict[str, Any]:
    """Converts ``model_dir/saved_model`` to ``model_dir/model.onnx`` and writes ``model.onnx.json``.

    Fails (and leaves any previous ``model.onnx`` in place) when ONNX Runtime's output differs from
    TensorFlow's by more than ``tolerance`` on seeded random inputs of ``parity_sizes`` (H, W).
    """
    import onnx
    import onnxruntime as ort
    import tensorflow as tf
    import tf2onnx

    model_dir = Path(model_dir)
    saved_model = model_dir / "saved_model"
    card = ModelCard.load(model_dir / "model.json")
    digest = saved_model_digest(saved_model)

    with tempfile.TemporaryDirectory(dir=model_dir, prefix=".onnx-") as tmp:
        tmp_onnx = Path(tmp) / ONNX_FILE
        cmd = [
            sys.executable,
            "-m",
            "tf2onnx.convert",
            "--saved-model",
            str(saved_model),
            "--tag",
            "serve",
            "--signature_def",
            "serving_default",
            "--opset",
            str(opset),
            "--output",
            str(tmp_onnx),
        ]
        log.info("running %s", " ".join(cmd))
        subprocess.run(cmd, check=True)

        proto = onnx.load(str(tmp_onnx))
        onnx.checker.check_model(proto)
        inputs = [i.name for i in proto.graph.input]
        outputs = [o.name for o in proto.graph.output]
        if inputs != ["input"] or outputs != ["output"]:
            raise RuntimeError(f"unexpected ONNX signature: inputs {inputs}, outputs {outputs}")

        session = ort.InferenceSession(str(tmp_onnx), providers=["CPUExecutionProvider"])
        serving = tf.saved_model.load(str(saved_model)).signatures["serving_default"]
        rng = np.random.default_rng(0)
        channels = card.channels
        # The SavedModel takes sizes in multiples of the architecture's (the worker pads to them).
        multiple = card.size_multiple
        parity_sizes = tuple((-(-h // multiple) * multiple, -(-w // multiple) * multiple) for h, w in parity_sizes)
        worst = 0.0
        for h, w in parity_sizes:
            x = rng.random((2, h, w, channels), dtype=np.float32)
            expected = serving(input=tf.constant(x))["output"].numpy()
            actual = session.run(["output"], {"input": x})[0]
            worst = max(worst, float(np.max(np.abs(expected - actual))))
        if worst > tolerance:
            raise RuntimeError(f"ONNX Runtime differs from TensorFlow by {worst:.3g} > {tolerance}")

        onnx_card = {
            "source": "saved_model",
            "source_sha256": digest,
            "opset": opset,
            "input": {"name": "input", "layout": "NHWC", "dtype": "float32"},
            "output": {"name": "output"},
            "parity": {
                "max_abs_diff": worst,
                "tolerance": tolerance,
                "shapes": [[2, h, w, channels] for h, w in parity_sizes],
            },
            "versions": {
                "tensorflow": tf.__version__,
                "tf2onnx": tf2onnx.__version__,
                "onnx": onnx.__version__,
                "onnxruntime": ort.__version__,
            },
        }
        os.replace(tmp_onnx, model_dir / ONNX_FILE)
        tmp_card = Path(tmp) / ONNX_CARD
        tmp_card.write_text(json.dumps(onnx_card, indent=2) + "\n")
        os.replace(tmp_card, model_dir / ONNX_CARD)
    log.info("wrote %s (opset %d, parity %.3g)", model_dir / ONNX_FILE, opset, worst)
    return onnx_card
