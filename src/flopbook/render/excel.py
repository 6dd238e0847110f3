"""A report as a workbook with live formulas (XlsxWriter).

Sheets: *Results* (the headline lines and the checks against published figures, as formulas
referring to the calculations), *Inputs* (every input with its unit, range, source and note;
each value cell has a defined name), *Calculations* (one sheet per block: the model's
formulas, referring to inputs by name), and for reference cases *Published* (the table as it
was printed, its errors, and the sources, as text).

Every formula cell carries the engine's value as its cached result, so a reader that does not
recalculate still shows flopbook's numbers; a spreadsheet that does recalculate gets the same
numbers (the tests hold LibreOffice and the ``formulas`` package to 1e-9). Text that came from
a user (labels, names, sources, notes) is always written as text: a label such as ``=1+1``
stays a label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flopbook import __version__
from flopbook.render.report_files import ReportFile

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from flopbook.report.document import InputRow, Report

REPORT_FILE = ReportFile(
    option="xlsx",
    suffixes=(".xlsx",),
    noun="the workbook",
    help="Write a workbook with live formulas (Inputs, Calculations, Results) to this .xlsx "
    "file. E.g. --xlsx out/fleet.xlsx",
    writer="write_workbook",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    download="Workbook (.xlsx, live formulas)",
)

# Excel number formats by unit (the value stays in the unit; only its display is scaled).
NUMBER_FORMATS: dict[str, str] = {
    "USD": '$#,##0.0,," M"',
    "USD/year": '$#,##0.0,," M/year"',
    "USD/GPU": '$#,##0"/GPU"',
    "USD/GPU/year": '$#,##0"/GPU-year"',
    "USD/GPU/hour": '$0.000"/GPU-hour"',
    "USD/(PFLOP/s*hour)": '$0.000"/(PFLOP/s·hour)"',
    "USD/kWh": '$0.000"/kWh"',
    "USD/kW/month": '$#,##0.0"/kW/month"',
    "GPU": '#,##0" GPU"',
    "MW": '#,##0.00" MW"',
    "W": '#,##0" W"',
    "W/GPU": '#,##0" W/GPU"',
    "GWh/year": '#,##0.0" GWh/year"',
    "GPU*hour/year": '#,##0.00,," M GPU-hour/year"',
    "PFLOP/s": '#,##0" PFLOP/s"',
    "TFLOP/s": '#,##0" TFLOP/s"',
    "year": '0.##" year"',
    "FLOP": '0.000E+00" FLOP"',
    "FLOP/token": '0.000E+00" FLOP/token"',
    "GPU*hour": '#,##0" GPU-hour"',
    "GPU*s": '#,##0.000" GPU-second"',
    "TB/s": '#,##0.00" TB/s"',
    "day": '#,##0.0" day"',
    "MWh": '#,##0.0" MWh"',
    "Wh": '#,##0.000" Wh"',
    "token": '#,##0" tokens"',
    "token/s/GPU": '#,##0" tok/s/GPU"',
    "request/day": '#,##0" req/day"',
    "USD/Mtoken": '$#,##0.000" /Mtok"',
    "USD/day": '$#,##0" /day"',
    "USD/request": '$0.000000" /request"',
    "GPU*hour/day": '#,##0" GPU-hour/day"',
    "GPU*s/request": '#,##0.000" GPU-second/request"',
    "MWh/day": '#,##0.0" MWh/day"',
    "Wh/request": '#,##0.000" Wh/request"',
}
PERCENT = "0.0%"
PLAIN = "#,##0.####"

_REF = re.compile(r"\{(?:#(\d+):)?(\w+)(?:@([^}]+))?\}")
_SAME_SHEET_RANGE = re.compile(
    r"(?P<sheet>'(?:[^']|'')+')!(?P<a>\$?[A-Z]+\$?\d+):(?P=sheet)!(?P<b>\$?[A-Z]+\$?\d+)"
)
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell and the engine's value it must compute (for tests and audits)."""

    sheet: str
    cell: str  # A1
    formula: str
    expected: float


def _col(n: int) -> str:
    # XlsxWriter is loaded only when a workbook is written
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(n)


