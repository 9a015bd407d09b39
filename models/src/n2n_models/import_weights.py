"""Import weights trained elsewhere (models/gpu/train_torch.py) as a normal run directory.

The weights arrive as an ``.npz`` keyed ``<keras layer>/<weight>`` in Keras layout (conv kernels
HWIO), with a parity fixture: a fixed input and the producing framework's fp32 output on it. The
import refuses unless the Keras model built from the config reproduces that output, which catches
any layout, channel-order or padding mismatch between the two implementations. The run directory
then holds ``config.yaml``, ``best``/``last`` checkpoints written by the usual CheckpointStore and a
``log.csv``, so ``n2n-models export`` works on it unchanged.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from n2n_models.config import Config

log = logging.getLogger(__name__)

PARITY_ATOL = 1e-4


class ImportRefused(ValueError):
    """The weights do not fit the model, or the model does not reproduce the parity output."""


def keras_weights(model: tf.keras.Model) -> dict[str, np.ndarray]:
    """``<layer>/<weight>`` -> array, for every weight of every layer (the npz layout)."""
    out: dict[str, np.ndarray] = {}
    for layer in model.layers:
        for w in layer.weights:
            key = f"{layer.name}/{w.name}"
            if key in out:
                raise ValueError(f"duplicate weight name {key}")
            out[key] = np.asarray(w.numpy())
    return out


def save_weights_npz(model: tf.keras.Model, path: str | Path) -> None:
    np.savez(path, **keras_weights(model))


def set_weights(model: tf.keras.Model, weights: Mapping[str, np.ndarray]) -> None:
    """Assign every weight of ``model`` from ``weights``; the key sets and shapes must match exactly."""
    expected = {}
    for layer in model.layers:
        for w in layer.weights:
            expected[f"{layer.name}/{w.name}"] = w
    missing = sorted(set(expected) - set(weights))
    extra = sorted(set(weights) - set(expected))
    if missing or extra:
        raise ImportRefused(
            f"weight names do not match the {model.name} model: "
            f"missing {missing or 'none'}; unexpected {extra or 'none'}"
        )
    wrong = [
        f"{k}: got {tuple(weights[k].shape)}, model has {tuple(v.shape)}"
        for k, v in expected.items()
        if tuple(weights[k].shape) != tuple(v.shape)
    ]
    if wrong:
        raise ImportRefused("weight shapes do not match: " + "; ".join(wrong))
    for key, var in expected.items():
        var.assign(np.asarray(weights[key], dtype=var.dtype))


def check_parity(model: tf.keras.Model, fixture: Mapping[str, np.ndarray], atol: float = PARITY_ATOL) -> float:
    """Max |Keras - fixture output| on the fixture input; raises ImportRefused above ``atol``."""
    if set(fixture) != {"input", "output"}:
        raise ImportRefused(f"parity fixture must hold exactly 'input' and 'output', got {sorted(fixture)}")
    x = np.asarray(fixture["input"], np.float32)
    expected = np.asarray(fixture["output"], np.float32)
    got = model(tf.constant(x), training=False).numpy()
    if got.shape != expected.shape:
        raise ImportRefused(f"parity: Keras output shape {got.shape} != fixture output shape {expected.shape}")
    diff = float(np.max(np.abs(got - expected)))
    if not diff <= atol:
        raise ImportRefused(
            f"refusing the import: Keras output differs from the fixture by up to {diff:.3g} (> {atol:g}); "
            "the weights were trained by a model that is not this architecture (layout, channel order or padding)"
        )
    return diff


def import_weights(
    weights: str | Path,
    config: str | Path,
    parity: str | Path,
    run_dir: str | Path,
    info: str | Path | None = None,
    log_csv: str | Path | None = None,
) -> dict[str, Any]:
    """Write ``run_dir`` (must not hold checkpoints yet) from imported weights; returns the pointer info.

    ``info`` (run.json of the GPU run) supplies the step, training time and validation numbers
    recorded with the checkpoints; ``log_csv`` is copied as the run's log.
    """
    from n2n_models.train import Trainer

    run_dir = Path(run_dir)
    if (run_dir / "checkpoints").exists() and any((run_dir / "checkpoints").glob("*.json")):
        raise FileExistsError(f"{run_dir} already has checkpoints; import into a new run directory")
    cfg = Config.load(config)
    meta: dict[str, Any] = json.loads(Path(info).read_text()) if info else {}
    with np.load(weights, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    with np.load(parity, allow_pickle=False) as z:
        fixture = {k: z[k] for k in z.files}

    trainer = Trainer(cfg, run_dir)
    set_weights(trainer.model, arrays)
    diff = check_parity(trainer.model, fixture)
    log.info("parity ok: max |Keras - imported output| = %.3g", diff)

    step = int(meta.get("step", 0))
    trainer.step.assign(step)
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg.save(run_dir / "config.yaml")
    if log_csv:
        shutil.copyfile(log_csv, run_dir / "log.csv")
    pointer_info = {
        "train_seconds": meta.get("train_seconds"),
        "best_psnr_model": meta.get("best_psnr_model"),
        "val_psnr_noisy": meta.get("val_psnr_noisy"),
        "val_psnr_model": meta.get("best_psnr_model", meta.get("val_psnr_model")),
        "val_set": meta.get("val_set"),
        "training_pixels": step * cfg.data.batch_size * cfg.data.patch_size**2,
        "imported": {
            "weights": str(Path(weights).resolve()),
            "parity_max_abs_diff": diff,
            "trained_with": {k: meta[k] for k in ("device", "torch", "amp", "megapixels_per_s") if k in meta},
        },
    }
    # The same weights serve as both checkpoints: the GPU run already chose its best.
    trainer.store.save("last", step, pointer_info)
    trainer.store.save("best", step, pointer_info)
    (run_dir / "import.json").write_text(json.dumps({"run": meta, **pointer_info}, indent=2, default=str) + "\n")
    return {"step": step, **pointer_info}


def zoo_weights(model_dir: str | Path) -> tuple[dict[str, np.ndarray], float]:
    """A zoo entry's weights in the npz layout, recovered from its frozen SavedModel, and their parity.

    The SavedModel holds each variable as a constant named after its layer (``<model>/<layer>_1/<op>/...``):
    the Keras model of the card's architecture takes them by layer name, and must then reproduce the
    SavedModel's output on a random input (else ImportRefused). This lets a GPU run warm-start from a shipped
    model (models/gpu: ``train.init_from``) although its run directory is long gone.
    """
    from tensorflow.core.protobuf import saved_model_pb2

    from n2n_models import archs
    from n2n_models.export import load_serving

    model_dir = Path(model_dir)
    card = json.loads((model_dir / "model.json").read_text())
    kwargs = json.loads((model_dir / "provenance.json").read_text())["config"]["model"].get("kwargs", {})
    model = archs.build(card["architecture"], card["channels"], **kwargs)
    graph = saved_model_pb2.SavedModel()
    graph.ParseFromString((model_dir / "saved_model" / "saved_model.pb").read_bytes())
    consts: dict[str, list[np.ndarray]] = {}
    for node in graph.meta_graphs[0].graph_def.node:
        parts = node.name.split("/")
        if node.op == "Const" and len(parts) >= 3 and "ReadVariableOp" in parts:
            layer = parts[1].removesuffix("_1")
            consts.setdefault(layer, []).append(tf.make_ndarray(node.attr["value"].tensor))
    weights: dict[str, np.ndarray] = {}
    for layer in model.layers:
        found = consts.get(layer.name, [])
        for w in layer.weights:
            matches = [a for a in found if a.shape == tuple(w.shape)]
            if len(matches) != 1:
                raise ImportRefused(
                    f"{model_dir}: no single constant of shape {tuple(w.shape)} for {layer.name}/{w.name}"
                )
            weights[f"{layer.name}/{w.name}"] = matches[0]
    set_weights(model, weights)
    _, serving = load_serving(model_dir / "saved_model")
    multiple = int(card["size_multiple"])
    x = np.random.default_rng(0).uniform(0, 1, (1, 2 * multiple, 2 * multiple, card["channels"])).astype(np.float32)
    fixture = {"input": x, "output": serving(input=tf.constant(x))["output"].numpy()}
    return weights, check_parity(model, fixture, atol=1e-5)
