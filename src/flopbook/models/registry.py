"""The declared model kinds, by name. Callers look a kind up here (``kind("fleet")``) or read
it from a result (``result.kind``) instead of branching on class names.

A kind registers where it is declared: the module of ``flopbook.models`` that declares it
names it in its ``KINDS`` (``KINDS = (FUND, COMPANY)``), and the docs page of its formula
table in its ``DOC_PAGES``; the tables here gather those of every module
(:class:`~flopbook.registered.Gathered`), so adding a kind is writing its module."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError, UnknownNameError, suggest
from flopbook.formula.declaration import Kind
from flopbook.formula.result import Result
from flopbook.registered import Gathered

if TYPE_CHECKING:
    from flopbook.formula.declaration import Output
    from flopbook.scenario import Document

__all__ = ["DOC_PAGES", "KINDS", "declared", "kind", "name_of", "refuse_other_kinds"]

KINDS: Gathered[Kind] = Gathered("KINDS", "flopbook.models.*", key=lambda k: k.name)
"""Every declared kind by name, from the ``KINDS`` of each module of flopbook.models."""

# kind -> (the docs page that holds its formula table, how its totals are made when not the
# sum of items); scripts/formula_docs.py writes the tables, tests/test_docs.py checks them
DOC_PAGES: Gathered[tuple[str, Callable[[Output], str] | None]] = Gathered(
    "DOC_PAGES", "flopbook.models.*"
)


def kind(name: str) -> Kind:
    """The kind called ``name``, or an error naming the nearest."""
    if name not in KINDS:
        raise UnknownNameError(f"unknown model kind {name!r}", hint=suggest(name, tuple(KINDS)))
    return KINDS[name]


def declared(result: Any) -> Result | None:
    """Any model's result as the shared :class:`~flopbook.formula.result.Result` of its
    declaration: the result itself (a fleet's), or the Result it is a view of (a payer's,
    a workload's, a verdict's); None for one that is not declared."""
    if isinstance(result, Result):
        return result
    found = getattr(result, "result", None)
    return found if isinstance(found, Result) else None


def name_of(result: Any) -> str:
    """The kind of any model's result, by name: its declaration's (``fleet``), or the kind
    a result names itself; else its class name."""
    found = declared(result)
    if found is not None:
        return found.kind.name
    named = getattr(result, "kind", None)
    if isinstance(named, Kind):
        return named.name
    if isinstance(named, str):
        return named
    return type(result).__name__


def refuse_other_kinds(doc: Document, command: str) -> None:
    """An InputError when the document is a file for another command: a user who passes
    one to the wrong command is told where it goes (the command its kind declares) rather
    than that its fields are unknown."""
    name = doc.data.get("kind")
    other = KINDS[name].command if isinstance(name, str) and name in KINDS else None
    if other is not None and other != command:
        article = "an" if str(name)[0] in "aeiou" else "a"
        raise InputError(
            f"this is {article} {name} file, not one for `flopbook {command}`",
            file=doc.file,
            line=doc.line(("kind",)),
            hint=f"run: flopbook {other} {doc.file}",
        )
    if "claims" in doc.data and command != "check":
        raise InputError(
            f"this is a claims file, not one for `flopbook {command}`",
            file=doc.file,
            line=doc.line(("claims",)),
            hint=f"run: flopbook check {doc.file}",
        )