def _a1(row: int, col: int, absolute: bool = False) -> str:
    # XlsxWriter is loaded only when a workbook is written
    from xlsxwriter.utility import xl_rowcol_to_cell

    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _Styles:
    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.bold = wb.add_format({"bold": True})
        self.header = wb.add_format(
            {"bold": True, "bottom": 1, "bg_color": "#EEF2F7", "text_wrap": True, "valign": "top"}
        )
        # a column of figures is headed, and its "n/a" written, on the figures' side
        self.header_num = wb.add_format(
            {
                "bold": True,
                "bottom": 1,
                "bg_color": "#EEF2F7",
                "text_wrap": True,
                "valign": "top",
                "align": "right",
            }
        )
        self.muted_num = wb.add_format({"font_color": "#777777", "valign": "top", "align": "right"})
        self.text = wb.add_format({"valign": "top"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.muted = wb.add_format({"font_color": "#777777", "valign": "top"})
        self.muted_wrap = wb.add_format(
            {"font_color": "#777777", "valign": "top", "text_wrap": True}
        )
        self.flag = wb.add_format({"font_color": "#B00020", "bold": True})
        self.link = wb.add_format({"font_color": "#1F4E99", "underline": 1})
        self._numbers: dict[tuple[str, bool], Format] = {}

    def number(self, fmt: str, bold: bool = False, input_cell: bool = False) -> Format:
        key = (fmt + ("|in" if input_cell else ""), bold)
        if key not in self._numbers:
            spec: dict[str, Any] = {"num_format": fmt, "valign": "top"}
            if bold:
                spec["bold"] = True
            if input_cell:  # inputs look editable: the one place to change a number
                spec.update({"bg_color": "#FFF7D6", "font_color": "#1F3F9F"})
            self._numbers[key] = self.wb.add_format(spec)
        return self._numbers[key]


def number_format(unit: str, percent: bool = False) -> str:
    if percent:
        return PERCENT
    return NUMBER_FORMATS.get(unit, PLAIN)


class _Widths:
    """Column widths that fit what was written (capped; long text wraps)."""

    def __init__(self) -> None:
        self.w: dict[int, float] = {}

    def see(self, col: int, text: str, cap: float = 60) -> None:
        longest = max((len(t) for t in str(text).splitlines()), default=0)
        self.w[col] = max(self.w.get(col, 0), min(cap, longest + 2))

    def apply(self, ws: Worksheet, minimum: float = 8) -> None:
        for col, width in self.w.items():
            ws.set_column(col, col, max(minimum, width))


# The unit of the value in the cell (formats may scale the display, never the value).
UNIT_TEXT: dict[str, str] = {
    "USD/GPU/hour": "USD per GPU-hour",
    "USD/(PFLOP/s*hour)": "USD per PFLOP/s-hour",
    "GPU*hour/year": "GPU-hours per year",
    "USD/kW/month": "USD per kW-month",
    "1/year": "share per year",
}


def _unit_label(unit: str) -> str:
    if not unit:
        return "share / number"
    return UNIT_TEXT.get(unit, unit)


PAGES_WIDE = {"Inputs": 2}
"""Sheets printed two pages wide: the inputs' value columns on the first, their names,
sources and notes on the second, each beside the repeated label column (one page wide, its
ten columns would print at under half size)."""

# The inputs' text columns, as wide as they print (characters); longer text wraps, and its
# row is made tall enough to show it in print, where nothing grows a row by itself.
INPUT_TEXT_WIDTHS = {0: 45, 6: 28, 7: 28, 8: 42, 9: 42}
LINE_HEIGHT = 15.0
"""Points per line of wrapped text (the default row height)."""


def _lines(text: str, width: float) -> int:
    """Lines ``text`` takes, wrapped in a column ``width`` characters wide."""
    # a column of N characters of digits holds about 1.15 N of proportional text
    usable = max(1, int(width * 1.15) - 2)
    return sum(max(1, math.ceil(len(part) / usable)) for part in str(text).splitlines() or [""])


NOTE_WIDTH = 150
"""Characters a sentence under a table wraps at: about a landscape page at the sheet's
scale. A note written in one cell ran far to the right of its table, and the sheet then
printed, one page wide, at a fraction of its size."""


def _note(ws: Worksheet, row: int, text: str, fmt: Any, columns: int) -> None:
    """A sentence under a table, wrapped across the table's ``columns`` (merged) and its row
    as tall as the wrapped text."""
    if columns > 1:
        ws.merge_range(row, 0, row, columns - 1, text, fmt)
    else:
        ws.write_string(row, 0, text, fmt)
    lines = _lines(text, NOTE_WIDTH)
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines)


def _print_setup(ws: Worksheet) -> None:
    """Each sheet prints as a reader expects: landscape, as wide as one page (the inputs two,
    see PAGES_WIDE; as many pages down as it needs), the frozen heading rows and label columns
    repeated on every page, the sheet's name above and page numbers below."""
    ws.set_landscape()
    ws.fit_to_pages(PAGES_WIDE.get(ws.get_name(), 1), 0)
    ws.center_horizontally()
    ws.set_header("&L&A")
    ws.set_footer("&RPage &P of &N")
    # the panes freeze_panes set: heading rows and label columns (XlsxWriter keeps them as
    # [row, col, ...]); without panes, the first row and column
    panes = getattr(ws, "panes", None) or [1, 1]
    rows, cols = int(panes[0]) or 1, int(panes[1]) or 1
    ws.repeat_rows(0, rows - 1)
    ws.repeat_columns(0, cols - 1)


def write_workbook(report: Report, path: str, *, cached: bool = True) -> list[FormulaCell]:
    """Write ``report`` to ``path``; return every formula cell with its expected value.

    ``cached=False`` leaves the cached results at zero (the tests use it to prove that a
    spreadsheet computes the numbers rather than showing flopbook's)."""
    # XlsxWriter is loaded only when a workbook is written
    import xlsxwriter

    # in_memory: XlsxWriter otherwise stages every XML part in a temporary file, and a run
    # stopped part-way (a time limit, a killed worker) leaves those files behind in /tmp
    wb = xlsxwriter.Workbook(
        path,
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "in_memory": True,
        },
    )
    writer = _Writer(wb, report, cached)
    try:
        writer.write()
    finally:
        wb.close()
    return writer.cells


