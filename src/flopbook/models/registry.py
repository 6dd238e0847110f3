"""The declared model kinds, by name. Callers look a kind up here (``kind("fleet")``) or read
it from a result (``result.kind``) instead of branching on class names; adding a kind is
adding its declaration to :data:`KINDS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flopbook.errors import UnknownNameError, suggest
from flopbook.formula.declaration import Kind
from flopbook.formula.result import Result
from flopbook.models.cash_flow import CASH_FLOW, NOT_SUMMED
from flopbook.models.compare import COMPARE
from flopbook.models.fleet import FLEET
from flopbook.models.funding import COMPANY, FUND
from flopbook.models.funding_verdict import VERDICT
from flopbook.models.inference import INFERENCE
from flopbook.models.workload import TRAINING

if TYPE_CHECKING:
    from flopbook.formula.declaration import Output

__all__ = ["DOC_PAGES", "KINDS", "declared", "kind", "name_of"]

KINDS: dict[str, Kind] = {
    k.name: k for k in (FLEET, CASH_FLOW, TRAINING, INFERENCE, FUND, COMPANY, VERDICT, COMPARE)
}


# kind -> (the docs page that holds its formula table, how its totals are made when not the
# sum of items); scripts/formula_docs.py writes the tables, tests/test_docs.py checks them
DOC_PAGES: dict[str, tuple[str, Callable[[Output], str] | None]] = {
    "fleet": ("scenario.md", None),
    "cash_flow": (
        "scenario.md",
        lambda output: (
            "sum of cohorts; not added over years"
            if output.key in NOT_SUMMED
            else "sum of cohorts, then of years"
        ),
    ),
    "fund": ("funding.md", None),
    "company": ("funding.md", None),
    "funding_verdict": ("funding.md", None),
    "compare": ("workload.md", lambda output: "per chip"),
    "inference": ("workload.md", lambda output: "one service"),
}


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
