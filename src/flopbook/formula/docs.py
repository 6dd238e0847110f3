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
    ``total`` says how an output's total is made (default: the sum of the items, or the
    ratio of the totals)."""
    lines = ["| output | unit | formula | total |", "|---|---|---|---|"]
    for o in kind.outputs:
        made = total(o) if total else "ratio of totals" if isinstance(o, Ratio) else "sum of items"
        lines.append(f"| `{o.key}` | {o.unit} | {_cases(o)} | {made} |")
    if kind.steps:
        lines += ["", "Steps the formulas read (not reported on their own):", ""]
        lines += [f"- `{s.key}` ({s.unit}): {_cases(s)}" for s in kind.steps]
    if kind.totals:
        lines += ["", "Totals over the items that are not sums:", ""]
        lines += [
            f"- `{t.key}` ({t.unit or 'a number'}): `{t.expression}`"
            + (f", the Total of `{t.of}`" if t.of else "")
            + (f"; {t.doc}" if t.doc else "")
            for t in kind.totals
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
