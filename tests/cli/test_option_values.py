"""Option values read without pydantic (cli/values.py) are typer's own values, and every value
that reading does not know goes to typer, which says what is wrong in its words."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._coercion import build_runtime_param  # typer's own reading, to compare with

from flopbook.cli import COMMANDS, app
from flopbook.cli.values import _Defer, _Quick

BOOK = Path(__file__).resolve().parents[2] / "examples" / "deepseek-semianalysis.xlsx"
TEXTS = [
    "", "0", "1", "5", "40", "1000", "1001", "007", "-3", "-0", "+5", " 5", "5 ", "1e3", "1.5",
    "1.", ".5", "-0.0", "0.25", "86400", "86400.5", "nan", "inf", "-inf", "1_000", "٣", "५",
    "9" * 30, "text", "json", "TEXT", "table", "error", "a b", "-", str(BOOK), "no/such/file",
    "a\x00b", "~/x.xlsx",
]  # fmt: skip


def _parameters() -> list[tuple[str, Any, Any]]:
    group = typer.main.get_command(app)
    found = []
    for command in [group, *(group.commands[name] for name in COMMANDS)]:
        ctx = command.context_class(command)
        for param in [*command.params, command.get_help_option(ctx)]:
            if isinstance(getattr(param, "_runtime_param", None), _Quick):
                found.append((f"{command.name} {param.name}", param, ctx))
    return found


PARAMETERS = _parameters()


def _typer(param: Any, ctx: Any, value: Any) -> tuple[str, Any]:
    try:
        got = build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
    except Exception as exc:  # noqa: BLE001 - any refusal: the quick reading must defer
        return "refused", type(exc).__name__
    return "value", got


def _same(param: Any, ctx: Any, value: Any) -> None:
    several = param.multiple or param.nargs == -1
    if several:
        value = tuple(value) if isinstance(value, list | tuple) else (value,)
    kind, expected = _typer(param, ctx, value)
    try:
        got = param._runtime_param.read(value)
    except _Defer:
        return  # typer reads it: the same by construction
    assert kind == "value", (param.name, value, expected)
    assert type(got) is type(expected) and repr(got) == repr(expected), (param.name, value)


def test_every_plain_option_is_read_quickly():
    names = {n for n, _, _ in PARAMETERS}
    assert {"audit books", "audit jobs", "audit timeout", "audit fmt", "flopbook width"} <= names
    assert len(PARAMETERS) > 100  # every command's options, --help included


@pytest.mark.parametrize(("name", "param", "ctx"), PARAMETERS, ids=[n for n, _, _ in PARAMETERS])
def test_the_quick_reading_is_typers(name, param, ctx):
    annotation = param.type_descriptor.annotation
    values: list[Any] = [*TEXTS, param.default, True, False, 3, 2.5, BOOK, Path("no/such")]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values += [*annotation, *(m.value for m in annotation)]
    for value in values:
        _same(param, ctx, value)
    _same(param, ctx, ["1", str(BOOK)])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PARAMETERS), st.text(max_size=12))
def test_any_text_is_read_as_typer_reads_it(case, text):
    _, param, ctx = case
    _same(param, ctx, text)


def test_a_refused_value_gets_typers_message(run_cli):
    code, _, err = run_cli("audit", BOOK, "--jobs", "0")
    assert code == 2 and "'--jobs' / '-j': Input should be greater than or equal to 1" in err
    code, _, err = run_cli("audit", BOOK, "--format", "foo")
    assert code == 2 and "'foo' is not one of 'text', 'table', 'json', 'csv', 'sarif'" in err
    code, _, err = run_cli("--width", "10", "calc", "1 h")
    assert code == 2 and "'--width': Input should be greater than or equal to 40" in err
