"""A reference case as a report: its model blocks, and its checks as live formulas.

A check's model answer becomes a formula when it names a cell of a block (``fleet.<metric>``,
with ``only`` and ``column``) or a row of a rebuilt published table (``table.<row>.…``);
otherwise it is written as a value, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flopbook.cases import cases, document
from flopbook.cases.fleet_cases import ROWS, CaseFile, row_value
from flopbook.formula.excel import Ref, expression_formula
from flopbook.models.fleet import FLEET, TOTAL
from flopbook.quantity import magnitudes, registry
from flopbook.report.case_models import CASE_BLOCKS, VALUE_REASONS
from flopbook.report.document import Block, CheckRow, Report
from flopbook.report.inputs import InputBook
from flopbook.report.kinds import block_for, charts_for

if TYPE_CHECKING:
    from flopbook.cases.result import CaseResult, Check


def _row_formula(row: str, column: str) -> str:
    """A published table's row (cases/fleet_cases.py ROWS) as a formula of one column of the
    fleet block, written from the row's own expression."""

    ureg = registry()
    refs = {o.key: Ref(f"{{{o.key}@{column}}}", ureg.Unit(o.unit)) for o in FLEET.outputs}
    refs["useful_life"] = Ref("useful_life", ureg.Unit("year"))
    _, text, unit = ROWS[row]
    return expression_formula(text, refs, unit)


def _spec(result: CaseResult) -> Any | None:
    """The case file's own description of its checks (model references), if it has one."""
    info = next((c for c in cases() if c.name == result.name), None)
    if info is None:
        return None
    try:
        return document(info).validate(CaseFile)
    except Exception:  # noqa: BLE001 - a case of another kind: its checks become values
        return None


def _block_for(results: list[Any], only: str | None) -> int | None:
    """The block whose SKUs are those that ``only`` keeps (None: all SKUs)."""
    if not results:
        return None
    everything = results[0]
    wanted = [
        s.name
        for s in everything.skus
        if only is None or any(s.matches(t.strip()) for t in only.split(","))
    ]
    for i, r in enumerate(results):
        if list(r.columns) == wanted:
            return i
    return None


def _in_block(formula: str, i: int) -> str:
    return formula.replace("{", f"{{#{i}:")


@dataclass(frozen=True)
class _Ref:
    """Where a check's model answer comes from, as the case file says."""

    model: str  # fleet.<metric> | table.<row>.published_total | table.<row>.corrected_total
    only: str | None
    column: str
    table: Any  # the case's published table, for table.<row> references
    capital_cost: str | None = None  # the check's own choice, if it makes one
    assumptions: str = ""  # the assumptions the check replaces, in words ("utilisation 70%")


def _table_formula(ref: _Ref, row: str, which: str) -> str | None:
    if row not in ROWS or ref.table is None:
        return None
    total = _in_block(_row_formula(row, TOTAL), 0)
    if which == "corrected_total":
        return total
    if which == "published_total":
        # the published Total: every column but those its formula left out
        omitted = [c for c in ref.table.columns if c not in ref.table.total_columns]
        return total + "".join("-(" + _in_block(_row_formula(row, c), 0) + ")" for c in omitted)
    return None


def _engine_answer(ref: _Ref, blocks: list[Block]) -> float:
    """The engine's own answer at the values the report uses (the formula's expected value)."""
    kind, _, rest = ref.model.partition(".")
    if kind == "fleet":
        i = _block_for([b.engine for b in blocks], ref.only)
        value = blocks[i or 0].engine.get(rest, ref.column)
        return float(magnitudes(value, blocks[i or 0].line(rest).unit)[0])
    row, _, which = rest.rpartition(".")
    point = blocks[0].engine
    life = point.assumptions["useful_life"]
    unit = ROWS[row][2]
    columns = [TOTAL] if which == "corrected_total" else ref.table.total_columns
    return sum(float(magnitudes(row_value(row, point, c, life), unit)[0]) for c in columns)


