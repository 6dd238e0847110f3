"""A report as one self-contained HTML page: tables, charts, and every input with its source.

Nothing is fetched to view it: the style sheet is inline, charts are inline SVG (or PNG as a
data: URI), and there is no script. Every piece of text is escaped; links are made only from
http(s) addresses.
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING

from flopbook import __version__, numbers
from flopbook.render.charts import chart_svg
from flopbook.render.report_files import ReportFile
from flopbook.render.sensitivity import plain

if TYPE_CHECKING:
    from flopbook.cases.result import Claim, Grid
    from flopbook.quantity import Summary
    from flopbook.report.document import Block, Chart, CheckRow, InputRow, Report
    from flopbook.sensitivity import Sensitivity

REPORT_FILE = ReportFile(
    option="html",
    suffixes=(".html", ".htm"),
    noun="the page",
    help="Write a self-contained HTML report (tables, charts, sources) to this .html file. "
    "E.g. --html out/fleet.html",
    writer="write_html",
    media_type="text/html; charset=utf-8",
    download="Report (.html)",
    charts=True,
)

_URL = re.compile(r"https?://[^\s<>\"')\]]+")

CSS = """
:root { --ink:#1b1f24; --muted:#5b6470; --line:#d8dee6; --band:#f4f6f9; --bad:#b00020;
        --good:#1e7b34; --accent:#1f4e99; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
       color:var(--ink); background:#fff; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 60px; }
h1 { font-size:26px; margin:0 0 8px; }
h2 { font-size:19px; margin:34px 0 10px; border-bottom:2px solid var(--line);
     padding-bottom:4px; }
h3 { font-size:16px; margin:22px 0 6px; }
p.summary { font-size:16px; max-width:900px; }
.meta, .note, caption { color:var(--muted); font-size:13px; }
table { border-collapse:collapse; margin:8px 0 6px; font-variant-numeric:tabular-nums; }
caption { caption-side:bottom; text-align:left; padding-top:6px; max-width:900px; }
th, td { border-bottom:1px solid var(--line); padding:5px 9px; vertical-align:top; }
th[scope=row] { text-align:left; font-weight:600; min-width:170px; }
thead th { background:var(--band); text-align:left; position:sticky; top:0; }
td.num, th.num { text-align:right; white-space:pre; }
td.num .note { white-space:normal; display:inline-block; max-width:22em; text-align:left; }
.range { color:var(--muted); font-size:12.5px; }
table.years { font-size:14px; } table.years td, table.years th { padding:4px 7px; }
table.years th[scope=row] { min-width:150px; }
/* a year's interval may break after its dash, so that eight years and a Total fit 1280 px */
table.years td.num .range { white-space:normal; }
th[scope=row] .note { white-space:nowrap; }
td.total, th.total { font-weight:600; background:#fafbfc; }
td.flag { color:var(--bad); font-weight:600; } .ok { color:var(--good); font-weight:600; }
.off { color:var(--bad); font-weight:700; } .src { font-size:13px; max-width:420px; }
ul.errors li { margin-bottom:8px; }
code { background:var(--band); padding:1px 4px; border-radius:3px; }
figure { margin:14px 0; } figure svg, figure img { max-width:100%; height:auto; }
figcaption { color:var(--muted); font-size:13px; }
details summary { cursor:pointer; color:var(--accent); margin:6px 0; }
a { color:var(--accent); }
div.wide { overflow-x:auto; max-width:100%; }
@media print { thead th { position:static; } details { display:block; }
  div.wide { overflow:visible; } a { overflow-wrap:anywhere; }
  body { font-size:12px; } main { max-width:none; padding:0; }
  table.years { font-size:11px; } .range { font-size:10px; } }
@page { size: landscape; margin: 12mm; }
td.src, td.src a { overflow-wrap:anywhere; }
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _linked(text: str | None) -> str:
    """Escaped text with its http(s) addresses as links."""
    if not text:
        return ""
    out, last = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;")
        out.append(_text(text[last : m.start()]))
        out.append(f'<a href="{_text(url)}" rel="noopener noreferrer">{_text(url)}</a>')
        last = m.start() + len(url)
    out.append(_text(text[last:]))
    return "".join(out)


COMPUTED = "samples"
"""How the inputs table names a range that was computed, not written (its 5th to 95th
percentile over the samples)."""


def input_value(row: InputRow, value: float | None = None) -> str:
    x = row.value if value is None else value
    # a point and a range's ends as written; a range's median, and the percentiles of a
    # figure computed from samples (a fleet's capex), to four digits
    computed = row.distribution.startswith(COMPUTED)
    written = (value is not None and not computed) or not row.is_range
    return numbers.amount(x, row.unit or "", share=row.percent, as_written=written)


def _single(x: float | None, summary: Summary | None, unit: str, percent: bool) -> str:
    """A value of a one-column or yearly block: four significant figures, its unit, and its
    5th–95th percentile interval (without repeating the unit)."""
    if summary is None:
        return "—" if x is None else numbers.amount(x, unit, share=percent, per=False)
    # the interval on a line of its own and the unit in the row label, so that a year table
    # fits a laptop screen
    return numbers.summary_text(replace(summary, unit=unit), share=percent, sep="\n", per=False)


_UNIT_WORDS = {"1/year": "share per year"}


def _cell(block: Block, key: str, column: str) -> str:
    line = block.line(key)
    summary = line.summaries.get(column)
    unit = line.unit_in(column)  # a yearly amount's Total is an amount
    if line.kind == "single" or line.percent:
        return _single(line.values.get(column), summary, unit, line.percent)
    if summary is None and line.values.get(column) is not None:
        return numbers.value(line.values[column] or 0.0, unit)
    return numbers.summary(summary, unit, sep="\n")


def _block_table(block: Block, keys: list[str]) -> str:
    head = "".join(
        f'<th class="num{" total" if c == "Total" else ""}">{_text(c)}</th>' for c in block.columns
    )
    rows = []
    for key in keys:
        line = block.line(key)
        label = line.label + (" (avg)" if line.kind == "intensive" else "")
        unit = (
            _UNIT_WORDS.get(line.unit)
            or numbers.unit_label(line.unit)
            or ("share" if line.percent else "number")
        )
        cells = "".join(
            f'<td class="num{" total" if c == "Total" else ""}">{_shown(_cell(block, key, c))}</td>'
            for c in block.columns
        )
        rows.append(
            f'<tr><th scope="row" title="{_text(line.doc)}">{_text(label)} '
            f'<span class="note">[{_text(unit)}]</span></th>{cells}</tr>'
        )
    # a column per year: a denser table, so that a payer's years and Total fit a laptop
    many = ' class="years"' if len(block.columns) >= YEARS_DENSE else ""
    return (
        f'<div class="wide"><table{many}><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


YEARS_DENSE = 6
"""From this many columns a block's table is set denser (smaller type, narrower padding)."""


def _lines(text: str) -> str:
    return "<br>".join(_text(line) for line in text.split("\n"))


def _shown(text: str) -> str:
    """A cell's value, with its 5th–95th percentile interval below it in smaller type."""
    value, _, interval = text.partition("\n")
    if not interval:
        return _text(value)
    return f'{_text(value)}<br><span class="range">{_text(interval)}</span>'


def _block(block: Block) -> str:
    parts = [f"<h3>{_text(block.title)}</h3>", _block_table(block, block.highlights)]
    if block.sampled:
        parts.append(f'<p class="note">{_text(numbers.statistic_note(_at_medians(block)))}</p>')
    parts += [f'<p class="note">{_text(n)}</p>' for n in block.notes]
    rest = [ln.key for ln in block.lines if ln.kind != "input"]
    parts.append(
        "<details><summary>Every line of the calculation</summary>"
        + _block_table(block, rest)
        + "</details>"
    )
    return "\n".join(parts)


def _at_medians(block: Block) -> bool:
    """True when some line of a sampled block is a point value: the model run at the inputs'
    medians (as the workbook is), which the reader must not take for a mean."""
    return any(
        not ln.summaries.get(c) and ln.values.get(c) is not None
        for ln in block.lines
        if ln.kind != "input"
        for c in block.columns
    )


def _checks(checks: list[CheckRow]) -> str:
    rows = []
    for c in checks:
        shown = c.model_sampled if c.model_sampled is not None else c.model
        if c.ok is None:
            verdict = f'<span class="note">{c.ratio:.2f}×, a comparison</span>'
        else:
            verdict = '<span class="ok">ok</span>' if c.ok else '<span class="off">OFF</span>'
        tol = _text(numbers.tolerance(c.tolerance))
        if c.tolerance_reason:
            tol += f"<br><span class=note>{_text(c.tolerance_reason)}</span>"
        src = _linked(c.source.cite())
        note = f"<br><span class=note>{_text(c.note)}</span>" if c.note else ""
        published, model = numbers.check_figures(c.published, shown, c.unit)
        rows.append(
            f"<tr><th scope=row>{_text(c.label)}{' (derived)' if c.derived else ''}"
            + (f"<br><span class=note>{_text(c.category)}</span>" if c.category else "")
            + "</th>"
            f"<td class=num>{_text(published)}</td><td class=num>{_text(model)}</td>"
            f"<td class=num>{shown / c.published if c.published else float('inf'):.3f}</td>"
            f"<td class=num>{tol}</td><td>{verdict}</td><td class=src>{src}{note}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Figure</th><th class=num>Published</th><th class=num>Model"
        "</th><th class=num>Model / published</th><th class=num>Tolerance</th><th></th>"
        f"<th>Source</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "<caption>Tolerance is relative; “derived” figures are derived from published ones "
        "as noted; a ratio without a verdict is a comparison, not a test.</caption></table>"
    )


def _claims(claims: list[Claim]) -> str:
    rows = []
    for c in claims:
        p = "—" if c.probability is None else f"{c.probability:.0%}"
        verdict = '<span class="ok">agree</span>' if c.ok else '<span class="off">differ</span>'
        note = f"<br><span class=note>{_text(c.note)}</span>" if c.note else ""
        rows.append(
            f"<tr><th scope=row>{_text(c.label)}</th><td>{_text(c.published)}</td>"
            f"<td>{_text(c.model)}</td><td class=num>{p}</td><td>{verdict}</td>"
            f"<td class=src>{_linked(c.source.cite())}{note}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Claim</th><th>Claimed</th><th>Model</th><th class=num>"
        "Probability</th><th></th><th>Source</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody><caption>The model's answer is the most probable "
        "over the samples; its probability is shown.</caption></table>"
    )


GRID_NUMBER_CHARS = 24
"""A grid column whose cells are all at most this long is figures, right-aligned on one line;
a longer one is words (an expression, a verdict), left-aligned and wrapped to the page."""


def _grid(grid: Grid) -> str:
    words = [
        any(
            len(line) > GRID_NUMBER_CHARS
            for _, _, cells in grid.rows
            for line in str(cells[c]).split("\n")
        )
        for c in range(len(grid.columns))
    ]
    kind = ["text" if w else "num" for w in words]
    head = "".join(
        f'<th class="{k}">{_text(c)}</th>' for c, k in zip(grid.columns, kind, strict=True)
    )
    rows = []
    for r, (label, _unit, cells) in enumerate(grid.rows):
        row_flag = (r, -1) in grid.flagged
        tds = []
        for c, cell in enumerate(cells):
            flagged = (r, c) in grid.flagged
            mark = " ✗" if flagged else ""
            tds.append(
                f'<td class="{kind[c]}{" flag" if flagged else ""}">{_shown(str(cell))}{mark}</td>'
            )
        label_html = _text(label) + (" ✗" if row_flag else "")
        rows.append(
            f'<tr><th scope=row class="{"flag" if row_flag else ""}">{label_html}</th>'
            f"{''.join(tds)}</tr>"
        )
    caption = f"<caption>{_text(grid.caption)}</caption>" if grid.caption else ""
    return (
        f"<h3>{_text(grid.title)}</h3><table><thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody>{caption}</table>"
    )


def _inputs(rows: list[InputRow]) -> str:
    out = []
    for i in rows:
        rng = (
            f"{_text(input_value(i, i.low))} to {_text(input_value(i, i.high))}"
            f"<br><span class=note>{_text(i.distribution)}</span>"
            if i.is_range
            else ""
        )
        default = " <span class=note>(flopbook default)</span>" if i.default else ""
        note = f"<br><span class=note>{_text(i.note)}</span>" if i.note else ""
        out.append(
            f"<tr><th scope=row>{_text(i.label)}{default}<br><code>{_text(i.place)}"
            f"</code></th><td class=num>{_text(input_value(i))}</td><td>{rng}</td>"
            f"<td class=src>{_linked(i.source) or '<span class=note>—</span>'}{note}"
            "</td></tr>"
        )
    return (
        "<table><thead><tr><th>Input</th><th class=num>Value used</th><th>Range</th>"
        f"<th>Source and note</th></tr></thead><tbody>{''.join(out)}</tbody></table>"
    )


def sensitivity_html(found: Sensitivity) -> str:
    """The tornado and the Sobol indices of one output, as tables."""
    t, unit = found.tornado, found.unit

    def out(x: float) -> str:
        return _single(x, None, unit, unit == "" and abs(x) <= 10)

    rows = "".join(
        f"<tr><th scope=row>{_text(b.label)}</th><td class=num>{_text(plain(b.low))} – "
        f"{_text(plain(b.high))} {_text(b.unit)}</td><td class=num>{_text(out(b.output_low))}"
        f"</td><td class=num>{_text(out(b.output_high))}</td><td class=num>"
        f"{_text(out(b.swing))}</td></tr>"
        for b in t.bars
    )
    tornado = (
        f"<h3>Tornado: what moves {_text(found.label.lower())}</h3><table><thead><tr>"
        "<th>Input</th><th class=num>Input P5 – P95</th><th class=num>Output at P5</th>"
        "<th class=num>at P95</th><th class=num>Swing</th></tr></thead>"
        f"<tbody>{rows}</tbody><caption>Each input from its 5th to its 95th "
        f"percentile, every other input at its median (baseline {_text(out(t.baseline))})."
        " One at a time: interactions and correlations are left out.</caption></table>"
    )
    r = found.sobol
    rows = "".join(
        f"<tr><th scope=row>{_text(i.label)}</th><td class=num>{i.first:.3f} ± "
        f"{i.first_conf:.3f}</td><td class=num>{i.total:.3f} ± {i.total_conf:.3f}</td></tr>"
        for i in r.indices
    )
    sobol = (
        f"<h3>Sobol indices: shares of the variance of {_text(found.label.lower())}</h3>"
        "<table><thead><tr><th>Input</th><th class=num>First order</th><th class=num>"
        f"Total</th></tr></thead><tbody>{rows}</tbody><caption>First order: the input "
        "alone; total: with its interactions; ± is the 95% confidence half-width. "
        f"Saltelli design, N = {r.base_samples:,}, {r.evaluations:,} model runs; inputs "
        "taken as independent.</caption></table>"
    )
    return f"<h2>Sensitivity of {_text(found.label.lower())}</h2>{tornado}{sobol}"


def chart_html(chart: Chart) -> str:
    svg = chart_svg(chart)
    if svg is not None:
        body = svg
    elif chart.png is not None:
        data = base64.b64encode(chart.png).decode("ascii")
        body = f'<img alt="{_text(chart.title)}" src="data:image/png;base64,{data}">'
    else:
        return ""
    caption = f"<figcaption>{_text(chart.title)}"
    caption += f" — {_text(chart.caption)}" if chart.caption else ""
    return f"<figure>{body}{caption}</figcaption></figure>"


def render_html(report: Report) -> str:
    """The page as a string."""
    r = report
    parts = [f"<h1>{_text(r.title)}</h1>"]
    if r.summary:
        parts.append(f'<p class="summary">{_text(r.summary)}</p>')
    article = "An" if r.kind[:1].lower() in "aeiou" else "A"
    parts.append(
        f'<p class="meta">{article} {_text(r.kind)}, made by flopbook {__version__}'
        + (f" from <code>{_text(r.origin)}</code>" if r.origin else "")
        + ". The workbook export recomputes the same numbers with live formulas.</p>"
    )
    if r.checks:
        ok = all(c.ok is not False for c in r.checks)
        verdict = (
            '<span class="ok">All checks within tolerance.</span>'
            if ok
            else '<span class="off">Some checks are OFF.</span>'
        )
        if r.conclusion:
            verdict += f" {_text(r.conclusion)}"
        parts += [
            '<section id="checks"><h2>Published figures against the model</h2>',
            _checks(r.checks),
            f"<p>{verdict}</p></section>",
        ]
    if r.claims:
        parts += [
            '<section id="claims"><h2>Claims in words against the model</h2>',
            _claims(r.claims),
            "</section>",
        ]
    if r.grids or r.discrepancies:
        parts.append('<section id="published"><h2>As published, and corrected</h2>')
        if r.grids:
            parts.append(_grid(r.grids[0]))
        if r.discrepancies:
            items = "".join(
                f"<li><strong>{_text(d.code)}</strong> {_text(d.title)} "
                f"<span class=note>[{_text(d.where)}]</span>: <span class=off>"
                f"{_text(d.published)}</span> → <span class=ok>{_text(d.corrected)}</span>"
                f"<br><span class=note>{_text(d.explanation)}</span></li>"
                for d in r.discrepancies
            )
            parts.append(f'<h3>What is wrong in it</h3><ul class="errors">{items}</ul>')
        parts += [_grid(g) for g in r.grids[1:]]
        parts.append("</section>")
    parts.append('<section id="results"><h2>Results</h2>')
    parts += [_block(b) for b in r.blocks]
    parts.append("</section>")
    for found in r.sensitivity:
        parts += ['<section id="sensitivity">', sensitivity_html(found), "</section>"]
    if r.charts:
        parts.append('<section id="charts"><h2>Charts</h2>')
        parts += [chart_html(c) for c in r.charts]
        parts.append("</section>")
    parts += [
        '<section id="inputs"><h2>Inputs</h2>',
        '<p class="note">Every input with where it came from. Ranges are sampled; the '
        "value used is the median, which the workbook uses.</p>",
        _inputs(r.inputs),
        "</section>",
    ]
    if r.sources or r.notes:
        parts.append('<section id="sources"><h2>Sources and notes</h2><ul>')
        parts += [f"<li>{_linked(s.cite())}</li>" for s in r.sources]
        parts += [f"<li class=note>{_text(n)}</li>" for n in r.notes]
        parts.append("</ul></section>")
    body = "\n".join(parts)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="flopbook {__version__}">'
        f"<title>{_text(r.title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def write_html(report: Report, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_html(report))
