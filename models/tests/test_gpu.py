"""models/gpu: the GPU machine has PyTorch but no TensorFlow, and shares the package's config and arch list."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import common  # models/gpu/common.py (pytest's pythonpath)
from n2n_models import arch_specs
from n2n_models.config import read_raw

MODELS = Path(__file__).resolve().parents[1]
GPU = MODELS / "gpu"
SRC = MODELS / "src"
GPU_MODULES = sorted(p.stem for p in GPU.glob("*.py"))
FORBIDDEN = ("tensorflow", "keras", "tf2onnx")

# Imports tensorflow and keras raise, as on the GPU machine; then imports every module given.
BLOCKED_IMPORT = """
import importlib, importlib.abc, sys
FORBIDDEN = {forbidden!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Block())
sys.path.insert(0, {gpu!r})
for module in sys.argv[1:]:
    importlib.import_module(module)
print("imported", *sys.argv[1:])
"""


def _imported_names(path: Path) -> set[str]:
    """Absolute module names ``path`` imports anywhere (also inside functions); for ``from X import Y``
    both X and X.Y, since Y may be a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _source_of(module: str) -> Path | None:
    """The file of a models/gpu module or an n2n_models module; None for anything else."""
    if module in GPU_MODULES:
        return GPU / f"{module}.py"
    if module.split(".")[0] == "n2n_models":
        base = SRC.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.exists():
                return candidate
    return None


@pytest.mark.parametrize("module", GPU_MODULES)
def test_no_gpu_module_imports_tensorflow_even_transitively(module: str) -> None:
    seen: set[Path] = set()
    todo = [GPU / f"{module}.py"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imported_names(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{module} imports {name} through {path.relative_to(MODELS)}"
            source = _source_of(name)
            if source is not None:
                todo.append(source)
    assert any(p.parent == SRC / "n2n_models" for p in seen) or module in ("src_path", "torch_archs")


def test_torch_free_gpu_modules_import_with_tensorflow_blocked():
    torch_free = ["common", "prepare_data", "src_path"]
    code = BLOCKED_IMPORT.format(forbidden=FORBIDDEN, gpu=str(GPU))
    run = subprocess.run([sys.executable, "-c", code, *torch_free], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["imported", *torch_free]
    # The blocker itself works: a package module that needs TensorFlow fails under it.
    run = subprocess.run([sys.executable, "-c", code, "n2n_models.train"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "blocked: tensorflow" in run.stderr


def test_torch_gpu_modules_import_with_tensorflow_blocked():
    """Runs where PyTorch is installed (the GPU machine, a developer's torch environment)."""
    pytest.importorskip("torch")
    torch_modules = ["torch_archs", "torch_noise", "selftest", "train_torch"]
    code = BLOCKED_IMPORT.format(forbidden=FORBIDDEN, gpu=str(GPU))
    run = subprocess.run([sys.executable, "-c", code, *torch_modules], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr


def test_every_architecture_has_a_torch_twin():
    tree = ast.parse((GPU / "torch_archs.py").read_text())
    twins = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "ARCHS"
    )
    assert isinstance(twins, ast.Dict)
    assert sorted(ast.literal_eval(key) for key in twins.keys if key is not None) == arch_specs.available()


def test_gpu_configs_load_with_the_package_loader():
    gpu_configs = sorted((GPU / "configs").glob("*.yaml"))
    assert gpu_configs
    for path in gpu_configs:
        cfg = common.load_config(read_raw(path))
        assert cfg.model.arch in arch_specs.available()
    with pytest.raises(ValueError, match="unknown"):
        common.load_config({"model": {"arch": "nope"}})
    with pytest.raises(ValueError, match="must be a multiple of 32"):
        common.load_config({"model": {"arch": "unet"}, "data": {"patch_size": 48}})
    with pytest.raises(ValueError, match="init_from on the GPU path must name an npz"):
        common.load_config({"train": {"init_from": "runs/elsewhere"}})
    with pytest.raises(ValueError, match="teacher"):
        common.load_config({"train": {"teacher": "models/gpu/carry/t.npz"}})
    cfg = common.load_config(
        {"train": {"init_from": "w.npz", "teacher": "t.npz", "teacher_arch": "unet", "target_noise": "gaussian,0,50"}}
    )
    assert cfg.train.mode == "distilled"
