"""The typed model card against the Java worker's ``ModelCard`` record and the committed zoo."""

import json
import re
import typing
from dataclasses import fields
from pathlib import Path

import pytest

from n2n_models import card as card_module
from n2n_models.card import InputSpec, ModelCard, OutputSpec, Validation

REPO = Path(__file__).resolve().parents[2]
JAVA_CARD = REPO / "worker/src/main/java/io/noise2noise/worker/inference/ModelCard.java"
ZOO_CARDS = sorted((REPO / "models/zoo").glob("*/model.json"))

JAVA_TO_PYTHON = {"String": str, "int": int, "boolean": bool}


def java_components() -> dict[str, str]:
    """JSON name -> Java type of each component of ``record ModelCard(...)``."""
    source = JAVA_CARD.read_text()
    header = re.search(r"record\s+ModelCard\s*\((.*?)\)\s*\{", source, re.S)
    assert header, f"no record ModelCard(...) in {JAVA_CARD}"
    components = {}
    for part in header.group(1).split(","):
        m = re.fullmatch(r'\s*(?:@JsonProperty\("(\w+)"\)\s*)?(\w+)\s+(\w+)\s*', part)
        assert m, f"cannot parse record component {part!r}"
        json_name, java_type, java_name = m.groups()
        components[json_name or java_name] = java_type
    return components


def test_every_field_the_worker_reads_is_on_the_card_with_its_type():
    components = java_components()
    assert {"name", "size_multiple", "tile_overlap", "channels"} <= set(components)
    hints = typing.get_type_hints(ModelCard)
    for json_name, java_type in components.items():
        assert json_name in hints, f"Java ModelCard reads {json_name!r}, which the Python card does not write"
        assert hints[json_name] is JAVA_TO_PYTHON[java_type], (
            f"{json_name}: Java {java_type}, Python {hints[json_name]}"
        )


def test_tile_overlap_limit_matches_the_worker():
    m = re.search(r"MAX_TILE_OVERLAP\s*=\s*(\d+)\s*;", JAVA_CARD.read_text())
    assert m and int(m.group(1)) == card_module.MAX_TILE_OVERLAP


@pytest.mark.parametrize("path", ZOO_CARDS, ids=lambda p: p.parent.name)
def test_committed_zoo_cards_round_trip_through_the_typed_card(path):
    raw = json.loads(path.read_text())
    card = ModelCard.load(path)
    assert card.to_dict() == raw
    assert list(card.to_dict()) == list(raw)  # same key order, so a re-export keeps the file's layout


def test_card_rejects_what_the_worker_rejects():
    good = ModelCard.load(ZOO_CARDS[0]).to_dict()
    for key, value in (("channels", 2), ("size_multiple", 0), ("tile_overlap", -1), ("tile_overlap", 513)):
        with pytest.raises(ValueError, match=key):
            ModelCard.from_dict({**good, key: value})
    with pytest.raises(TypeError):
        ModelCard.from_dict({**good, "unknown_field": 1})


def test_defaults_are_the_worker_contract():
    assert InputSpec() == InputSpec(layout="NHWC", dtype="float32", range=[0, 1], tensor="input")
    assert OutputSpec().tensor == "output"
    assert [f.name for f in fields(Validation)] == ["set", "psnr_noisy", "psnr_model"]
