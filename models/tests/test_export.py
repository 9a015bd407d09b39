import json
import shutil

import numpy as np
import pytest
import tensorflow as tf

from conftest import tiny_config
from n2n_models.__main__ import main
from n2n_models.train import Trainer

CARD_KEYS = {
    "name",
    "architecture",
    "channels",
    "size_multiple",
    "tile_overlap",
    "input",
    "output",
    "noise",
    "target_noise",
    "training",
    "training_pixels",
    "training_steps",
    "patch_size",
    "batch_size",
    "validation",
    "parameters",
    "interim",
    "notes",
}


def _exported(data_root, tmp_path, name):
    """A tiny run (2 steps) exported to ``tmp_path/zoo/<name>``: (run dir, zoo dir)."""
    run = tmp_path / "run"
    Trainer(tiny_config(data_root, steps=2, ckpt_every=1), run).fit()
    out = tmp_path / "zoo" / name
    main(["export", "--run-dir", str(run), "--out", str(out)])
    return run, out


def test_export_contract_and_parity(data_root, tmp_path):
    run = tmp_path / "run"
    Trainer(tiny_config(data_root, steps=6), run).fit()
    out = tmp_path / "zoo" / "tiny-model"
    assert main(["export", "--run-dir", str(run), "--out", str(out), "--interim", "--notes", "test"]) == 0

    card = json.loads((out / "model.json").read_text())
    assert set(card) == CARD_KEYS
    assert card["input"] == {"layout": "NHWC", "dtype": "float32", "range": [0, 1], "tensor": "input"}
    assert card["output"] == {"tensor": "output"}
    assert card["architecture"] == "fastdn" and card["size_multiple"] == 2 and card["channels"] == 3
    assert card["tile_overlap"] == 32
    assert card["training"] == "n2c" and card["target_noise"] == "clean" and card["interim"] is True
    assert card["training_steps"] == 6 and card["training_pixels"] == 6 * 8 * 32 * 32
    assert set(card["validation"]) == {"set", "psnr_noisy", "psnr_model"}
    assert card["validation"]["psnr_model"] is not None

    loaded = tf.saved_model.load(str(out / "saved_model"), tags=["serve"])
    fn = loaded.signatures["serving_default"]
    _, kwargs = fn.structured_input_signature
    assert list(kwargs) == ["input"]
    assert kwargs["input"].shape.as_list() == [None, None, None, 3] and kwargs["input"].dtype == tf.float32
    assert list(fn.structured_outputs) == ["output"]

    # Parity with the Keras model restored from the same checkpoint, on a non-square input.
    from n2n_models.train import load_trained

    _, model, _ = load_trained(run, "best")
    x = np.random.default_rng(0).random((2, 38, 52, 3), dtype=np.float32)
    np.testing.assert_allclose(fn(input=tf.constant(x))["output"].numpy(), model(x, training=False).numpy(), atol=1e-5)

    # Re-export with --only-if-better keeps the existing model when it is not better.
    before = (out / "model.json").read_text()
    assert main(["export", "--run-dir", str(run), "--out", str(out), "--only-if-better"]) == 0
    assert (out / "model.json").read_text() == before


def test_evaluate_cli(data_root, tmp_path, capsys):
    _, out = _exported(data_root, tmp_path, "m")
    capsys.readouterr()
    report = tmp_path / "eval.json"
    assert (
        main(
            [
                "evaluate",
                "--model-dir",
                str(out),
                "--images",
                str(data_root / "val"),
                "--baselines",
                "nlm",
                "--tune-images",
                str(data_root / "train"),
                "--out",
                str(report),
            ]
        )
        == 0
    )
    table = capsys.readouterr().out
    result = json.loads(report.read_text())
    assert result["count"] == 2 and list(result["methods"]) == ["noisy", "m", "nlm"]
    assert [row["image"] for row in result["per_image"]] == ["val0.png", "val1.png"]
    assert result["methods"]["noisy"]["psnr"] > 15
    assert result["methods"]["nlm"]["psnr"] > result["methods"]["noisy"]["psnr"] + 3
    assert result["tuning"]["nlm"]["chosen"] == result["methods"]["nlm"]["params"]
    assert "mean" in table and "val1.png" in table


