"""The hostile-input suite's harness: run a command in this process and check what every
case must hold, whatever the input.

Each case names the exit code it expects (2 for bad input, 1 for audit findings, 0 for a
hostile-looking input that is in fact fine) and is checked for:

- no traceback and no "Exception ignored" noise on stderr, and an error in one line;
- the run finishing under a generous time limit (a timeout, not a timing assertion);
- input bytes unchanged;
- no partial output: no temporary file left, and no new file at all when the run fails;
- no file opened whose name holds ``tripwire`` (an audit hook watches every open);
- no formula in a text cell of any CSV or workbook the run wrote.

Everything hostile is generated at run time in a temporary folder; nothing big is committed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

TIME_LIMIT = 120  # seconds for one case: generous, to catch a hang, not to time anything

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_OPENED: list[str] = []


def _watch_opens(event: str, args: tuple) -> None:
    if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        name = os.fsdecode(args[0])
        if "tripwire" in name:
            _OPENED.append(name)


sys.addaudithook(_watch_opens)  # hooks cannot be removed; this one only records names


def tripwire_opens() -> list[str]:
    """The paths holding ``tripwire`` opened so far in this process."""
    return list(_OPENED)


@dataclass
class Ran:
    code: int
    out: str
    err: str


def _snapshot(folder: Path) -> dict[str, str]:
    found = {}
    for p in folder.rglob("*"):
        if p.is_file() and not p.is_symlink():
            found[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


class Runner:
    """Runs ``flopbook ARGS`` in this process with its inputs in ``inputs`` and its outputs
    in ``outputs``, and checks every case's invariants."""

    def __init__(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.inputs = tmp_path / "in"
        self.outputs = tmp_path / "out"
        self.inputs.mkdir()
        self.outputs.mkdir()
        self.capsys, self.monkeypatch = capsys, monkeypatch
        monkeypatch.chdir(self.outputs)
        monkeypatch.setenv("COLUMNS", "200")

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.inputs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def run(self, *args: object, expect: int | Iterable[int], outputs: Path | None = None) -> Ran:
        from flopbook.cli import main

        expected = {expect} if isinstance(expect, int) else set(expect)
        out_dir = outputs or self.outputs
        inputs_before = _snapshot(self.inputs)
        outputs_before = _snapshot(out_dir)
        opened_before = len(_OPENED)  # after the snapshots, which read every input
        self.capsys.readouterr()
        self.monkeypatch.setattr(sys, "argv", ["flopbook", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = self.capsys.readouterr()
        opened = _OPENED[opened_before:]
        ran = Ran(code, out, err)
        shown = (
            f"flopbook {' '.join(map(str, args))[:300]}\nstdout: {out[-800:]}\nstderr: {err[-800:]}"
        )
        assert code in expected, f"exit {code}, expected {sorted(expected)}\n{shown}"
        assert "Traceback" not in err and "Exception ignored" not in err, shown
        if code in (2, 3):
            lines = [ln for ln in err.splitlines() if ln.startswith("flopbook: error:")]
            assert len(lines) == 1, shown
            assert len(lines[0]) < 600, f"an error of {len(lines[0])} characters\n{shown}"
        assert opened == [], f"opened {opened}\n{shown}"
        assert _snapshot(self.inputs) == inputs_before, f"an input was changed\n{shown}"
        after = _snapshot(out_dir)
        leftovers = [n for n in after if n.endswith(".part") or ".flopbook-probe-" in n]
        assert not leftovers, f"temporary files left: {leftovers}\n{shown}"
        if code not in (0, 1):
            assert after == outputs_before, (
                f"output written by a failed run: {sorted(set(after) - set(outputs_before))}"
                f"\n{shown}"
            )
            made = [p for p in out_dir.rglob("*") if p.is_dir() and not any(p.iterdir())]
            assert not made, f"empty folders left by a failed run: {made}\n{shown}"
        for name in set(after) - set(outputs_before):
            check_no_formula_text(out_dir / name)
        if "csv" in map(str, args):
            check_csv_text(out)
        return ran


def check_csv_text(text: str) -> None:
    """No CSV field a spreadsheet would read as a formula (a plain number may start with
    ``-``; any other such field must carry OWASP's leading ``'``)."""
    for row in csv.reader(io.StringIO(text, newline="")):
        for field in row:
            if field.startswith(FORMULA_STARTS):
                try:
                    float(field.replace(",", ""))
                except ValueError:
                    pytest.fail(f"a CSV field a spreadsheet runs as a formula: {field[:80]!r}")


def check_no_formula_text(path: Path, marker: str = "PWN") -> None:
    """A workbook written may hold formulas of its own, but none holds the payload marker,
    and every cell whose text holds it is a text cell; a CSV file is checked as above."""
    if path.suffix == ".csv":
        check_csv_text(path.read_text(encoding="utf-8"))
        return
    if path.suffix != ".xlsx":
        return
    import re

    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not (isinstance(value, str) and marker in value):
                    continue
                where = f"{path.name} {ws.title}!{cell.coordinate}: {value[:80]!r}"
                if cell.data_type == "f":
                    # a defined name made from user words ("server_cost_per_gpu__HALL_PWN")
                    # is an identifier, not the user's text: nothing else may carry it
                    names = re.findall(rf"[A-Za-z0-9_.]*{marker}[A-Za-z0-9_.]*", value)
                    assert len(names) == value.count(marker) and all(
                        re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", n) for n in names
                    ), f"{where}: user text in a formula"
                else:
                    assert cell.data_type == "s", f"{where} is a {cell.data_type!r} cell"


@pytest.fixture
def flopbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Runner:
    return Runner(tmp_path, capsys, monkeypatch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "hostile" in str(item.fspath) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TIME_LIMIT))


FLEET = """\
name: A test fleet
assumptions:
  useful_life: 4 years
skus:
  - chip: H100
    name: Hall A
    count: 1k GPU
    server_cost_per_gpu: 30k to 40k USD/GPU
"""

TRAINING = """\
kind: training
name: A training run
chip: H800
precision: fp8
"""
