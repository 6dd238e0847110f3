"""A kind's declaration as documentation: the formula of every output, with its cases.

``docs/scenario.md`` holds this text for the fleet between two markers, and a test keeps it in
step with the declaration: regenerate it with ``python scripts/formula_docs.py``.
"""

from __future__ import annotations

from flopbook.formula.declaration import Formula, Kind, Ratio

__all__ = ["CASH_FLOW_MARKERS", "MARKERS", "formula_table", "rewrite"]


def formula_table(kind: Kind) -> str:
    """Markdown: each output with its unit and formula; then the steps the formulas read."""
    lines = ["| output | unit | formula | total |", "|---|---|---|---|"]
    for o in kind.outputs:
        total = "ratio of totals" if isinstance(o, Ratio) else "sum of items"
        lines.append(f"| `{o.key}` | {o.unit} | {_cases(o)} | {total} |")
    if kind.steps:
        lines += ["", "Steps the formulas read (not reported on their own):", ""]
        lines += [f"- `{s.key}` ({s.unit}): {_cases(s)}" for s in kind.steps]
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


def rewrite(text: str, kind: Kind, markers: tuple[str, str] | None = None) -> str:
    """``text`` (a docs page) with the part between ``markers`` (:data:`MARKERS` by
    default) made from ``kind``."""
    start, end = markers or MARKERS
    head, found, rest = text.partition(start)
    if not found:
        raise ValueError(f"no marker {start!r} in the page")
    _, _, tail = rest.partition(end)
    return head + start + "\n" + formula_table(kind) + end + tail


MARKERS = (
    "<!-- formulas: generated from the declaration (python scripts/formula_docs.py) -->",
    "<!-- end of formulas -->",
)

CASH_FLOW_MARKERS = (
    "<!-- cash flows: generated from the declaration (python scripts/formula_docs.py) -->",
    "<!-- end of cash flows -->",
)
