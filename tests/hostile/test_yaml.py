"""Hostile YAML: each file is refused with one line, quickly, whatever reads it."""

from __future__ import annotations

import os

import pytest

from flopbook import safe_yaml
from flopbook.errors import InputError
from flopbook.scenario import Document


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    text = "l0: &l0 [" + ",".join(["x"] * width) + "]\n"
    for i in range(1, levels + 1):
        text += f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * width) + "]\n"
    return text


BOMBS = {
    "alias bomb under 1 KB": (_alias_bomb(), "aliases are expanded"),
    "alias bomb of mappings": (
        "a: &a {x: 1, y: 2, z: 3}\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} {{"
            + ", ".join(f"k{j}: *{chr(97 + i)}" for j in range(9))
            + "}\n"
            for i in range(9)
        ),
        "aliases are expanded",
    ),
    "too many aliases": ("a: &a 1\nb: [" + ",".join(["*a"] * 1500) + "]\n", "aliases"),
    "flow lists 500 deep": ("x: " + "[" * 500 + "]" * 500 + "\n", "levels deep"),
    "block mappings 200 deep": (
        "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n",
        "levels deep",
    ),
    "integer of 5,001 digits": ("count: " + "9" * 5001 + "\n", "digits"),
    "key given twice": ("name: a\nname: b\n", "given twice"),
    "undefined alias": ("a: *nothing\n", "not valid YAML"),
    "tab indentation": ("a:\n\tb: 1\n", "not valid YAML"),
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", list(BOMBS))
def test_hostile_yaml_is_refused_in_one_line(name: str) -> None:
    text, words = BOMBS[name]
    with pytest.raises(InputError) as err:
        Document(text, "bomb.yaml")
    message = str(err.value)
    assert words in message and "\n" not in message and message.startswith("bomb.yaml")
    assert len(message) < 200


def test_aliases_within_budget_still_work() -> None:
    data = safe_yaml.load("x: &x {a: 1}\ny: [*x, *x]\n", "ok.yaml")
    assert data == {"x": {"a": 1}, "y": [{"a": 1}, {"a": 1}]}


def test_dates_stay_text() -> None:
    assert safe_yaml.load("when: 2025-01-31\n", "d.yaml") == {"when": "2025-01-31"}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "oversized", "missing"])
def test_only_regular_files_of_bounded_size_are_read(tmp_path, kind: str) -> None:
    path = tmp_path / "input.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
    elif kind == "folder":
        path.mkdir()
    elif kind == "oversized":
        path.write_text("#" * (safe_yaml.MAX_BYTES + 1))
    with pytest.raises(InputError) as err:
        Document.read(path)
    assert str(path) in str(err.value)
