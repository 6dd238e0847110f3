"""What a reference case returns: tables, named discrepancies and checks against published
figures (each with its source and tolerance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from flopbook.quantity import unit_name


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str | None = None
    date: str | None = None

    def cite(self) -> str:
        parts = [self.title]
        if self.date:
            parts.append(self.date)
        if self.url:
            parts.append(self.url)
        return ", ".join(parts)


# What a check shows, from strongest to weakest. Only a reproduction within tolerance counts
# as "reproduced" in a case's summary.
CHECK_CATEGORIES: dict[str, str] = {
    "reproduction": "the model against an independent published figure",
    "restatement": "published arithmetic redone (the figure follows from other published ones)",
    "consistency": "the model's own round trip, or inputs chosen to meet the figure",
}


@dataclass(frozen=True)
class Check:
    """A published figure, the model's answer, and whether they agree within tolerance.

    ``tolerance`` is relative (0.03 = 3%); ``None`` makes it a comparison, not a test, and
    ``tolerance_reason`` says why the tolerance is that wide. ``category`` is one of
    :data:`CHECK_CATEGORIES`. ``derived`` marks a figure derived from published ones (the
    derivation in ``note``).
    """

    label: str
    published: float
    model: float
    unit: str
    source: Source
    tolerance: float | None = 0.03
    derived: bool = False
    note: str | None = None
    category: str = "reproduction"
    tolerance_reason: str | None = None

    @property
    def ratio(self) -> float:
        return self.model / self.published if self.published else float("inf")

    @property
    def ok(self) -> bool | None:
        if self.tolerance is None:
            return None
        return abs(self.ratio - 1) <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "published": self.published,
            "model": self.model,
            "unit": _unit_name(self.unit),
            "ratio": self.ratio,
            "tolerance": self.tolerance,
            "ok": self.ok,
            "derived": self.derived,
            "category": self.category,
            "tolerance_reason": self.tolerance_reason,
            "source": self.source.cite(),
            "note": self.note,
        }


class _Figure:
    """One check as a conclusion's template sees it: ``{checks[2].ratio:.1f}``, and the model
    and published values in thousands, millions or billions (``{checks[0].model_m:,.0f}``)."""

    def __init__(self, check: Check) -> None:
        self.ratio = check.ratio
        self.inverse = 1 / check.ratio if check.ratio else float("inf")
        self.model, self.published = check.model, check.published
        self.percent = 100 * check.model
        for suffix, scale in (("k", 1e3), ("m", 1e6), ("b", 1e9)):
            setattr(self, f"model_{suffix}", check.model / scale)
            setattr(self, f"published_{suffix}", check.published / scale)


@dataclass(frozen=True)
class Claim:
    """A published claim in words (a verdict such as "within means") and the model's.

    ``probability`` is the model's probability of its own answer (uncertain inputs)."""

    label: str
    published: str
    model: str
    source: Source
    probability: float | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.published == self.model

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "published": self.published,
            "model": self.model,
            "probability": self.probability,
            "ok": self.ok,
            "source": self.source.cite(),
            "note": self.note,
        }


@dataclass(frozen=True)
class Discrepancy:
    """An error in a published table: what, where, why, and the value before and after."""

    code: str
    title: str
    where: str
    explanation: str
    published: str
    corrected: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _unit_name(unit: str) -> str:
    """The one spelling of a unit in JSON (``GPU·h`` -> ``GPU-hour``)."""

    try:
        return unit_name(unit)
    except Exception:  # noqa: BLE001 - a label that is no unit stays as written
        return unit


class Figure(str):
    """A table cell that is a number: the text as the table prints it, and the quantity behind
    it (``data``: value, unit and, when sampled, percentiles) for JSON, which is data."""

    data: dict[str, Any]

    def __new__(cls, text: str, data: dict[str, Any]) -> Figure:
        made = super().__new__(cls, text)
        made.data = data
        return made


def cell_dict(cell: str) -> Any:
    """A cell for JSON: a figure as ``{"value", "unit", ..., "text"}``, other text as text."""
    if isinstance(cell, Figure):
        return {**cell.data, "text": str(cell)}
    return cell


