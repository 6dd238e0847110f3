"""A report block laid out from any declaration: items (or years) as columns, each input a
named cell of the Inputs sheet, each formula the declared one as a live Excel formula, each
Total the declared one (a sum of the items, a ratio of totals, or a declared total such as
``lowest_of(ratio)``).

A kind run from its declaration alone (:mod:`flopbook.models.declared`) is reported here
without a block of its own; the engine's values at the inputs the workbook uses are computed
from the same declaration, so the cells recalculate to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flopbook.formula.declaration import Ratio, Total
from flopbook.formula.excel import Ref, excel_formula, expression_formula, total_formula
from flopbook.formula.series import form_of
from flopbook.models.declared import run_declared
from flopbook.quantity import Quantity, is_point, magnitudes, parsed_unit, summarize
from flopbook.report.document import Block, Line
from flopbook.report.inputs import InputBook, at_value

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Form, Kind
    from flopbook.formula.result import Result

__all__ = ["declared_block", "formula_order"]

TOTAL = "Total"


def formula_order(kind: Kind, forms: list[Form]) -> list[str]:
    """The formulas with a line, each after the ones it reads in its item (carried values
    come from the item before, so they do not order an item's lines)."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in out or key in seen:
            return
        seen.add(key)
        for form in forms:
            for name in kind.reads(key, form):
                if kind.formula_reads(key, name):
                    visit(name)
        if kind.formulas[key].shown:
            out.append(key)

    for key in kind.formulas:
        visit(key)
    return out


def declared_block(result: Result, book: InputBook, title: str = "") -> Block:
    """``result`` (run from its inputs, :attr:`Result.inputs`) as a block with live
    formulas, one column per item and a Total; its inputs are registered in ``book``."""
    kind, cols = result.kind, list(result.columns)
    single = len(cols) == 1
    refs: list[dict[str, Ref]] = []
    point: dict[str, dict[str, pint.Quantity]] = {}
    for col in cols:
        here: dict[str, Ref] = {}
        for name, inp in result.inputs.get(col, {}).items():
            spec = kind.inputs[name]
            row = book.add(
                f"{kind.name}.{col}.{name}",
                name if single else f"{name}_{col}",
                spec.label if single else f"{col}: {spec.label}",
                inp,
            )
            here[name] = Ref(row.name, parsed_unit(row.unit))
            point.setdefault(col, {})[name] = at_value(inp, row.value).value
        refs.append(here)
    # the engine at the values the workbook uses: what its cells must equal
    engine = run_declared(kind, result.inputs, point, choices=result.choices, name=result.name)
    items = [engine._extensive[c] for c in cols]
    forms = []
    for t in range(len(cols)):
        if t:
            for name, formula in kind.carried.items():
                if items[t - 1].value(formula) is not None:  # type: ignore[attr-defined]
                    unit = parsed_unit(kind.formulas[formula].unit)
                    refs[t][name] = Ref(f"{{{formula}@{cols[t - 1]}}}", unit)
        shape = {n: Quantity(1.0, r.unit) for n, r in refs[t].items()}
        forms.append(form_of(shape, result.choices.get(cols[t])))
    cells = {k: Ref(f"{{{k}}}", parsed_unit(f.unit)) for k, f in kind.formulas.items() if f.shown}

    def constant(name: str) -> str:
        return book.kind_constant(kind.constant[name])

    lines: dict[str, Line] = {}
    for key in formula_order(kind, forms):
        f = kind.formulas[key]
        line = Line(key, f.label, f.unit, "single", f.doc or f.text(), percent=f.unit == "")
        for t, col in enumerate(cols):
            text = excel_formula(kind, key, forms[t], refs[t], cells, constant=constant)
            value = items[t].value(key)  # type: ignore[attr-defined]
            line.formulas[col] = text
            line.values[col] = None if text is None or value is None else _number(value, f.unit)
        lines[key] = line
    for o in kind.outputs:
        if isinstance(o, Ratio):
            lines[o.key] = _ratio_line(o, cols)
    # the Totals: the extensive outputs' first, which the ratios' read
    for o in sorted(kind.outputs, key=lambda o: isinstance(o, Ratio)):
        if o.key in lines:
            _total(kind, o.key, lines, cols, engine, constant)
    for key, line in lines.items():
        if key in kind.output:
            line.summaries = {c: result.summary(key, c) for c in cols}
            if line.values.get(TOTAL) is not None:
                line.summaries[TOTAL] = result.summary(key)
    # totals of the whole run, and totals in another unit than their output's (a yearly
    # amount added up over the years is dollars): a line each
    for whole in kind.totals:
        if whole.of is None or whole.unit != kind.output[whole.of].unit:
            lines[whole.key] = _whole(kind, whole, lines, cols, engine, result, constant)
    ordered = list(lines.values())
    return Block(
        title or result.name or kind.label,
        [*cols, TOTAL],
        ordered,
        [ln.key for ln in ordered if ln.key in kind.output or ln.key in kind.total],
        [kind.doc] if kind.doc else [],
        sampled=any(
            not is_point(i.value) for item in result.inputs.values() for i in item.values()
        ),
        engine=engine,
    )


def _number(value: pint.Quantity, unit: str) -> float:
    return float(magnitudes(value, unit or None)[0])


def _ratio_line(o: Ratio, cols: list[str]) -> Line:
    """An intensive output: its numerator's cell over its denominator's, in each column and
    in the Total (the ratio of the totals)."""
    line = Line(o.key, o.label, o.unit, "single", o.doc)
    for col in [*cols, TOTAL]:
        line.formulas[col] = None  # written with the units of the two lines, in _total
    return line


def _total(
    kind: Kind,
    key: str,
    lines: dict[str, Line],
    cols: list[str],
    engine: Result,
    constant: Callable[[str], str],
) -> None:
    """The Total column of an output's line: its declared total, the ratio of the totals,
    or the sum of the items (none for a kind that does not sum)."""
    line, o = lines[key], kind.output[key]
    if isinstance(o, Ratio):
        num, den = kind.formulas[o.numerator], kind.formulas[o.denominator]
        for col in [*cols, TOTAL]:
            if lines[o.numerator].formulas.get(col) is None:
                continue
            if lines[o.denominator].formulas.get(col) is None:
                continue
            refs = {
                "n": Ref(f"{{{o.numerator}@{col}}}", parsed_unit(num.unit)),
                "d": Ref(f"{{{o.denominator}@{col}}}", parsed_unit(den.unit)),
            }
            value = engine.get(key, col)
            if value is None:
                continue
            line.formulas[col] = expression_formula("n / d", refs, o.unit)
            line.values[col] = _number(value, o.unit)
        return
    declared = kind.total_of(key)
    if (declared is None and not kind.sums) or (declared and declared.unit != o.unit):
        return
    made = declared or Total(key, o.label, o.unit, f"sum_of({key})")
    known = [f"{{{key}@{c}}}" for c in cols if line.formulas.get(c) is not None]
    cells = {k: known if k == key else _cells(lines, k, cols) for k in made.aggregated()}
    text = total_formula(kind, made, cells, constant=constant)
    value = engine.get(key)
    if text is not None and value is not None:
        line.formulas[TOTAL] = text
        line.values[TOTAL] = _number(value, made.unit)


def _cells(lines: dict[str, Line], key: str, cols: list[str]) -> list[str]:
    line = lines.get(key)
    if line is None:
        return []
    return [f"{{{key}@{c}}}" for c in cols if line.formulas.get(c) is not None]


def _whole(
    kind: Kind,
    t: Total,
    lines: dict[str, Line],
    cols: list[str],
    engine: Result,
    result: Result,
    constant: Callable[[str], str],
) -> Line:
    cells = {k: _cells(lines, k, cols) for k in t.aggregated()}
    text = total_formula(kind, t, cells, constant=constant)
    value = engine.total(t.key)
    line = Line(t.key, t.label, t.unit, "single", t.doc or t.expression)
    line.formulas = {**{c: None for c in cols}, TOTAL: text}
    line.values = {
        **{c: None for c in cols},
        TOTAL: None if text is None or value is None else _number(value, t.unit),
    }
    sampled = result.total(t.key)
    line.summaries = {TOTAL: None if sampled is None else summarize(sampled, t.unit or None)}
    line.percent = t.unit == ""
    return line
