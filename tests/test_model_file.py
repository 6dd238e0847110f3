"""One reader for a scenario file of any kind, keyed on its kind: (none: a fleet)."""

from pathlib import Path

import pytest

from conftest import ROOT
from flopbook.errors import InputError
from flopbook.model_file import read_model

EXAMPLES = ROOT / "examples"


@pytest.mark.parametrize(
    ("name", "kind", "cls"),
    [
        ("fleet.yaml", "fleet", "Fleet"),
        ("training.yaml", "training", "Training"),
        ("inference.yaml", "inference", "Inference"),
        ("high-flyer.yaml", "fund", "Fund"),
        ("company.yaml", "company", "Company"),
    ],
)
def test_each_kind_is_read_by_its_reader(name, kind, cls):
    got, model = read_model(EXAMPLES / name)
    assert (got, type(model).__name__) == (kind, cls)


def test_a_fleet_may_say_its_kind(tmp_path: Path):
    text = (EXAMPLES / "fleet.yaml").read_text()
    with_kind = tmp_path / "fleet.yaml"
    with_kind.write_text("kind: fleet\n" + text)
    kind, fleet = read_model(with_kind)
    _, plain = read_model(EXAMPLES / "fleet.yaml")
    assert kind == "fleet" and len(fleet.skus) == len(plain.skus)


def test_an_unknown_kind_is_one_line_naming_the_nearest(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: trainng\nname: x\n")
    with pytest.raises(InputError, match="unknown kind 'trainng'") as err:
        read_model(bad)
    assert "training" in str(err.value) and err.value.line == 1