class _Writer:
    def __init__(self, wb: Workbook, report: Report, cached: bool) -> None:
        self.wb, self.report, self.cached = wb, report, cached
        self.s = _Styles(wb)
        self.cells: list[FormulaCell] = []
        self.places: dict[tuple[int, str, str], tuple[str, int, int]] = {}
        self.sheet_names = self._block_sheet_names()

    # -- names and references ----------------------------------------------------------

    def _block_sheet_names(self) -> list[str]:
        names = []
        for i, _ in enumerate(self.report.blocks):
            names.append("Calculations" if i == 0 else f"Calculations {i + 1}")
        return names

    def resolve(self, template: str, block: int, column: str, sheet: str) -> str:
        """A formula with its ``{line@column}`` references made cell addresses."""

        def ref(m: re.Match[str]) -> str:
            b = int(m.group(1)) if m.group(1) is not None else block
            key, col = m.group(2), m.group(3) or column
            where = self.places.get((b, key, col))
            if where is None:
                raise ValueError(f"formula refers to {key}@{col} of block {b}, not written")
            target, r, c = where
            address = _a1(r, c)
            return address if target == sheet else f"{_quote(target)}!{_a1(r, c, True)}"

        # a range across to another sheet is written once: 'Sheet'!$C$5:$J$5
        return _SAME_SHEET_RANGE.sub(r"\g<sheet>!\g<a>:\g<b>", _REF.sub(ref, template))

    def formula(
        self,
        ws: Worksheet,
        sheet: str,
        row: int,
        col: int,
        formula: str,
        expected: float,
        fmt: Format,
    ) -> None:
        ws.write_formula(row, col, "=" + formula, fmt, expected if self.cached else 0)
        self.cells.append(FormulaCell(sheet, _a1(row, col), formula, expected))

    # -- sheets ------------------------------------------------------------------------

    def write(self) -> None:
        results = self.wb.add_worksheet("Results")
        inputs = self.wb.add_worksheet("Inputs")
        calcs = [self.wb.add_worksheet(n) for n in self.sheet_names]
        published = (
            self.wb.add_worksheet("Published")
            if self.report.grids or self.report.discrepancies or self.report.sources
            else None
        )
        self.write_inputs(inputs)
        self.plan_blocks()
        for i, (ws, name) in enumerate(zip(calcs, self.sheet_names, strict=True)):
            self.write_block(ws, name, i)
        self.write_results(results)
        if published is not None:
            self.write_published(published)
        if self.report.sensitivity:
            self.write_sensitivity(self.wb.add_worksheet("Sensitivity"))
        for ws in self.wb.worksheets():
            _print_setup(ws)
        results.activate()

    def write_inputs(self, ws: Worksheet) -> None:
        s, w = self.s, _Widths()
        headers = [
            "Input",
            "Value used",
            "Unit",
            "Low (5%)",
            "High (95%)",
            "Distribution",
            "Defined name",
            "Where it is set",
            "Source",
            "Note",
        ]
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, s.header)
            w.see(c, h)
        ws.freeze_panes(1, 1)
        row = 1
        for item in self.report.inputs:
            self._input_row(ws, row, item, w, editable=True)
            row += 1
        row += 1
        ws.write_string(
            row,
            0,
            "Unit conversions and model constants (fixed by the "
            "definitions of the units and by the model)",
            s.bold,
        )
        row += 1
        for item in self.report.constants:
            self._input_row(ws, row, item, w, editable=False)
            row += 1
        row += 1
        ws.write_string(
            row,
            0,
            "Change a yellow cell and every number recalculates. Ranges "
            "are summarised by their median here; flopbook samples the whole range "
            "(see the HTML report for percentiles).",
            s.muted,
        )
        w.apply(ws)
        for c, width in INPUT_TEXT_WIDTHS.items():
            ws.set_column(c, c, width, s.wrap)

    def _input_row(
        self, ws: Worksheet, row: int, item: InputRow, w: _Widths, editable: bool
    ) -> None:
        s = self.s
        fmt = s.number(number_format(item.unit, item.percent), input_cell=editable)
        plain = s.number(number_format(item.unit, item.percent))
        label = item.label + (" (flopbook default)" if item.default else "")
        ws.write_string(row, 0, label, s.wrap)
        w.see(0, label)
        ws.write_number(row, 1, item.value, fmt)
        w.see(1, "0" * 16)
        ws.write_string(row, 2, _unit_label(item.unit), s.text)
        w.see(2, _unit_label(item.unit))
        if item.is_range:
            ws.write_number(row, 3, item.low, plain)
            ws.write_number(row, 4, item.high, plain)
            w.see(3, "0" * 14)
            w.see(4, "0" * 14)
        ws.write_string(row, 5, item.distribution, s.text)
        w.see(5, item.distribution)
        ws.write_string(row, 6, item.name, s.muted_wrap)
        ws.write_string(row, 7, item.place, s.muted_wrap)
        for c, text in ((8, item.source), (9, item.note)):
            if text:
                ws.write_string(row, c, text, s.wrap)
        texts = {0: label, 6: item.name, 7: item.place, 8: item.source or "", 9: item.note or ""}
        tallest = max(_lines(t, INPUT_TEXT_WIDTHS[c]) for c, t in texts.items())
        if tallest > 1:
            ws.set_row(row, LINE_HEIGHT * tallest)
        self.wb.define_name(item.name, f"=Inputs!{_a1(row, 1, True)}")

    def plan_blocks(self) -> None:
        """Place every line of every block before writing any, so that references between
        blocks resolve in any order."""
        for i, block in enumerate(self.report.blocks):
            for r, line in enumerate(block.lines):
                for c, column in enumerate(block.columns):
                    self.places[(i, line.key, column)] = (self.sheet_names[i], 2 + r, 2 + c)

    def write_block(self, ws: Worksheet, sheet: str, i: int) -> None:
        s, w = self.s, _Widths()
        block = self.report.blocks[i]
        ws.write_string(0, 0, block.title, s.title)
        headers = ["Line", "Unit", *block.columns, "How it is computed"]
        for c, h in enumerate(headers):
            ws.write_string(1, c, h, s.header_num if 2 <= c < len(headers) - 1 else s.header)
            w.see(c, h)
        ws.freeze_panes(2, 2)
        doc_col = 2 + len(block.columns)
        for r, line in enumerate(block.lines, start=2):
            bold = line.key in block.highlights
            label = line.label + (" (avg)" if line.kind == "intensive" else "")
            ws.write_string(r, 0, label, s.bold if bold else s.text)
            w.see(0, label)
            ws.write_string(r, 1, _unit_label(line.unit), s.text)
            w.see(1, _unit_label(line.unit))
            for c, column in enumerate(block.columns, start=2):
                unit = line.unit_in(column)  # a yearly amount's Total is an amount
                fmt = s.number(
                    number_format(unit, line.percent or (unit == "" and line.kind == "input")),
                    bold=bold,
                )
                template, value = line.formulas.get(column), line.values.get(column)
                w.see(c, "0" * 18)
                if template is None or value is None:
                    if line.kind not in ("input", "single") or column != block.columns[-1]:
                        ws.write_string(r, c, "n/a", s.muted_num)
                    continue
                self.formula(ws, sheet, r, c, self.resolve(template, i, column, sheet), value, fmt)
            ws.write_string(r, doc_col, line.doc, s.muted)
            w.see(doc_col, line.doc, cap=80)
        row = 3 + len(block.lines)
        for note in block.notes:
            ws.write_string(row, 0, note, s.muted)
            row += 1
        w.w[0] = max(w.w.get(0, 0), 30)
        w.apply(ws)

    def write_results(self, ws: Worksheet) -> None:
        s, w = self.s, _Widths()
        rep = self.report
        ws.write_string(0, 0, rep.title, s.title)
        row = 1
        # the free text spans the widest table: a results table's label, unit and columns,
        # or a table of checks
        span = max([2 + len(b.columns) for b in rep.blocks] + [8 if rep.checks else 0])
        if rep.summary:
            _note(ws, row, rep.summary, s.wrap, span)
            row += 1
        made = (
            f"Made by flopbook {__version__}"
            + (f" from {rep.origin}" if rep.origin else "")
            + ". Every number below is a live formula: change an input on the Inputs "
            "sheet and it recalculates."
        )
        if rep.sampled:
            made += (
                " Uncertain inputs are set to their medians here, so the results are the "
                "model at the medians, not means over the ranges."
            )
        _note(ws, row, made, s.muted_wrap, span)
        row += 2
        if rep.checks:
            row = self._checks(ws, row, w) + 1
        if rep.claims:
            row = self._claims(ws, row, w) + 1
        header_row = row
        for i, block in enumerate(rep.blocks):
            ws.write_string(row, 0, block.title, s.bold)
            row += 1
            heads = ["Result", "Unit", *block.columns]
            for c, h in enumerate(heads):
                ws.write_string(row, c, h, s.header_num if c >= 2 else s.header)
                w.see(c, h)
            row += 1
            for key in block.highlights:
                line = block.line(key)
                label = line.label + (" (avg)" if line.kind == "intensive" else "")
                ws.write_string(row, 0, label, s.text)
                w.see(0, label)
                ws.write_string(row, 1, _unit_label(line.unit), s.text)
                w.see(1, _unit_label(line.unit))
                for c, column in enumerate(block.columns, start=2):
                    fmt = s.number(number_format(line.unit_in(column), line.percent))
                    w.see(c, "0" * 18)
                    value = line.values.get(column)
                    if line.formulas.get(column) is None or value is None:
                        if line.kind != "single" or column != block.columns[-1]:
                            ws.write_string(row, c, "n/a", s.muted_num)
                        continue
                    self.formula(
                        ws,
                        "Results",
                        row,
                        c,
                        self.resolve(f"{{#{i}:{key}@{column}}}", i, column, "Results"),
                        value,
                        fmt,
                    )
                row += 1
            for note in block.notes:
                _note(ws, row, note, s.muted_wrap, 2 + len(block.columns))
                row += 1
            row += 1
        if not rep.checks:
            ws.freeze_panes(header_row, 1)
        w.w[0] = max(w.w.get(0, 0), 34)
        w.w[0] = min(w.w[0], 60)
        w.apply(ws)

    def _checks(self, ws: Worksheet, row: int, w: _Widths) -> int:
        s = self.s
        ws.write_string(row, 0, "Published figures against the model", s.bold)
        row += 1
        # Each figure on a line of its own, its unit and numbers on the next: a figure's own
        # words ("… against the $2 rental", "… per H800-hour") must not read as the unit of
        # its numbers, to a person or to `flopbook audit`.
        heads = [
            "Figure (unit below)",
            "Published",
            "Model",
            "Model / published",
            "Tolerance",
            "Verdict",
            "Source",
            "Note",
        ]
        for c, h in enumerate(heads):
            ws.write_string(row, c, h, s.header)
            w.see(c, h)
        ws.freeze_panes(row + 1, 1)
        row += 1
        ratio_fmt = s.number("0.000")
        for chk in self.report.checks:
            fmt = s.number(number_format(chk.unit))
            label = chk.label + (" (derived)" if chk.derived else "")
            ws.write_string(row, 0, label, s.bold)
            w.see(0, label, cap=60)
            row += 1
            ws.write_string(row, 0, "in " + _unit_label(chk.unit), s.muted)
            pub, mod = _a1(row, 1), _a1(row, 2)
            ws.write_number(row, 1, chk.published, fmt)
            if chk.formula is not None:
                self.formula(
                    ws,
                    "Results",
                    row,
                    2,
                    self.resolve(chk.formula, 0, "Total", "Results"),
                    chk.model,
                    fmt,
                )
            else:
                ws.write_number(row, 2, chk.model, fmt)
            self.formula(ws, "Results", row, 3, f"{mod}/{pub}", chk.ratio, ratio_fmt)
            if chk.tolerance is None:
                ws.write_string(row, 4, "comparison", s.muted)
                ws.write_string(row, 5, "—", s.muted)
            else:
                tol = _a1(row, 4)
                ws.write_number(row, 4, chk.tolerance, s.number(PERCENT))
                verdict = "ok" if chk.ok else "OFF"
                ws.write_formula(
                    row,
                    5,
                    f'=IF(ABS({mod}-{pub})<={tol}*ABS({pub}),"ok","OFF")',
                    s.text,
                    verdict if self.cached else "",
                )
            for c in (1, 2, 3, 4):
                w.see(c, "0" * 16)
            ws.write_string(row, 6, chk.source.cite(), s.wrap)
            w.see(6, chk.source.cite(), cap=50)
            if chk.note:
                ws.write_string(row, 7, chk.note, s.wrap)
                w.see(7, chk.note, cap=50)
            row += 1
        return row

    def _claims(self, ws: Worksheet, row: int, w: _Widths) -> int:
        """Claims in words (a verdict such as "within means") beside the model's, as text."""
        s = self.s
        ws.write_string(row, 0, "Claims in words against the model", s.bold)
        row += 1
        for c, h in enumerate(
            [
                "Claim",
                "Claimed",
                "Model",
                "Probability of the model's answer",
                "Agree",
                "Source",
                "Note",
            ]
        ):
            ws.write_string(row, c, h, s.header)
            w.see(c, h)
        row += 1
        for cl in self.report.claims:
            ws.write_string(row, 0, cl.label, s.wrap)
            ws.write_string(row, 1, cl.published, s.text)
            ws.write_string(row, 2, cl.model, s.text)
            if cl.probability is not None:
                ws.write_number(row, 3, cl.probability, s.number(PERCENT))
            ws.write_string(row, 4, "yes" if cl.ok else "NO", s.text if cl.ok else s.flag)
            ws.write_string(row, 5, cl.source.cite(), s.wrap)
            if cl.note:
                ws.write_string(row, 6, cl.note, s.wrap)
            for c, text in enumerate([cl.label, cl.published, cl.model]):
                w.see(c, text, cap=50)
            row += 1
        ws.write_string(
            row,
            0,
            "A claim's verdict is read from the Monte Carlo samples (the "
            "most probable answer), so it is written as text, not as a formula.",
            s.muted,
        )
        return row + 1

    def write_sensitivity(self, ws: Worksheet) -> None:
        """Tornado and Sobol indices as values: each is many reruns of the model over the
        samples, which no formula of the cells above can give."""
        s, w = self.s, _Widths()
        row = 0
        for found in self.report.sensitivity:
            t = found.tornado
            ws.write_string(row, 0, f"What moves {found.label} — tornado", s.bold)
            row += 1
            ws.write_string(
                row,
                0,
                "Values, not formulas: each input from its 5th to its 95th "
                "percentile with the others at their medians, the model rerun for "
                "each.",
                s.muted,
            )
            row += 1
            heads = [
                "Input",
                "Input P5",
                "Input P95",
                "Input unit",
                "Output at P5",
                "Output at P95",
                "Swing",
                "Output unit",
            ]
            for c, h in enumerate(heads):
                ws.write_string(row, c, h, s.header)
                w.see(c, h)
            row += 1
            for b in t.bars:
                ws.write_string(row, 0, b.label, s.text)
                w.see(0, b.label)
                for c, x in (
                    (1, b.low),
                    (2, b.high),
                    (4, b.output_low),
                    (5, b.output_high),
                    (6, b.swing),
                ):
                    ws.write_number(row, c, x, s.number(PLAIN))
                    w.see(c, "0" * 16)
                ws.write_string(row, 3, _unit_label(b.unit), s.text)
                ws.write_string(row, 7, _unit_label(t.unit), s.text)
                row += 1
            row += 1
            r = found.sobol
            ws.write_string(
                row,
                0,
                f"Shares of the variance of {found.label} — Sobol indices "
                f"(N = {r.base_samples:,}, {r.evaluations:,} model runs; inputs "
                "taken as independent)",
                s.bold,
            )
            row += 1
            for c, h in enumerate(["Input", "First order", "± (95%)", "Total", "± (95%)"]):
                ws.write_string(row, c, h, s.header)
            row += 1
            fmt = s.number("0.000")
            for i in r.indices:
                ws.write_string(row, 0, i.label, s.text)
                w.see(0, i.label)
                for c, x in enumerate((i.first, i.first_conf, i.total, i.total_conf), start=1):
                    ws.write_number(row, c, x, fmt)
                row += 1
            row += 2
        w.w[0] = min(max(w.w.get(0, 0), 30), 60)
        w.apply(ws, minimum=10)

    def write_published(self, ws: Worksheet) -> None:
        s, w = self.s, _Widths()
        rep = self.report
        row = 0
        for grid in rep.grids:
            ws.write_string(row, 0, grid.title, s.bold)
            row += 1
            for c, h in enumerate(["", *grid.columns]):
                ws.write_string(row, c, h, s.header)
            row += 1
            for r, (label, _unit, cells) in enumerate(grid.rows):
                flagged_row = (r, -1) in grid.flagged
                ws.write_string(
                    row, 0, label + (" ✗" if flagged_row else ""), s.flag if flagged_row else s.text
                )
                w.see(0, label + " ✗")
                for c, cell in enumerate(cells):
                    flagged = (r, c) in grid.flagged
                    ws.write_string(
                        row, c + 1, cell + (" ✗" if flagged else ""), s.flag if flagged else s.text
                    )
                    w.see(c + 1, cell + " ✗")
                row += 1
            if grid.caption:
                ws.write_string(row, 0, grid.caption, s.muted)
                row += 1
            row += 1
        if rep.discrepancies:
            ws.write_string(row, 0, "What is wrong in it", s.bold)
            row += 1
            for c, h in enumerate(["Code", "Error", "Where", "As published", "Corrected", "Why"]):
                ws.write_string(row, c, h, s.header)
            row += 1
            for d in rep.discrepancies:
                for c, text in enumerate(
                    [d.code, d.title, d.where, d.published, d.corrected, d.explanation]
                ):
                    ws.write_string(row, c, text, s.wrap if c == 5 else s.text)
                row += 1
            row += 1
        if rep.sources:
            ws.write_string(row, 0, "Sources", s.bold)
            row += 1
            for src in rep.sources:
                ws.write_string(row, 0, src.title, s.text)
                if src.date:
                    ws.write_string(row, 1, src.date, s.text)
                if src.url and src.url.startswith(("https://", "http://")):
                    ws.write_url(row, 2, src.url, s.link, string=src.url)
                row += 1
        for note in rep.notes:
            ws.write_string(row, 0, "Note: " + note, s.muted)
            row += 1
        w.w[0] = min(max(w.w.get(0, 0), 30), 60)
        w.apply(ws, minimum=10)
