"""Export a trained run as a zoo entry: ``saved_model/`` + ``model.json`` (+ ``provenance.json``).

Contract with the Java worker: tag ``serve``, signature ``serving_default``, one float32 NHWC
input ``input`` ``[None, None, None, C]`` in [0, 1] (RGB for C=3), one output ``output`` of the same
shape on the [0, 1] scale (the worker clips). H and W must be multiples of ``size_multiple``
(the worker reflect-pads).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import platform
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from n2n_models import arch_specs
from n2n_models.card import InputSpec, ModelCard, OutputSpec, Validation
from n2n_models.config import Config
from n2n_models.train import denoise, load_trained, load_validation, read_pointer

log = logging.getLogger(__name__)

PARITY_ATOL = 1e-4


def save_serving(model: tf.keras.Model, channels: int, path: str | Path) -> None:
    """Writes the model as a SavedModel with its weights frozen into constants.

    Keras 3 variables saved by ``tf.saved_model.save`` restore under Python's object-graph loader but
    not under the C API's ``TF_LoadSessionFromSavedModel`` (which DJL's TensorFlow engine uses): the
    graph reads handles the restore op never initialises. A frozen graph has no variables to restore,
    so both loaders see the same function.
    """
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec([None, None, None, channels], tf.float32, name="input")
    concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(concrete)
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(frozen.graph.as_graph_def(), name="")
        inputs = {"input": graph.get_tensor_by_name(frozen.inputs[0].name)}
        outputs = {"output": graph.get_tensor_by_name(frozen.outputs[0].name)}
        with tf.compat.v1.Session(graph=graph) as session:
            builder = tf.compat.v1.saved_model.Builder(str(path))
            signature = tf.compat.v1.saved_model.signature_def_utils.predict_signature_def(inputs, outputs)
            builder.add_meta_graph_and_variables(
                session, ["serve"], signature_def_map={"serving_default": signature}, strip_default_attrs=True
            )
            builder.save()


def load_serving(path: str | Path):
    """The ``serving_default`` concrete function of a SavedModel, as the worker would use it."""
    loaded = tf.saved_model.load(str(path), tags=["serve"])
    fn = loaded.signatures["serving_default"]
    return loaded, fn


def check_signature(fn, channels: int) -> None:
    _, kwargs = fn.structured_input_signature
    if list(kwargs) != ["input"]:
        raise AssertionError(f"signature inputs are {list(kwargs)}, expected ['input']")
    spec = kwargs["input"]
    if spec.dtype != tf.float32 or spec.shape.as_list() != [None, None, None, channels]:
        raise AssertionError(f"input spec {spec} != float32 [None, None, None, {channels}]")
    if list(fn.structured_outputs) != ["output"]:
        raise AssertionError(f"signature outputs are {list(fn.structured_outputs)}, expected ['output']")


def parity(model: tf.keras.Model, fn, channels: int, multiple: int, seed: int = 0) -> float:
    """Max |SavedModel - Keras| over random inputs of a few (padded-to-multiple) sizes."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for h, w in ((37, 53), (64, 48), (129, 70)):
        h += (-h) % multiple
        w += (-w) % multiple
        x = rng.random((1, h, w, channels), dtype=np.float32)
        a = model(tf.constant(x), training=False).numpy()
        b = fn(input=tf.constant(x))["output"].numpy()
        if a.shape != b.shape:
            raise AssertionError(f"shape mismatch {a.shape} vs {b.shape}")
        worst = max(worst, float(np.max(np.abs(a - b))))
    return worst


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def export_run(
    run_dir: str | Path,
    out: str | Path,
    name: str | None = None,
    which: str = "best",
    interim: bool = False,
    notes: str = "",
    data_root: str | None = None,
    only_if_better: bool = False,
) -> ModelCard:
    """Export ``which`` checkpoint of ``run_dir`` into zoo directory ``out``; returns the card."""
    run_dir, out = Path(run_dir), Path(out)
    cfg, model, info = load_trained(run_dir, which)
    warm_start = warm_start_chain(cfg)
    if data_root:
        cfg.data.data_root = data_root
    name = name or out.name
    c = cfg.model.channels
    multiple = arch_specs.size_multiple(cfg.model.arch)

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_serving(model, c, tmp / "saved_model")
    _, fn = load_serving(tmp / "saved_model")
    check_signature(fn, c)
    max_diff = parity(model, fn, c, multiple)
    if max_diff > PARITY_ATOL:
        raise AssertionError(f"SavedModel/Keras parity failed: max |diff| {max_diff:.3g} > {PARITY_ATOL}")
    log.info("parity ok: max |SavedModel - Keras| = %.3g", max_diff)

    # Validation numbers come from the exported SavedModel itself.
    validation = Validation()
    try:
        val = load_validation(cfg)
    except FileNotFoundError as exc:
        log.warning("validation images unavailable (%s); card has no PSNR", exc)
        val = None
    if val is not None:
        predict = lambda x: fn(input=x)["output"]  # noqa: E731
        scores = [_psnr(cl, denoise(predict, n, multiple)) for cl, n in zip(val.clean, val.noisy, strict=True)]
        validation = Validation(
            set=val.describe(cfg.data.val_dir)
            + (", noisy input rounded/clipped to 8 bit" if cfg.train.quantize_source else ""),
            psnr_noisy=round(val.psnr_noisy, 3),
            psnr_model=round(float(np.mean(scores)), 3),
        )

    if only_if_better and (out / "model.json").exists():
        old = ModelCard.load(out / "model.json")
        old_psnr = old.validation.psnr_model
        if old.validation.set != validation.set:
            shutil.rmtree(tmp)
            raise ValueError(f"--only-if-better: {out} was validated on a different set; cannot compare")
        if old_psnr is not None and validation.psnr_model is not None and validation.psnr_model <= old_psnr:
            shutil.rmtree(tmp)
            log.info("kept existing %s: %.3f dB >= new %.3f dB", out, old_psnr, validation.psnr_model)
            return old

    step = int(info["step"])
    own_pixels = step * cfg.data.batch_size * cfg.data.patch_size**2
    card = ModelCard(
        name=name,
        architecture=cfg.model.arch,
        channels=c,
        size_multiple=multiple,
        tile_overlap=arch_specs.tile_overlap(cfg.model.arch),
        input=InputSpec(),
        output=OutputSpec(),
        noise=cfg.train.source_noise,
        target_noise=cfg.train.target_noise,
        training=cfg.train.mode,
        training_pixels=own_pixels + sum(entry["training_pixels"] for entry in warm_start),
        training_steps=step,
        patch_size=cfg.data.patch_size,
        batch_size=cfg.data.batch_size,
        validation=validation,
        parameters=int(model.count_params()),
        interim=bool(interim),
        notes=notes,
    )
    provenance = {
        "run_dir": str(run_dir),
        "checkpoint": which,
        "checkpoint_info": info,
        "warm_start": warm_start,
        "config": cfg.to_dict(),
        "tensorflow": tf.__version__,
        "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else None,
        "exported_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "parity_max_abs_diff": max_diff,
    }
    card.save(tmp / "model.json")
    (tmp / "provenance.json").write_text(json.dumps(provenance, indent=2, default=str) + "\n")
    old_dir = out.with_name(f".{out.name}.old")
    shutil.rmtree(old_dir, ignore_errors=True)
    if out.exists():
        os.replace(out, old_dir)
    os.replace(tmp, out)
    shutil.rmtree(old_dir, ignore_errors=True)
    return card


