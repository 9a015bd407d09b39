import pytest

from n2n_models.config import Config


def test_yaml_round_trip(tmp_path):
    cfg = Config.from_dict({"name": "x", "model": {"arch": "unet"}, "train": {"lr": 1, "target_noise": "clean"}})
    assert cfg.train.lr == 1.0 and isinstance(cfg.train.lr, float)
    assert cfg.train.mode == "n2c"
    cfg.save(tmp_path / "c.yaml")
    again = Config.load(tmp_path / "c.yaml")
    assert again == cfg
    assert Config().validate().train.mode == "n2n"


@pytest.mark.parametrize(
    "raw",
    [
        {"bogus": {}},
        {"train": {"bogus": 1}},
        {"train": {"steps": "10"}},
        {"train": {"steps": 0}},
        {"train": {"loss": "l3"}},
        {"train": {"source_noise": "gaussian,5"}},
        {"train": {"quantize_source": 1}},
        {"model": {"arch": "nope"}},
        {"model": {"channels": 2}},
        {"data": {"patch_size": 4}},
        {"data": {"train_dirs": "train"}},
        {"data": {"val_noise": "pepper,1,2"}},
        {"name": "a/b"},
    ],
)
def test_invalid_configs_raise(raw):
    with pytest.raises(ValueError):
        Config.from_dict(raw)


def test_cli_help(capsys):
    import pytest

    from n2n_models.__main__ import main

    for cmd in ([], ["train"], ["export"], ["evaluate"]):
        with pytest.raises(SystemExit):
            main([*cmd, "--help"])
    assert "train" in capsys.readouterr().out


def test_every_committed_cpu_config_loads():
    from pathlib import Path

    configs = sorted((Path(__file__).resolve().parents[1] / "configs").glob("*.yaml"))
    assert configs
    for path in configs:
        cfg = Config.load(path)
        assert cfg.name == path.stem, f"{path.name}: name {cfg.name!r} should match the file (its run's folder)"


def test_set_overrides_parse_values_as_yaml():
    from n2n_models.config import apply_overrides

    raw = apply_overrides({"train": {"lr": 0.1}}, ["train.lr=0.002", "model.arch=unet", "data.train_dirs=[a, b]"])
    assert raw == {"train": {"lr": 2e-3}, "model": {"arch": "unet"}, "data": {"train_dirs": ["a", "b"]}}
    assert Config.from_dict(raw).data.train_dirs == ["a", "b"]
    for bad in ("train.lr", "lr=1"):
        with pytest.raises(SystemExit, match="SECTION.KEY=VALUE"):
            apply_overrides({}, [bad])


def test_patch_size_must_fit_the_architecture():
    with pytest.raises(ValueError, match="multiple of 32 for unet"):
        Config.from_dict({"model": {"arch": "unet"}, "data": {"patch_size": 48}})
    assert Config.from_dict({"model": {"arch": "fastdn"}, "data": {"patch_size": 48}}).data.patch_size == 48
