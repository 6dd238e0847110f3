"""Hostile YAML given to every command that reads YAML: one line, exit 2, at once."""

from __future__ import annotations

import os

import pytest

from hostile.test_yaml import BOMBS

COMMANDS = {
    "fleet": ("fleet", "{file}", "--samples", "200"),
    "workload": ("workload", "{file}", "--samples", "200"),
    "fund": ("fund", "{file}", "--capex", "1B USD", "--samples", "200"),
    "check": ("check", "{file}", "--samples", "200"),
    "report": (
        "report",
        "{file}",
        "--html",
        "page.html",
        "--xlsx",
        "book.xlsx",
        "--samples",
        "200",
    ),
}

FILES = {
    **{name: text.encode() for name, (text, _) in BOMBS.items()},
    "not UTF-8": b"name: \xff\xfe caf\xe9\n",
    "empty": b"",
    "a list at the top": b"- 1\n- 2\n",
    "a zip file": b"PK\x03\x04" + b"\0" * 40,
    "5 MiB of comments": b"#" * (5 << 20),
    "a NUL byte": b"name: a\x00b\n",
    "a 200 kB key": b"k" * 200_000 + b": 1\n",
}
SPECIAL = ("a FIFO", "/dev/zero", "a folder", "no such file")


def _path(flopbook, name: str):  # noqa: ANN001, ANN202
    if name == "a FIFO":
        path = flopbook.inputs / "pipe.yaml"
        os.mkfifo(path)
        return path
    if name == "/dev/zero":
        return "/dev/zero"
    if name == "a folder":
        path = flopbook.inputs / "folder.yaml"
        path.mkdir()
        return path
    if name == "no such file":
        return flopbook.inputs / "missing.yaml"
    return flopbook.write("input.yaml", FILES[name])


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", [*FILES, *SPECIAL])
def test_every_yaml_reader_refuses_hostile_files(flopbook, command: str, name: str) -> None:
    path = _path(flopbook, name)
    args = [str(path) if a == "{file}" else a for a in COMMANDS[command]]
    flopbook.run(*args, expect=2)