def test_export_loads_in_a_v1_session_like_the_c_api(data_root, tmp_path):
    """DJL loads SavedModels through TF's C API (session + signature tensors); do the same here."""
    run, out = _exported(data_root, tmp_path, "v1")
    from n2n_models.train import load_trained

    _, model, _ = load_trained(run, "best")
    x = np.random.default_rng(3).random((1, 30, 46, 3), dtype=np.float32)
    expected = model(x, training=False).numpy()
    graph = tf.Graph()
    with tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(out / "saved_model"))
        sig = meta.signature_def["serving_default"]
        assert list(sig.inputs) == ["input"] and list(sig.outputs) == ["output"]
        got = session.run(sig.outputs["output"].name, feed_dict={sig.inputs["input"].name: x})
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_crops_cli_writes_a_labelled_montage(data_root, tmp_path, capsys):
    from PIL import Image

    _, model = _exported(data_root, tmp_path, "m")
    capsys.readouterr()
    out = tmp_path / "crops.png"
    assert (
        main(
            [
                "crops",
                "--model-dir",
                str(model),
                "--image",
                str(data_root / "val" / "val0.png"),
                "--box",
                "4,4,24,20",
                "--baselines",
                "median,nlm",
                "--noise",
                "gaussian,25,25",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    scores = json.loads(capsys.readouterr().out)
    assert list(scores) == ["noisy", "m", "nlm"]  # median is not meant for Gaussian noise
    montage = Image.open(out)
    assert montage.size == (4 * 48 + 3 * 4, 40 + 18)


def test_crops_of_a_real_photo_show_it_and_each_method_without_a_reference(data_root, tmp_path, capsys):
    from PIL import Image

    _, model = _exported(data_root, tmp_path, "m")
    out = tmp_path / "real-crops.png"
    args = ["crops", "--model-dir", str(model), "--image", str(data_root / "val" / "val0.png"), "--box", "4,4,24,20"]
    capsys.readouterr()
    assert main([*args, "--baselines", "nlm", "--noise", "real", "--out", str(out)]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert list(scores) == ["estimated_sigma"] and scores["estimated_sigma"] >= 0
    with Image.open(out) as montage:
        assert montage.size == (3 * 48 + 2 * 4, 40 + 18)  # noisy, the model, blind NLM


def test_evaluate_on_real_noisy_pairs(data_root, tmp_path, capsys):
    from PIL import Image

    _, model = _exported(data_root, tmp_path, "m")
    real = tmp_path / "real"
    real.mkdir()
    rng = np.random.default_rng(3)
    for i in range(2):
        gt = np.asarray(Image.open(data_root / "val" / f"val{i}.png"))
        Image.fromarray(gt).save(real / f"0{i}_gt.png")
        noisy = np.clip(np.rint(gt + rng.normal(0, 10, gt.shape)), 0, 255).astype(np.uint8)
        Image.fromarray(noisy).save(real / f"0{i}_noise.png")
    capsys.readouterr()
    report = tmp_path / "real.json"
    assert (
        main(["evaluate", "--model-dir", str(model), "--images", str(real), "--noise", "real", "--out", str(report)])
        == 0
    )
    result = json.loads(report.read_text())
    assert [row["image"] for row in result["per_image"]] == ["00.png", "01.png"]
    assert 25 < result["methods"]["noisy"]["psnr"] < 31  # sigma 10 -> about 28 dB
    import pytest

    # on real noise the baselines run blind, sigma estimated per image (here about the 10 it was made with)
    blind = tmp_path / "blind.json"
    args = ["evaluate", "--images", str(real), "--noise", "real", "--baselines", "nlm,bm3d", "--out", str(blind)]
    assert main(args) == 0
    methods = json.loads(blind.read_text())["methods"]
    assert list(methods) == ["noisy", "nlm-blind", "bm3d-blind"]
    assert methods["bm3d-blind"]["psnr"] > methods["noisy"]["psnr"] + 3
    with pytest.raises(ValueError, match="only bm3d, nlm run"):
        main(["evaluate", "--model-dir", str(model), "--images", str(real), "--noise", "real", "--baselines", "median"])


def test_a_warm_started_models_budget_counts_the_run_it_started_from(data_root, tmp_path):
    base = tmp_path / "base"
    Trainer(tiny_config(data_root, steps=4, ckpt_every=2), base).fit()
    warm = tmp_path / "warm"
    Trainer(tiny_config(data_root, steps=2, ckpt_every=1, init_from=str(base)), warm).fit()
    out = tmp_path / "zoo" / "warm"

    assert main(["export", "--run-dir", str(warm), "--out", str(out)]) == 0

    card = json.loads((out / "model.json").read_text())
    base_best = json.loads((base / "checkpoints" / "best.json").read_text())
    assert card["training_steps"] == json.loads((warm / "checkpoints" / "best.json").read_text())["step"]
    assert card["training_pixels"] == (card["training_steps"] + base_best["step"]) * 8 * 32 * 32
    chain = json.loads((out / "provenance.json").read_text())["warm_start"]
    assert chain == [{"run": str(base), "step": base_best["step"], "training_pixels": base_best["training_pixels"]}]

    shutil.rmtree(base)
    with pytest.raises(ValueError, match="warm-started from"):
        main(["export", "--run-dir", str(warm), "--out", str(tmp_path / "zoo" / "again")])