@dataclass
class Grid:
    """A table already reduced to text cells (a published table as it was printed)."""

    title: str
    columns: list[str]
    rows: list[tuple[str, str, list[str]]]  # label, unit label, cells
    caption: str = ""
    flagged: set[tuple[int, int]] = field(default_factory=set)  # (row, column) cells

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": [
                {"label": r[0], "unit": r[1], "cells": [cell_dict(c) for c in r[2]]}
                for r in self.rows
            ],
        }


@dataclass
class CaseResult:
    name: str
    title: str
    summary: str
    sources: list[Source]
    grids: list[Grid] = field(default_factory=list)
    fleets: list[tuple[str, Any]] = field(default_factory=list)  # (title, FleetResult)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # other results to show, as (title, result); render/cases.py knows how to draw each type
    sections: list[tuple[str, Any]] = field(default_factory=list)
    # the runner's named model answers (what checks' ``model:`` names), for reports
    outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    # what the case concludes, with {checks[i].ratio:.1f}-style fields (see _Figure)
    conclusion_template: str = ""

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks) and all(c.ok for c in self.claims)

    @property
    def conclusion(self) -> str:
        """What the case concludes, its figures filled in from the checks."""
        figures = [_Figure(c) for c in self.checks]
        text = self.conclusion_template.format(checks=figures, claims=self.claims)
        return " ".join(text.split())

    def tally(self) -> dict[str, int]:
        """How many checks of each category there are, and how many reproductions are within
        tolerance ("reproduced") or outside it ("not reproduced")."""
        out = {k: sum(c.category == k for c in self.checks) for k in CHECK_CATEGORIES}
        tested = [c for c in self.checks if c.category == "reproduction" and c.ok is not None]
        out["reproduced"] = sum(bool(c.ok) for c in tested)
        out["not reproduced"] = sum(not c.ok for c in tested)
        return out

    def tally_text(self) -> str:
        """``2 of 3 published figures reproduced; 4 restatements; 1 consistency check``."""
        t = self.tally()
        tested = t["reproduced"] + t["not reproduced"]
        parts = [
            f"{t['reproduced']} of {tested} independent published "
            f"figure{'s' * (tested != 1)} reproduced"
            if tested
            else "no independent published figure tested"
        ]
        if t["restatement"]:
            parts.append(
                f"{t['restatement']} restatement{'s' * (t['restatement'] != 1)} of "
                "published arithmetic"
            )
        if t["consistency"]:
            parts.append(f"{t['consistency']} consistency check{'s' * (t['consistency'] != 1)}")
        off = [c for c in self.checks if c.ok is False] + [c for c in self.claims if not c.ok]
        parts.append(f"{len(off)} outside tolerance" if off else "all within tolerance")
        return "; ".join(parts) + "."

    def check(self, label: str) -> Check:
        for c in self.checks:
            if c.label == label:
                return c
        raise KeyError(label)

    def to_dataframe(self) -> Any:
        """The checks as a pandas DataFrame (figure, published, model, ratio, verdict)."""
        # pandas loads in about a second; only to_dataframe needs it
        import pandas as pd

        return pd.DataFrame([c.as_dict() for c in self.checks]).set_index("label")

    def _repr_html_(self) -> str:
        items = "".join(
            f"<li><b>{escape(d.code)}</b> {escape(d.title)}: {escape(d.published)} → "
            f"{escape(d.corrected)}</li>"
            for d in self.discrepancies
        )
        return (
            f"<h4>{escape(self.title)}</h4><p>{escape(self.summary)}</p>"
            + (f"<ul>{items}</ul>" if items else "")
            + self.to_dataframe()._repr_html_()
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "ok": self.ok,
            "sources": [s.cite() for s in self.sources],
            "published_tables": [g.as_dict() for g in self.grids],
            "discrepancies": [d.as_dict() for d in self.discrepancies],
            "fleets": [{"title": t, **r.to_dict()} for t, r in self.fleets],
            "checks": [c.as_dict() for c in self.checks],
            "claims": [c.as_dict() for c in self.claims],
            "sections": [{"title": t, **r.to_dict()} for t, r in self.sections],
            "notes": self.notes,
            "conclusion": self.conclusion,
            "tally": self.tally(),
        }
