"""Each part of a model kind registers where it is written, and the tables callers read are
gathered from those modules: a part whose registration is missing, or registered under a
name no kind has, fails here."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from flopbook.cli import COMMANDS
from flopbook.formula.declaration import Kind
from flopbook.model_file import READERS
from flopbook.models.registry import DOC_PAGES, KINDS
from flopbook.registered import Gathered
from flopbook.report.kinds import BLOCKS, CHARTS
from flopbook.report.uncertainty import UNCERTAINTY


def _declared_kinds() -> set[Kind]:
    """Every Kind a module of flopbook.models holds at its top."""
    found = set()
    for name in Gathered("KINDS", "flopbook.models.*").modules():
        module = importlib.import_module(name)
        found |= {v for v in vars(module).values() if isinstance(v, Kind)}
    return found


def test_every_declared_kind_is_registered():
    missing = {k.name for k in _declared_kinds()} - set(KINDS)
    assert not missing, f"add KINDS = (...) beside the declaration of {sorted(missing)}"
    assert all(KINDS[k].name == k for k in KINDS)


@pytest.mark.parametrize(
    "table", [READERS, BLOCKS, CHARTS, UNCERTAINTY, DOC_PAGES], ids=lambda t: t.name
)
def test_a_registration_names_a_kind(table):
    # a verdict's block and uncertainty are its own; every other key is a declared kind
    unknown = set(table) - set(KINDS)
    assert not unknown, f"{table.name} registers kinds no module declares: {sorted(unknown)}"


def test_a_kind_with_a_reader_of_its_own_has_a_block_and_a_sensitivity():
    # a file of it is read by its reader, so neither its block nor its sensitivity can be
    # the declared one (laid out from, or rerunning, its declaration alone)
    for kind in READERS:
        assert kind in BLOCKS, f"report/<kind>.py registers no BLOCKS for {kind}"
        assert kind in UNCERTAINTY, f"report/<kind>.py registers no UNCERTAINTY for {kind}"


def test_a_kind_with_a_command_of_its_own_has_that_command_and_a_reader():
    for name, kind in KINDS.items():
        if kind.command is not None:
            assert kind.command in COMMANDS, f"{name} names the command {kind.command}"
            assert name in READERS, f"{name} has a command of its own but no reader"


def test_the_kinds_a_command_refuses_are_sent_to_their_command(tmp_path):
    from flopbook.errors import InputError
    from flopbook.models.registry import refuse_other_kinds
    from flopbook.scenario import Document

    for name, kind in KINDS.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"kind: {name}\n")
        doc = Document.read(path)
        if kind.command in (None, "fleet"):
            refuse_other_kinds(doc, "fleet")  # a declared kind's file is not refused
            continue
        with pytest.raises(InputError, match=f"run: flopbook {kind.command} "):
            refuse_other_kinds(doc, "fleet")


def test_two_modules_registering_one_kind_are_refused(tmp_path, monkeypatch):
    package = tmp_path / "kinds_twice"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("TABLE = {'x': object()}\n")
    (package / "b.py").write_text("TABLE = {'x': object()}\n")
    (package / "c.py").write_text("TABLE = {'y': 1}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(RuntimeError, match=r"'x' is registered by kinds_twice\.a and by"):
            dict(Gathered("TABLE", "kinds_twice.*"))
        assert dict(Gathered("TABLE", "kinds_twice.c*")) == {"y": 1}
    finally:
        for name in [n for n in sys.modules if n.startswith("kinds_twice")]:
            del sys.modules[name]


def test_the_gathered_modules_are_found_by_name():
    modules = Gathered("READERS", "flopbook.*_file").modules()
    assert {"flopbook.fleet_file", "flopbook.payer_file", "flopbook.workload_file"} <= set(modules)
    assert all(Path(m.replace(".", "/")).name.endswith("_file") for m in modules)
