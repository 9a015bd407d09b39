"""The model card (``model.json``) of a zoo entry: what the Java worker reads, plus provenance for people.

The worker's ``io.noise2noise.worker.inference.ModelCard`` reads a subset of these fields
(tests/test_card.py keeps the two in step) and rejects cards outside the limits checked here.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# ModelCard.MAX_TILE_OVERLAP on the Java side.
MAX_TILE_OVERLAP = 512


@dataclass(frozen=True)
class InputSpec:
    layout: str = "NHWC"
    dtype: str = "float32"
    range: list[int] = field(default_factory=lambda: [0, 1])
    tensor: str = "input"


@dataclass(frozen=True)
class OutputSpec:
    tensor: str = "output"


@dataclass(frozen=True)
class Validation:
    """PSNR of the exported model on the held-out set it was checked on (all None without one)."""

    set: str | None = None
    psnr_noisy: float | None = None
    psnr_model: float | None = None


@dataclass(frozen=True)
class ModelCard:
    name: str
    architecture: str
    channels: int
    size_multiple: int
    tile_overlap: int
    input: InputSpec
    output: OutputSpec
    noise: str
    target_noise: str
    training: str
    training_pixels: int
    training_steps: int
    patch_size: int
    batch_size: int
    validation: Validation
    parameters: int
    interim: bool
    notes: str

    def __post_init__(self) -> None:
        # The worker refuses a card outside these limits; fail at export rather than at deployment.
        if self.channels not in (1, 3):
            raise ValueError(f"model card {self.name}: channels must be 1 or 3, was {self.channels}")
        if self.size_multiple < 1:
            raise ValueError(f"model card {self.name}: size_multiple must be at least 1, was {self.size_multiple}")
        if not 0 <= self.tile_overlap <= MAX_TILE_OVERLAP:
            raise ValueError(
                f"model card {self.name}: tile_overlap must be 0..{MAX_TILE_OVERLAP}, was {self.tile_overlap}"
            )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelCard:
        return cls(
            **{
                **raw,
                "input": InputSpec(**raw["input"]),
                "output": OutputSpec(**raw["output"]),
                "validation": Validation(**raw["validation"]),
            }
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ModelCard:
        return cls.from_dict(json.loads(Path(path).read_text()))