def _check_row(check: Check, ref: _Ref | None, blocks: list[Block], results: list[Any]) -> CheckRow:
    formula: str | None = None
    unit = check.unit
    kind, _, rest = ref.model.partition(".") if ref is not None else ("", "", "")
    note = check.note
    how = []
    if ref is not None and ref.capital_cost not in (None, *(r.capital_cost for r in results[:1])):
        how.append(f"{ref.capital_cost} as its capital cost")
    if ref is not None and ref.assumptions:
        how.append(ref.assumptions)
    if ref is not None and kind == "fleet" and how:
        # the case reran the fleet another way; the calculations hold only the first
        note = "; ".join(
            x
            for x in (
                note,
                f"a value: the fleet with {' and '.join(how)}, which the calculations do not hold",
            )
            if x
        )
    elif ref is not None and kind == "fleet":
        i = _block_for(results, ref.only)
        if i is not None and rest in {ln.key for ln in blocks[i].lines}:
            line = blocks[i].line(rest)
            if line.values.get(ref.column) is not None:
                formula, unit = f"{{#{i}:{rest}@{ref.column}}}", line.unit_in(ref.column)
    elif ref is not None and kind == "table" and results:
        row, _, which = rest.rpartition(".")
        formula = _table_formula(ref, row, which)

        unit = ROWS[row][2] if formula else unit
    model = check.model
    if formula is not None:
        factor = float(registry().Quantity(1.0, unit).to(check.unit).magnitude)
        if factor == 1.0:
            model = _engine_answer(ref, blocks)
        else:
            formula = None  # a change of unit would need a bare number: keep the value
    sampled = any(b.sampled for b in blocks)
    return CheckRow(
        check.label,
        check.published,
        unit if formula else check.unit,
        model,
        formula,
        check.tolerance,
        check.source,
        check.derived,
        note,
        model_sampled=check.model if sampled else None,
        category=check.category,
        tolerance_reason=check.tolerance_reason,
    )


def _value_check(check: Check, why: str, sampled: bool) -> CheckRow:
    note = "; ".join(x for x in (check.note, why) if x)
    return CheckRow(
        check.label,
        check.published,
        check.unit,
        check.model,
        None,
        check.tolerance,
        check.source,
        check.derived,
        note or None,
        model_sampled=check.model if sampled else None,
        category=check.category,
        tolerance_reason=check.tolerance_reason,
    )


def _referenced_check(
    check: Check, formula: str, value: float, unit: str, sampled: bool
) -> CheckRow | None:
    """A check whose model answer is a cell: the published figure in the cell's unit."""
    ureg = registry()
    try:
        factor = float(ureg.Quantity(1.0, check.unit).to(unit or "").magnitude)
    except Exception:  # noqa: BLE001 - units that do not convert: keep the value
        return None
    return CheckRow(
        check.label,
        check.published * factor,
        unit,
        value,
        formula,
        check.tolerance,
        check.source,
        check.derived,
        check.note,
        model_sampled=check.model * factor if sampled else None,
        category=check.category,
        tolerance_reason=check.tolerance_reason,
    )


def case_report(result: CaseResult, *, charts: bool = True) -> Report:
    book = InputBook()
    info = next((c for c in cases() if c.name == result.name), None)
    kind = info.kind if info is not None else ""
    results = [r for _, r in result.fleets]
    blocks = [block_for(r, book, title) for title, r in result.fleets]
    spec = _spec(result)
    refs: list[_Ref | None] = [None] * len(result.checks)
    if spec is not None and len(spec.checks) == len(result.checks):
        table = getattr(spec, "published_table", None)
        refs = [
            _Ref(
                c.model,
                c.only,
                c.column,
                table,
                getattr(c, "capital_cost", None),
                ", ".join(f"{k} {v}" for k, v in (getattr(c, "assumptions", None) or {}).items()),
            )
            if c.label == check.label
            else None
            for c, check in zip(spec.checks, result.checks, strict=True)
        ]
    checks = [
        _check_row(c, ref, blocks, results) for c, ref in zip(result.checks, refs, strict=True)
    ]
    make = CASE_BLOCKS.get(kind)
    if make is not None:
        offset = len(blocks)
        made = make(result, book)
        blocks += made.blocks
        sampled = any(b.sampled for b in made.blocks)
        for n, check in enumerate(result.checks):
            ref = made.refs.get(check.label)
            row = None
            if ref is not None:
                formula = re.sub(r"\{#(\d+):", lambda m: f"{{#{int(m.group(1)) + offset}:", ref[0])
                row = _referenced_check(check, formula, ref[1], ref[2], sampled)
            checks[n] = row or _value_check(
                check,
                made.reasons.get(check.label, "a value: no calculation of this workbook holds it"),
                sampled,
            )
    elif kind in VALUE_REASONS:
        checks = [_value_check(c, VALUE_REASONS[kind], False) for c in result.checks]
    drawn = charts_for(results[0], result.fleets[0][0]) if results and charts else []
    for title, section in result.sections if charts else ():
        drawn += charts_for(section, title)
    return Report(
        title=result.title,
        kind="reference case",
        summary=result.summary,
        conclusion=f"{result.conclusion} (Checks: {result.tally_text()})",
        inputs=book.rows,
        constants=list(book.constants.values()),
        blocks=blocks,
        checks=checks,
        grids=list(result.grids),
        discrepancies=list(result.discrepancies),
        charts=drawn,
        sources=list(result.sources),
        notes=list(result.notes),
        claims=list(result.claims),
        origin=f"flopbook case {result.name}",
        subjects=[*results, *(s for _, s in result.sections)],
    )