REPO_ROOT = Path(__file__).resolve().parents[3]


def warm_start_chain(cfg: Config) -> list[dict[str, Any]]:
    """The runs whose best weights this run started from (``train.init_from``, then theirs), nearest
    first, each with the step and training pixels of that best checkpoint (and, for imported weights,
    where they were trained): a warm-started model's training budget is its own pixels plus theirs."""
    chain: list[dict[str, Any]] = []
    source = cfg.train.init_from
    while source:
        if source.endswith(".npz"):
            # weights recovered from a zoo model (`n2n-models zoo-weights`): its card gave the budget
            chain.append(zoo_weights_origin(Path(source)))
            break
        run = Path(source)
        if any(entry["run"] == str(run) for entry in chain):
            raise ValueError(f"warm-start chain loops back to {run}")
        best = read_pointer(run / "checkpoints", "best")
        if best is None or not (run / "config.yaml").exists():
            raise ValueError(
                f"this run was warm-started from {run}, which is not here (no best checkpoint and config); its "
                "training budget counts that run's pixels, so export where the run is"
            )
        source = Config.load(run / "config.yaml").train.init_from
        entry = {"run": str(run), "step": int(best["step"]), "training_pixels": int(best["training_pixels"])}
        if "imported" in best:
            entry["imported"] = best["imported"]  # trained elsewhere (import-weights): device, weights, parity
        chain.append(entry)
    return chain


def zoo_weights_origin(npz: Path) -> dict[str, Any]:
    """What ``n2n-models zoo-weights`` recorded beside an npz: the zoo model's name and training budget."""
    if not npz.is_absolute():
        npz = REPO_ROOT / npz  # GPU configs name their files from the repository root (models/gpu/run.sh runs there)
    sidecar = npz.with_name(npz.name + ".json")
    if not sidecar.exists():
        raise ValueError(f"this run started from {npz}, whose origin ({sidecar}) is not here; export where it is")
    origin = json.loads(sidecar.read_text())
    return {
        "run": str(npz),
        "zoo_model": origin["model"],
        "step": int(origin["training_steps"]),
        "training_pixels": int(origin["training_pixels"]),
    }


def _psnr(clean: np.ndarray, test: np.ndarray) -> float:
    from n2n_models.metrics import psnr

    return psnr(clean, test)
