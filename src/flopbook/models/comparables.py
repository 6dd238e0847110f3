"""Reference firms' capex against their revenue (and assets): a scale for a payer's ratio.

    >>> from flopbook.models.comparables import comparables, place
    >>> [c.name for c in comparables()]
    >>> place(0.3, "revenue").text        # "above every comparable: Meta 23.8%, …"

The figures are data (``comparables.yaml``), each with its source and date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from flopbook.errors import InputError
from flopbook.quantity import q
from flopbook.scenario import Document

__all__ = ["Comparable", "Placement", "comparables", "percent", "place"]

Basis = Literal["revenue", "aum"]


class SourcedFigure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str
    source: str
    as_of: str
    note: str | None = None


class ComparableEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: str
    year: int
    capex: SourcedFigure
    revenue: SourcedFigure | None = None
    aum: SourcedFigure | None = None


@dataclass(frozen=True)
class Comparable:
    """One reference firm with its capex in USD per year and its bases in USD (per year)."""

    entry: ComparableEntry
    capex: float
    revenue: float | None
    aum: float | None

    @property
    def name(self) -> str:
        return self.entry.name

    def ratio(self, basis: Basis) -> float | None:
        base = self.revenue if basis == "revenue" else self.aum
        return None if not base else self.capex / base


def _usd(figure: SourcedFigure, unit: str, where: str) -> float:
    try:
        return float(q(figure.value, unit).magnitude[0])
    except InputError as exc:
        raise exc.located(file="models/comparables.yaml", field=where) from None


@cache
def comparables() -> list[Comparable]:
    """The reference firms shipped with flopbook."""
    text = (resources.files("flopbook.models") / "comparables.yaml").read_text(encoding="utf-8")
    # Document keeps dates as text ("2025-01-31") and knows each entry's line
    doc = Document(text, "models/comparables.yaml")
    found = []
    for i in range(len(doc.data["comparables"])):
        e = doc.validate(ComparableEntry, ("comparables", i))
        found.append(
            Comparable(
                e,
                _usd(e.capex, "USD/year", f"{e.name}.capex"),
                None if e.revenue is None else _usd(e.revenue, "USD/year", f"{e.name}.revenue"),
                None if e.aum is None else _usd(e.aum, "USD", f"{e.name}.aum"),
            )
        )
    return found


def percent(r: float) -> str:
    """A ratio as a percentage to three significant digits: ``23.8%``, ``2,270%``."""
    x = r * 100
    if not math.isfinite(x):
        return "∞%"
    if abs(x) >= 100 or x == 0:
        return f"{x:,.0f}%"
    return f"{x:.{max(0, 2 - math.floor(math.log10(abs(x))))}f}%"


@dataclass(frozen=True)
class Placement:
    """Where a capex ratio falls among the comparables."""

    basis: Basis
    ratio: float  # the headline: for a payer, the ratio of the means in ``year``
    below: list[tuple[str, float]]  # comparables with a lower ratio, ascending
    above: list[tuple[str, float]]  # comparables with a higher ratio, ascending
    year: int | None = None  # the payer's year the ratio is for
    spread: tuple[float, float] | None = None  # 5th and 95th percentiles, when sampled

    @property
    def label(self) -> str:
        return "capex / revenue" if self.basis == "revenue" else "capex / AUM"

    @property
    def position(self) -> str:
        """Where the ratio falls: ``above every comparable (highest: Meta 23.8%, …)``."""
        if not self.below and not self.above:
            return "no comparables on this basis"
        if not self.above:
            name, r = self.below[-1]
            times = f", {self.ratio / r:,.1f}x the highest" if r else ""
            return f"above every comparable (highest: {name} {percent(r)}{times})"
        if not self.below:
            name, r = self.above[0]
            return f"below every comparable (lowest: {name} {percent(r)})"
        lo, hi = self.below[-1], self.above[0]
        return f"between {lo[0]} ({percent(lo[1])}) and {hi[0]} ({percent(hi[1])})"

    @property
    def text(self) -> str:
        when = f" in {self.year}" if self.year is not None else ""
        spread = (
            ""
            if self.spread is None
            else f" (5th–95th percentile {percent(self.spread[0])}–{percent(self.spread[1])})"
        )
        return f"{self.label} {percent(self.ratio)}{when}{spread}: {self.position}"

    def as_dict(self) -> dict[str, object]:
        return {
            "basis": self.basis,
            "ratio": self.ratio,
            "year": self.year,
            **({} if self.spread is None else {"p5": self.spread[0], "p95": self.spread[1]}),
            "text": self.text,
            "below": [{"name": n, "ratio": r} for n, r in self.below],
            "above": [{"name": n, "ratio": r} for n, r in self.above],
        }


def place(
    ratio: float,
    basis: Basis = "revenue",
    *,
    year: int | None = None,
    spread: tuple[float, float] | None = None,
) -> Placement:
    """Place a capex ratio (capex per year / revenue per year, or / AUM) on the scale."""
    scale = sorted(
        ((c.name, r) for c in comparables() if (r := c.ratio(basis)) is not None),
        key=lambda x: x[1],
    )
    return Placement(
        basis,
        ratio,
        [s for s in scale if s[1] <= ratio],
        [s for s in scale if s[1] > ratio],
        year,
        spread,
    )
