"""Terminal and CSV rendering of workload results, claim verdicts, chip comparisons and
calculator answers. Renderers format; they never compute."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from flopbook import numbers
from flopbook.numbers import SIG, amount, quantity_text, summary_text
from flopbook.quantity import is_point, summarize
from flopbook.render.cells import WORKLOAD_SHARES
from flopbook.render.fit import Fitted, blocks, split
from flopbook.safe_text import CsvWriter

if TYPE_CHECKING:
    from flopbook.claims import ClaimVerdict
    from flopbook.models.compare import Comparison
    from flopbook.models.workload import WorkloadResult


SHARES = WORKLOAD_SHARES


# ---- workload --------------------------------------------------------------------------


def workload_table(result: WorkloadResult) -> Table:
    title = (
        f"{result.kind.capitalize()}: {result.name}" if result.name else (result.kind.capitalize())
    )
    # a footnote only for what the table shows: intervals, a solved figure

    caption = []
    if any(not is_point(r.value) for r in result.rows):
        caption.append("Uncertain inputs: mean (5th–95th percentile).")
    if any(r.solved for r in result.rows):
        caption.append("'solved' marks the figure the solver found from the other three.")
    table = Table(title=title, caption=" ".join(caption) or None, caption_justify="left")
    for col in ("output", "value", "formula"):
        table.add_column(col, justify="right" if col == "value" else "left", overflow="fold")
    for r in result.rows:
        table.add_row(
            r.label + (" (solved)" if r.solved else ""),
            quantity_text(r.value, r.unit, share=r.key in SHARES),
            r.formula,
        )
    return table


def inputs_table(result: WorkloadResult) -> Table:
    table = Table(title="Inputs", caption_justify="left")
    for col in ("input", "value", "from", "source / note"):
        table.add_column(col, overflow="fold", justify="right" if col == "value" else "left")
    for name, i, how in result.inputs:
        if i is None:
            continue
        text = " — ".join(x for x in (i.source, i.note) if x)
        table.add_row(name, _input_text(i, share=name in SHARES), how, text)
    return table


def _input_text(i: Any, *, share: bool) -> str:
    # a point as the HTML report and the JSON say it (2,048 GPU, $2.00/GPU-hour), digits as
    # written; a range as the user wrote it (30 to 40%), which says more than its mean
    if not is_point(i.value) and isinstance(i.raw, str):
        return i.raw.strip()
    s = summarize(i.value)
    return (
        amount(s.mean, s.unit, share=share, as_written=True)
        if is_point(i.value)
        else quantity_text(i.value, share=share)
    )


def workload_csv(result: WorkloadResult) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(["output", "label", "mean", "p5", "p50", "p95", "unit", "formula"])
    for r in result.rows:
        s = summarize(r.value, r.unit)
        w.writerow(
            [
                r.key,
                r.label,
                f"{s.mean:.10g}",
                f"{s.p5:.10g}",
                f"{s.p50:.10g}",
                f"{s.p95:.10g}",
                s.unit,
                r.formula,
            ]
        )
    return buf.getvalue()


# ---- claims ----------------------------------------------------------------------------

_STYLE = {"holds": "bold green", "off": "bold red", "not comparable": "bold yellow"}


def verdict_text(v: ClaimVerdict) -> Text:
    return Text(v.label, style=_STYLE[v.verdict])


def claims_table(verdicts: list[ClaimVerdict], title: str = "") -> Fitted:
    """A row a claim; where its words would fold mid-word (80 columns), a block a claim
    instead, each field on a line of its own."""
    caption = (
        "The expression is what flopbook computes; the claim is what was said. Verdicts "
        "compare means where a figure is a range."
    )
    # the file's words are text, never rich markup (a source "[see notes]" stays)
    rows = [
        (
            Text(v.claim + (f"\n[{v.source}]" if v.source else "")),
            Text(f"{v.expression}\n= {quantity_text(v.model)}"),
            Text(f"{v.claimed_text}\n= {quantity_text(v.claimed)}"),
            Text(str(v.tolerance)),
            verdict_text(v),
            Text(_why(v)),
        )
        for v in verdicts
    ]
    heads = ("claim", "expression", "claimed", "tolerance", "verdict", "why / note")
    wide = Table(title=title or "Claims", show_lines=True, caption_justify="left", caption=caption)
    for col in heads:
        wide.add_column(col, overflow="fold")
    for row in rows:
        wide.add_row(*row)

    return Fitted(wide, lambda console, width: [blocks(title or "Claims", caption, heads, rows)])


def _why(v: ClaimVerdict) -> str:
    # "off by 3× (too high)" beside the tolerance column says it all; the row adds the note
    parts = [] if v.verdict == "off" else [v.explanation]
    return "\n".join(parts + ([v.note] if v.note else []))


def claims_csv(verdicts: list[ClaimVerdict]) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(
        [
            "claim",
            "expression",
            "model",
            "model_unit",
            "claimed",
            "verdict",
            "ratio",
            "tolerance",
            "explanation",
            "source",
        ]
    )
    for v in verdicts:
        m = summarize(v.model)
        w.writerow(
            [
                v.claim,
                v.expression,
                f"{m.mean:.10g}",
                m.unit,
                v.claimed_text,
                v.verdict,
                "" if v.ratio is None else f"{v.ratio:.6g}",
                str(v.tolerance),
                v.explanation,
                v.source or "",
            ]
        )
    return buf.getvalue()


# ---- compare ---------------------------------------------------------------------------


def comparison_tables(c: Comparison) -> list[Any]:
    """The chips side by side, a row each; where that does not fit the terminal, turned
    round (a column a chip, split over as many tables as it takes); then the match."""
    hourly = any(r.hourly for r in c.rows)
    per = "$ / PFLOP/s-hour" if hourly else "$ / PFLOP/s"
    title = f"Cost and power per dense {c.precision.split('_')[0].upper()} FLOP"
    fields = ("peak", "TDP", "price", per, "vs ref", "W / PFLOP/s")
    cells: dict[str, tuple[str, ...]] = {}
    for r in c.rows:
        ratio = c.ratio(r.chip)
        cells[r.chip] = (
            quantity_text(r.peak, "TFLOP/s"),
            quantity_text(r.tdp, "W"),
            _price(r.price),
            _bare(r.cost_per_pflop),
            "—" if ratio is None else f"{ratio:.2f}×",
            _bare(r.watts_per_pflop),
        )
    # where each price came from is said under the table, a line a chip: as a column it
    # took half of an 80-column terminal and folded the figures beside it mid-unit
    caption = "\n".join(
        [
            "Peak rates are dense (no sparsity). 'vs ref' is the cost per FLOP relative to "
            f"{c.reference}.",
            *(f"{r.chip} price: {r.price_source}" for r in c.rows),
        ]
    )
    wide = Table(title=title, caption=caption, caption_justify="left")
    for col in ("chip", *fields):
        # a figure is never folded (``$2.690/G`` over ``PU-hour``), nor a chip's name
        wide.add_column(col, justify="left" if col == "chip" else "right", no_wrap=True)
    for chip, row in cells.items():
        wide.add_row(chip, *row)

    def turned(chips: list[str], *, first: bool, last: bool) -> Table:
        t = Table(
            title=title if first else None,
            caption=caption if last else None,
            caption_justify="left",
        )
        t.add_column("", style="bold", overflow="fold")
        for chip in chips:
            t.add_column(chip, justify="right", no_wrap=True)
        for i, field in enumerate(fields):
            t.add_row(field, *(cells[chip][i] for chip in chips))
        return t

    def narrow(console: Any, width: int) -> list[Table]:
        tables = split(console, width, list(cells), lambda g: turned(g, first=True, last=False))
        groups = [[str(col.header) for col in t.columns[1:]] for t in tables]
        return [turned(g, first=i == 0, last=i == len(groups) - 1) for i, g in enumerate(groups)]

    n = quantity_text(c.reference_count).replace(" GPU", "")
    m = Table(
        title=f"Matching {n} {c.reference} in dense FLOP/s (TDP only)", caption_justify="left"
    )
    for col in ("chip", "count", "power", f"{c.reference} power", "money", f"{c.reference} money"):
        m.add_column(col, justify="left" if col == "chip" else "right")
    for x in c.matches:
        m.add_row(
            x.chip,
            quantity_text(x.count),
            quantity_text(x.power),
            quantity_text(x.reference_power),
            _money(x.money),
            _money(x.reference_money),
        )
    return [Fitted(wide, narrow), m]


def _bare(x: Any) -> str:
    # the column header carries the unit

    if x is None:
        return "—"
    # an interval on a line of its own, so that the table fits 80 columns
    return numbers.summary(summarize(x), "", sig=SIG, sep="\n")


def _price(x: Any) -> str:
    if x is None:
        return "—"

    # $2.000/GPU-hour, $30.00k/GPU: the denominator kept; an interval on its own line
    return summary_text(summarize(x), sep="\n")


def _money(x: Any) -> str:
    return quantity_text(x)


def comparison_csv(c: Comparison) -> str:
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(
        [
            "chip",
            "precision",
            "peak_tflops",
            "tdp_w",
            "price",
            "price_unit",
            "cost_per_pflop",
            "cost_unit",
            "vs_reference",
            "watts_per_pflops",
            "price_source",
        ]
    )
    for r in c.rows:
        price = None if r.price is None else summarize(r.price)
        cost = None if r.cost_per_pflop is None else summarize(r.cost_per_pflop)
        ratio = c.ratio(r.chip)
        w.writerow(
            [
                r.chip,
                r.precision,
                f"{summarize(r.peak, 'TFLOP/s').mean:.6g}",
                "" if r.tdp is None else f"{summarize(r.tdp, 'W').mean:.6g}",
                "" if price is None else f"{price.mean:.6g}",
                "" if price is None else price.unit,
                "" if cost is None else f"{cost.mean:.6g}",
                "" if cost is None else cost.unit,
                "" if ratio is None else f"{ratio:.6g}",
                "" if r.watts_per_pflop is None else f"{summarize(r.watts_per_pflop).mean:.6g}",
                r.price_source,
            ]
        )
    return buf.getvalue()
