"""Runner for funding cases: a payer, spending scenarios with the verdict a source argued, and
figures checked against published ones."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from flopbook.cases import cases
from flopbook.cases.result import CaseResult, Check, Claim, Source
from flopbook.cases.spec import CaseFileBase, CheckMeta
from flopbook.errors import InputError
from flopbook.fleet_file import fleet_from_document
from flopbook.models.funding import read_fx_rate
from flopbook.models.funding_verdict import Spending, judge, thresholds
from flopbook.payer_file import payer_from_document
from flopbook.quantity import Quantity, magnitudes, q
from flopbook.scenario import Document

if TYPE_CHECKING:
    from flopbook.models.funding import PayerResult
    from flopbook.models.funding_verdict import FundingVerdict


class SpendingSpec(BaseModel):
    """One purchase: a capex amount, or the fleet of a reference case (or part of it)."""

    model_config = ConfigDict(extra="forbid")
    label: str
    year: int
    capex: Any = None  # a quantity or {value, source, note}
    fx_rate: Any = None  # for a capex in CNY
    fleet_case: str | None = None  # a reference case whose fleet: is bought
    only: str | None = None  # a SKU filter on that fleet
    source: str | None = None  # a key of sources


class ScenarioSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    spending: list[SpendingSpec] = Field(min_length=1)
    expect: str  # the verdict the source argued, in the bands' words
    source: str
    note: str | None = None


class FundingCheckSpec(CheckMeta):
    model_config = ConfigDict(extra="forbid")
    label: str
    published: str
    # payer.<row>.<year> | payer.total.<row> | payer.annualised_net_return
    # | scenario.<n>.capex (n counts from 1)
    model: str
    source: str
    tolerance: str | None = "3%"
    derived: bool = False
    note: str | None = None


class FundingCaseFile(CaseFileBase):
    payer: dict[str, Any]
    scenarios: list[ScenarioSpec] = Field(default_factory=list)
    checks: list[FundingCheckSpec] = Field(default_factory=list)


def _fleet_of_case(name: str, doc: Document, where: tuple[str | int, ...]) -> Any:
    """The fleet described in another reference case's YAML (its ``fleet:`` section)."""
    found = {c.name: c for c in cases()}.get(name)
    if found is None:
        raise doc.error(
            InputError(
                f"unknown case {name!r}", hint="cases: " + ", ".join(c.name for c in cases())
            ),
            where,
        )
    text = (resources.files("flopbook.cases") / found.file).read_text(encoding="utf-8")
    other = Document(text, f"cases/{found.file}")
    if "fleet" not in other.data:
        raise doc.error(InputError(f"case {name!r} has no fleet"), where)
    return fleet_from_document(other, ("fleet",))


def _spending(
    s: SpendingSpec,
    doc: Document,
    where: tuple[str | int, ...],
    sources: dict[str, Source],
    payer: PayerResult,
) -> Spending:
    cite = sources[s.source].cite() if s.source in sources else None
    if s.source is not None and s.source not in sources:
        raise doc.error(
            InputError(f"unknown source {s.source!r}", hint="use a key of sources:"),
            (*where, "source"),
        )
    if (s.capex is None) == (s.fleet_case is None):
        raise doc.error(InputError("give capex or fleet_case (not both)"), where)
    if s.fleet_case is not None:
        fleet = _fleet_of_case(s.fleet_case, doc, (*where, "fleet_case"))
        try:
            result = fleet.run(only=s.only)
        except InputError as exc:
            raise doc.error(exc, (*where, "only")) from None
        note = f"fleet of case {s.fleet_case}" + (f", {s.only} only" if s.only else "")
        return Spending.from_fleet(
            result, s.year, label=s.label, source=f"{cite}; {note}" if cite else note
        )
    try:
        rate = payer.fx_rate if s.fx_rate is None else read_fx_rate(s.fx_rate)
        return Spending.from_capex(s.capex, s.year, fx_rate=rate, label=s.label, source=cite)
    except InputError as exc:
        field = "fx_rate" if exc.field == "fx_rate" else "capex"
        raise doc.error(InputError(exc.message, hint=exc.hint), (*where, field)) from None


