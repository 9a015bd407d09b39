"""Command line: ``n2n-models train|export|evaluate|export-onnx|import-weights`` (also ``python -m n2n_models``)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path


def cmd_train(args: argparse.Namespace) -> int:
    from n2n_models.config import Config, apply_overrides, read_raw

    run_dir = Path(args.run_dir)
    if args.resume and (run_dir / "config.yaml").exists() and not args.config:
        raw = read_raw(run_dir / "config.yaml")
    elif args.config:
        raw = read_raw(args.config)
    else:
        raw = {}
    raw = apply_overrides(raw, args.set or [])
    if args.data_root:
        raw.setdefault("data", {})["data_root"] = args.data_root
    for opt, key in (
        ("steps", "steps"),
        ("max_minutes", "max_minutes"),
        ("target_noise", "target_noise"),
        ("source_noise", "source_noise"),
        ("loss", "loss"),
    ):
        if getattr(args, opt) is not None:
            raw.setdefault("train", {})[key] = getattr(args, opt)
    if args.arch:
        raw.setdefault("model", {})["arch"] = args.arch
    cfg = Config.from_dict(raw)

    from n2n_models.runtime import limit_threads

    limit_threads(cfg.train.threads)
    from n2n_models.train import Trainer

    result = Trainer(cfg, run_dir).fit(resume=args.resume)
    print(json.dumps(result, indent=2))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.export import export_run

    card = export_run(
        args.run_dir,
        args.out,
        name=args.name,
        which=args.which,
        interim=args.interim,
        notes=args.notes or "",
        data_root=args.data_root,
        only_if_better=args.only_if_better,
    )
    print(json.dumps(card.to_dict(), indent=2))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.evaluate import evaluate, format_table

    if not args.model_dir and not args.baselines:
        raise SystemExit("evaluate needs at least one --model-dir or --baselines")
    result = evaluate(
        args.model_dir or [],
        args.images,
        args.noise,
        seed=args.seed,
        limit=args.limit,
        quantize_input=not args.float_input,
        baselines=args.baselines.split(",") if args.baselines else [],
        tune_images=args.tune_images,
        channels=args.channels,
    )
    print(format_table(result))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


def cmd_crops(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.evaluate import crops_montage

    params = json.loads(Path(args.params_from).read_text())["tuning"] if args.params_from else {}
    box = tuple(int(v) for v in args.box.split(","))
    if len(box) != 4:
        raise SystemExit("--box expects X,Y,W,H")
    scores = crops_montage(
        args.model_dir or [],
        args.image,
        args.noise,
        box,
        args.out,
        baselines=args.baselines.split(",") if args.baselines else [],
        baseline_params={k: v["chosen"] for k, v in params.items()},
        seed=args.seed,
    )
    print(json.dumps(scores, indent=2))
    return 0


def cmd_curves(args: argparse.Namespace) -> int:
    from n2n_models.config import Config
    from n2n_models.curves import plot_runs

    runs = []
    for item in args.run:
        label, _, run_dir = item.rpartition("=")
        cfg = Config.load(Path(run_dir) / "config.yaml")
        runs.append((label or Path(run_dir).name, run_dir, cfg.data.batch_size * cfg.data.patch_size**2))
    print(plot_runs(runs, args.out, args.title or ""))
    return 0


def cmd_export_onnx(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.onnx_export import export_onnx

    print(json.dumps(export_onnx(args.model_dir, opset=args.opset), indent=2))
    return 0


def cmd_import_weights(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.import_weights import ImportRefused, import_weights

    weights = Path(args.weights)
    # The GPU run writes run.json and log.csv beside weights.npz; use them unless told otherwise.
    info = args.info or (weights.parent / "run.json" if (weights.parent / "run.json").exists() else None)
    log_csv = args.log or (weights.parent / "log.csv" if (weights.parent / "log.csv").exists() else None)
    try:
        result = import_weights(weights, args.config, args.parity, args.run_dir, info=info, log_csv=log_csv)
    except ImportRefused as exc:
        raise SystemExit(f"import-weights: {exc}") from None
    print(json.dumps(result, indent=2, default=str))
    return 0


def cmd_zoo_weights(args: argparse.Namespace) -> int:
    from n2n_models.runtime import limit_threads

    limit_threads(args.threads)
    from n2n_models.import_weights import ImportRefused, zoo_weights

    try:
        weights, diff = zoo_weights(args.model_dir)
    except ImportRefused as exc:
        raise SystemExit(f"zoo-weights: {exc}") from None
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    import numpy as np

    np.savez(args.out, **weights)
    # warm starts from these weights count the zoo model's budget (export reads this beside the npz)
    card = json.loads((Path(args.model_dir) / "model.json").read_text())
    origin = {k: card[k] for k in ("name", "architecture", "training_pixels", "training_steps")}
    origin["model"] = origin.pop("name")
    Path(args.out + ".json").write_text(json.dumps({**origin, "parity_max_abs_diff": diff}, indent=2) + "\n")
    print(json.dumps({"weights": args.out, "arrays": len(weights), "parity_max_abs_diff": diff}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="n2n-models", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train (or resume) a model into a run directory")
    t.add_argument("--config", help="YAML config (see configs/)")
    t.add_argument("--run-dir", required=True)
    t.add_argument("--resume", action="store_true", help="continue from the run's last checkpoint")
    t.add_argument("--data-root")
    t.add_argument("--arch")
    t.add_argument("--steps", type=int)
    t.add_argument("--max-minutes", type=float)
    t.add_argument("--source-noise")
    t.add_argument("--target-noise", help="'clean' for Noise2Clean")
    t.add_argument("--loss", choices=["l2", "l1", "l0"])
    t.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override any config value")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("export", help="export a run's checkpoint as a SavedModel + model.json")
    e.add_argument("--run-dir", required=True)
    e.add_argument("--out", required=True, help="zoo directory, e.g. zoo/gaussian")
    e.add_argument("--name")
    e.add_argument("--which", choices=["best", "last"], default="best")
    e.add_argument("--interim", action="store_true")
    e.add_argument("--notes")
    e.add_argument("--data-root", help="override the data root recorded in the run config")
    e.add_argument(
        "--only-if-better", action="store_true", help="keep an existing export unless the new validation PSNR is higher"
    )
    e.add_argument("--threads", type=int, default=1)
    e.set_defaults(func=cmd_export)

    v = sub.add_parser(
        "evaluate", help="PSNR/SSIM/MP/s of exported SavedModels and classical baselines on clean images + noise"
    )
    v.add_argument("--model-dir", action="append", help="zoo/<name> directory (repeatable)")
    v.add_argument("--images", required=True, help="folder of clean images")
    v.add_argument(
        "--noise",
        default="gaussian,25,25",
        help="a noise spec, or 'real': --images holds <id>_gt / <id>_noise pairs of real captures",
    )
    v.add_argument("--baselines", help="comma-separated: bm3d (gaussian/poisson, true sigma), nlm, median (tuned)")
    v.add_argument("--tune-images", help="held-out clean images to tune baseline settings on (first 4)")
    v.add_argument("--channels", type=int, choices=[1, 3], help="when no model is given (default 3)")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--limit", type=int, default=0)
    v.add_argument("--float-input", action="store_true", help="do not round/clip the noisy input to 8 bit")
    v.add_argument("--out", help="write the full result (per image, per method) as JSON")
    v.add_argument("--threads", type=int, default=1)
    v.set_defaults(func=cmd_evaluate)

    k = sub.add_parser("crops", help="PNG row of crops: clean, noisy, models, baselines (before/after figures)")
    k.add_argument("--model-dir", action="append")
    k.add_argument("--image", required=True)
    k.add_argument("--noise", default="gaussian,25,25")
    k.add_argument("--box", required=True, metavar="X,Y,W,H")
    k.add_argument("--baselines")
    k.add_argument("--params-from", help="an evaluate --out JSON whose tuned baseline settings to use")
    k.add_argument("--seed", type=int, default=0)
    k.add_argument("--out", required=True)
    k.add_argument("--threads", type=int, default=1)
    k.set_defaults(func=cmd_crops)

    c = sub.add_parser("curves", help="PNG of validation PSNR against training pixels for one or more runs")
    c.add_argument("--run", action="append", required=True, metavar="[LABEL=]RUN_DIR")
    c.add_argument("--out", required=True)
    c.add_argument("--title")
    c.set_defaults(func=cmd_curves)

    o = sub.add_parser("export-onnx", help="convert a zoo SavedModel to model.onnx (needs the 'onnx' extra)")
    o.add_argument("--model-dir", required=True, help="zoo/<name> directory")
    o.add_argument("--opset", type=int, default=17)
    o.add_argument("--threads", type=int, default=1)
    o.set_defaults(func=cmd_export_onnx)

    i = sub.add_parser(
        "import-weights", help="turn Keras-layout weights trained elsewhere (models/gpu) into a run directory"
    )
    i.add_argument("--weights", required=True, help="npz keyed <layer>/<weight>, conv kernels HWIO")
    i.add_argument("--config", required=True, help="the config the weights were trained with")
    i.add_argument("--parity", required=True, help="npz with 'input' and the producer's fp32 'output'")
    i.add_argument("--run-dir", required=True, help="new run directory (then: n2n-models export --run-dir ...)")
    i.add_argument("--info", help="run.json of the producing run (default: beside --weights)")
    i.add_argument("--log", help="log.csv of the producing run (default: beside --weights)")
    i.add_argument("--threads", type=int, default=1)
    i.set_defaults(func=cmd_import_weights)
    z = sub.add_parser(
        "zoo-weights", help="a zoo model's weights as npz (Keras layout), checked against its SavedModel (GPU runs)"
    )
    z.add_argument("--model-dir", required=True, help="zoo entry, e.g. zoo/gaussian")
    z.add_argument("--out", required=True, help="npz to write")
    z.add_argument("--threads", type=int, default=1)
    z.set_defaults(func=cmd_zoo_weights)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
