"""A kind's declaration as documentation: the formula of every output, with its cases.

A docs page holds this text for a kind between two markers (:func:`markers`), and a test
keeps it in step with the declaration: regenerate it with ``python scripts/formula_docs.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from flopbook.formula.declaration import Formula, Kind, Output, Ratio

__all__ = ["formula_table", "markers", "rewrite"]


def formula_table(kind: Kind, total: Callable[[Output], str] | None = None) -> str:
    """Markdown: each output with its unit and formula; then the steps the formulas read.
    ``total`` says how an output's total is made (default: its declared total, else the sum
    of the items, or the ratio of the totals, or none for a kind that does not sum)."""
    lines = ["| output | unit | formula | total |", "|---|---|---|---|"]
    for o in kind.outputs:
        made = total(o) if total else _total(kind, o)
        lines.append(f"| `{o.key}` | {o.unit} | {_cases(o)} | {made} |")
    if kind.steps:
        lines += ["", "Steps the formulas read (not reported on their own):", ""]
        lines += [f"- `{s.key}` ({s.unit}): {_cases(s)}" for s in kind.steps]
    whole = [t for t in kind.totals if t.of is None]
    if whole:
        lines += ["", "Totals of the whole run:", ""]
        lines += [
            f"- `{t.key}` ({t.unit or 'a number'}): `{t.expression}`"
            + (f"; {t.doc}" if t.doc else "")
            for t in whole
        ]
    if kind.carried:
        lines += ["", "Values from the year before (absent in the first year):", ""]
        lines += [f"- `{n}`: last year's `{f}`" for n, f in kind.carried.items()]
    if kind.constants:
        lines += ["", "Constants:", ""]
        lines += [
            f"- `{c.name}` = {c.value:g} {c.unit}: {c.label} ({c.source})" for c in kind.constants
        ]
    return "\n".join(lines) + "\n"


def _total(kind: Kind, o: Output) -> str:
    """How an output's Total is made: declared, not added, a ratio of totals or a sum."""
    declared = kind.total_of(o.key)
    if declared is not None:
        return f"`{declared.expression}`"
    if isinstance(o, Ratio):
        return "ratio of totals"
    return "sum of items" if kind.sums else "not added"


def _cases(o: Formula | Ratio) -> str:
    if isinstance(o, Ratio):
        return f"`{o.numerator} / {o.denominator}`"
    parts = []
    for c in o.cases:
        text = f"`{c.expression}`"
        parts.append(
            f"{text} if {c.when}" if c.when else (f"{text} otherwise" if len(o.cases) > 1 else text)
        )
    return "; ".join(parts)


def markers(kind: Kind) -> tuple[str, str]:
    """The lines around a kind's generated table on its docs page."""
    return (
        f"<!-- formulas of {kind.name}: generated from the declaration "
        "(python scripts/formula_docs.py) -->",
        f"<!-- end of the formulas of {kind.name} -->",
    )


def rewrite(text: str, kind: Kind, total: Callable[[Output], str] | None = None) -> str:
    """``text`` (a docs page) with the part between the kind's :func:`markers` made from
    ``kind``."""
    start, end = markers(kind)
    head, found, rest = text.partition(start)
    if not found:
        raise ValueError(f"no marker {start!r} in the page")
    _, _, tail = rest.partition(end)
    return head + start + "\n" + formula_table(kind, total) + end + tail