def run_funding_case(doc: Document) -> CaseResult:
    spec = doc.validate(FundingCaseFile)
    sources = spec.source_map()
    payer = payer_from_document(doc, ("payer",)).run()
    bands = thresholds()
    words = [b.words for b in bands.bands]

    out = CaseResult(
        spec.name, spec.title, spec.summary.strip(), list(sources.values()), notes=spec.notes
    )
    out.sections.append((f"{payer.name or 'The payer'}: cash by year", payer))
    verdicts: list[FundingVerdict] = []
    for i, sc in enumerate(spec.scenarios):
        where = ("scenarios", i)
        if sc.source not in sources:
            raise doc.error(
                InputError(f"unknown source {sc.source!r}", hint="use a key of sources:"),
                (*where, "source"),
            )
        if sc.expect not in words:
            raise doc.error(
                InputError(
                    f"unknown verdict {sc.expect!r}", hint="write one of: " + "; ".join(words)
                ),
                (*where, "expect"),
            )
        spending = [
            _spending(s, doc, (*where, "spending", j), sources, payer)
            for j, s in enumerate(sc.spending)
        ]
        try:
            verdict = judge(payer, spending, bands)
        except InputError as exc:
            raise doc.error(exc, where) from None
        verdicts.append(verdict)
        out.sections.append((sc.title, verdict))
        out.claims.append(
            Claim(
                sc.title,
                sc.expect,
                verdict.words,
                sources[sc.source],
                verdict.band_probabilities[verdict.band.key],
                sc.note,
            )
        )
    out.checks = [_check(c, payer, verdicts, sources, doc, i) for i, c in enumerate(spec.checks)]
    out.notes = [*spec.notes, "Verdict thresholds: " + " | ".join(bands.describe())]
    return out


def _check(
    c: FundingCheckSpec,
    payer: PayerResult,
    verdicts: list[FundingVerdict],
    sources: dict[str, Source],
    doc: Document,
    i: int,
) -> Check:
    where = ("checks", i)
    if c.source not in sources:
        raise doc.error(
            InputError(f"unknown source {c.source!r}", hint="use a key of sources:"),
            (*where, "source"),
        )
    try:
        published = q(c.published)
    except InputError as exc:
        raise doc.error(exc, (*where, "published")) from None
    unit = f"{published.units:~P}"
    parts = c.model.split(".")
    try:
        if parts == ["payer", "annualised_net_return"]:
            value = payer.annualised_net_return()
        elif len(parts) == 3 and parts[:2] == ["payer", "total"]:
            value = payer.total(parts[2])
        elif len(parts) == 3 and parts[0] == "payer" and parts[2].isdigit():
            value = payer.at(parts[1], int(parts[2]))
        elif (
            len(parts) == 3
            and parts[0] == "scenario"
            and parts[1].isdigit()
            and parts[2] == "capex"
            and 1 <= int(parts[1]) <= len(verdicts)
        ):
            spent = verdicts[int(parts[1]) - 1].spending
            value = Quantity(
                np.sum(
                    np.array(np.broadcast_arrays(*[magnitudes(s.capex, "USD") for s in spent])),
                    axis=0,
                ),
                "USD",
            )
        else:
            raise InputError(
                f"cannot read model reference {c.model!r}",
                hint="use payer.<row>.<year>, payer.total.<row>, "
                "payer.annualised_net_return or scenario.<n>.capex",
            )
        model = float(magnitudes(value, unit).mean())
        tol = None if c.tolerance is None else float(q(c.tolerance).to("").magnitude[0])
    except InputError as exc:
        raise doc.error(exc, (*where, "model")) from None
    return Check(
        c.label,
        float(published.to(unit).magnitude[0]),
        model,
        unit,
        sources[c.source],
        tol,
        c.derived,
        c.note,
        c.category,
        c.tolerance_reason,
    )
