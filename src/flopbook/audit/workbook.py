"""A workbook as the audit sees it: per sheet, the value of every cell (the cached value for a
formula: what the workbook showed when it was last saved, i.e. "as published"), the formula
text of formula cells, and the labels around each cell.

Reading is one pass over each sheet's XML with openpyxl's own sheet parser, keeping both the
formula and its cached value (openpyxl's public API gives one or the other per load, and
loading twice costs twice; see benchmarks/audit_speed.py).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException

from flopbook.audit.formula import Parsed, a1, moved, parse, r1c1
from flopbook.audit.safety import Package, check_package
from flopbook.audit.suppress import read_comments
from flopbook.errors import InputError, WorkbookError

Pos = tuple[int, int]  # (row, column), 1-based


class CellError(str):
    """An error value a formula showed when saved: #REF!, #DIV/0!, #VALUE!, #N/A …"""


ERROR_VALUES = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
}


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


@dataclass
class Sheet:
    name: str
    values: dict[Pos, Any] = field(default_factory=dict)  # constants and cached values
    formulas: dict[Pos, str] = field(default_factory=dict)  # "=SUM(B3:E3)"
    _parsed: dict[Pos, Parsed] = field(default_factory=dict, repr=False)
    _shapes: dict[Pos, str] = field(default_factory=dict, repr=False)
    _copy_of: dict[Pos, Pos] = field(default_factory=dict, repr=False)
    cache: dict[str, dict[Pos, Any]] = field(default_factory=dict, repr=False)  # per rule helper
    comments: dict[Pos, str] = field(default_factory=dict, repr=False)  # cell notes' text
    _row_texts: dict[int, list[tuple[int, str]]] | None = field(default=None, repr=False)
    _col_texts: dict[int, list[tuple[int, str]]] | None = field(default=None, repr=False)

    # ---- cells -------------------------------------------------------------------------
    def value(self, pos: Pos) -> Any:
        return self.values.get(pos)

    def is_empty(self, pos: Pos) -> bool:
        return pos not in self.formulas and self.values.get(pos) in (None, "")

    def is_text(self, pos: Pos) -> bool:
        v = self.values.get(pos)
        return pos not in self.formulas and isinstance(v, str) and not isinstance(v, CellError)

    def is_numeric(self, pos: Pos) -> bool:
        """A number, typed or computed (a formula whose saved value is a number or unknown)."""
        if pos in self.formulas:
            v = self.values.get(pos)
            return v is None or is_number(v)
        return is_number(self.values.get(pos))

    def parsed(self, pos: Pos) -> Parsed | None:
        p = self._parsed.get(pos)
        if p is not None:
            return p
        text = self.formulas.get(pos)
        if text is None:
            return None
        r, c = pos
        # Most formulas are copies of the one above or to the left: move that one and
        # compare texts, which costs a fraction of parsing (the shape is the same, too).
        for prev, dr, dc in (((r - 1, c), 1, 0), ((r, c - 1), 0, 1)):
            q = self._parsed.get(prev)
            if q is not None and not q.error:
                m = moved(q, dr, dc, expected=text)
                if m is not None:
                    self._copy_of[pos] = prev
                    self._parsed[pos] = m
                    return m
        p = self._parsed[pos] = parse(text)
        return p

    def copy_of(self, pos: Pos) -> Pos | None:
        """The cell whose formula this one copies (the one above or to the left), if known."""
        self.parsed(pos)
        return self._copy_of.get(pos)

    def shape(self, pos: Pos) -> str | None:
        """The formula at pos in relative R1C1 form."""
        s = self._shapes.get(pos)
        if s is None:
            p = self.parsed(pos)
            if p is None:
                return None
            chain = [pos]
            while (prev := self._copy_of.get(chain[-1])) is not None and s is None:
                s = self._shapes.get(prev)
                chain.append(prev)
            if s is None:
                s = r1c1(self._parsed[chain[-1]], *chain[-1])
            for q in chain:  # a copy has the shape of what it copies
                self._shapes[q] = s
        return s

    # ---- labels ------------------------------------------------------------------------
    def _index_texts(self) -> None:
        rows: dict[int, list[tuple[int, str]]] = {}
        cols: dict[int, list[tuple[int, str]]] = {}
        for (r, c), v in self.values.items():
            if (
                isinstance(v, str)
                and not isinstance(v, CellError)
                and v.strip()
                and (r, c) not in self.formulas
            ):
                rows.setdefault(r, []).append((c, v))
                cols.setdefault(c, []).append((r, v))
        for lst in (*rows.values(), *cols.values()):
            lst.sort()
        self._row_texts, self._col_texts = rows, cols

    def row_label(self, pos: Pos) -> str | None:
        """The nearest text to the left of pos in its row (the row's label)."""
        if self._row_texts is None:
            self._index_texts()
        assert self._row_texts is not None
        best = None
        for c, text in self._row_texts.get(pos[0], ()):
            if c >= pos[1]:
                break
            best = text
        return best

    def row_text(self, pos: Pos) -> str | None:
        """Every text left of pos in its row, joined: a label and its unit column."""
        if self._row_texts is None:
            self._index_texts()
        assert self._row_texts is not None
        texts = [t for c, t in self._row_texts.get(pos[0], ()) if c < pos[1]]
        return " ".join(texts) if texts else None

    def column_header(self, pos: Pos) -> str | None:
        """The nearest text above pos in its column (the column's header)."""
        if self._col_texts is None:
            self._index_texts()
        assert self._col_texts is not None
        best = None
        for r, text in self._col_texts.get(pos[1], ()):
            if r >= pos[0]:
                break
            best = text
        return best

    def header_cell(self, pos: Pos) -> Pos | None:
        """Where the column header of pos is."""
        if self._col_texts is None:
            self._index_texts()
        assert self._col_texts is not None
        best = None
        for r, _ in self._col_texts.get(pos[1], ()):
            if r >= pos[0]:
                break
            best = (r, pos[1])
        return best

    def label_cell(self, pos: Pos) -> Pos | None:
        """Where the row label of pos is."""
        if self._row_texts is None:
            self._index_texts()
        assert self._row_texts is not None
        best = None
        for c, _ in self._row_texts.get(pos[0], ()):
            if c >= pos[1]:
                break
            best = (pos[0], c)
        return best


@dataclass
class Workbook:
    path: str
    sheets: dict[str, Sheet]
    package: Package = field(default_factory=Package)
    defined_names: dict[str, str] = field(default_factory=dict)
    evaluations: int = 0  # suggested formulas computed so far (see recompute.evaluate)

    @property
    def notes(self) -> list[str]:
        return self.package.notes

    def sheet(self, name: str | None, default: Sheet) -> Sheet | None:
        if name is None:
            return default
        if name in self.sheets:
            return self.sheets[name]
        low = name.lower()  # sheet names are case-insensitive in Excel
        return next((s for n, s in self.sheets.items() if n.lower() == low), None)

    def formula_cells(self) -> Iterator[tuple[Sheet, Pos, str]]:
        for sheet in self.sheets.values():
            for pos, text in sheet.formulas.items():
                yield sheet, pos, text

    @classmethod
    def from_cells(
        cls,
        sheets: Mapping[str, Mapping[str, Any]],
        path: str = "<memory>",
        values: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Workbook:
        """A workbook built in memory: ``{"Sheet1": {"A1": "Label", "B2": "=SUM(B1:B1)"}}``.

        Strings starting with ``=`` are formulas; ``values`` gives their saved values.
        """
        # openpyxl loads in about half a second; only reading a workbook needs it
        from openpyxl.utils.cell import coordinate_to_tuple

        out: dict[str, Sheet] = {}
        for name, cells in sheets.items():
            sheet = Sheet(name)
            for coord, v in cells.items():
                pos = coordinate_to_tuple(coord)
                if isinstance(v, str) and v.startswith("=") and len(v) > 1:
                    sheet.formulas[pos] = v
                    sheet.values[pos] = None
                elif isinstance(v, str) and v in ERROR_VALUES:
                    sheet.values[pos] = CellError(v)
                elif v is not None:
                    sheet.values[pos] = v
            for coord, v in ((values or {}).get(name) or {}).items():
                pos = coordinate_to_tuple(coord)
                sheet.values[pos] = CellError(v) if isinstance(v, str) and v in ERROR_VALUES else v
            out[name] = sheet
        return cls(path, out)


_FAST_TYPES = frozenset({"n", "s", "b", "e", "str", "inlineStr"})
_DIGITS = "0123456789"
_TEXT_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"


def _parser_class() -> type:
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.worksheet._reader import (
        FORMULA_TAG,
        INLINE_STRING,
        VALUE_TAG,
        WorkSheetParser,
        _cast_number,
    )
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    class BothParser(WorkSheetParser):
        """openpyxl's sheet parser, keeping a formula *and* its cached value."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            # The commonest cells (numbers, shared strings, booleans, error values, formula
            # results; their coordinate written, no date format) are read here in one pass,
            # as openpyxl's parse_cell reads them with data_only: on a large workbook its
            # general path and a second look for the formula cost a third of the read.
            # Everything else goes to openpyxl. tests/audit/test_audit_reader.py holds this
            # path to openpyxl's on every kind of cell.
            get = element.get
            data_type = get("t", "n")
            coordinate = get("r")
            style = get("s")
            style_id = int(style) if style else 0
            fast = coordinate and data_type in _FAST_TYPES and style_id not in self.date_formats
            value = None
            if fast and data_type == "inlineStr":  # text written in the cell: plain, one <t>
                child = element.find(INLINE_STRING)
                kids = list(child) if child is not None else []
                fast = len(kids) == 1 and kids[0].tag == _TEXT_TAG
                value, data_type = (kids[0].text or "", "s") if fast else (None, data_type)
            elif fast:
                value = element.findtext(VALUE_TAG, None) or None
                if value is not None:
                    if data_type == "n":
                        value = _cast_number(value)
                    elif data_type == "s":
                        value = self.shared_strings[int(value)]
                    elif data_type == "b":
                        value = bool(int(value))
                    elif data_type == "str":
                        data_type = "s"
            if fast:
                letters = coordinate.rstrip(_DIGITS)  # "AB12": the column's letters, the row
                column = self.col_counter = column_index_from_string(letters)
                cell = {
                    "row": int(coordinate[len(letters) :]),
                    "column": column,
                    "value": value,
                    "data_type": data_type,
                    "style_id": style_id,
                }
            else:
                cell = super().parse_cell(element)  # data_only: the cached value
            found = element.find(FORMULA_TAG)
            if found is None:
                return cell
            if found.get("t") is None and found.text:  # a plain formula, the commonest kind:
                cell["formula"] = "=" + found.text  # as parse_formula writes it, read once
            else:
                formula = self.parse_formula(element)
                if isinstance(formula, ArrayFormula):
                    formula = formula.text
                elif isinstance(formula, DataTableFormula):
                    formula = None  # a what-if table: Excel fills it, there is no formula
                if isinstance(formula, str) and len(formula) > 1:
                    cell["formula"] = formula
            return cell

    return BothParser


def read(path: str) -> Workbook:
    """Read a workbook for auditing, refusing unsafe or unsupported files with one line."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    import openpyxl

    package = check_package(path)
    if not openpyxl.DEFUSEDXML:
        raise InputError(
            "refusing to parse workbook XML without defusedxml",
            file=path,
            hint="install defusedxml and unset OPENPYXL_DEFUSEDXML",
        )

    parser_class = _parser_class()
    sheets: dict[str, Sheet] = {}
    names: dict[str, str] = {}
    # The load allocates a few objects per cell and keeps them all; the cyclic collector
    # would rescan them again and again while nothing here can form a cycle.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(
                path,
                read_only=True,
                data_only=True,
                keep_vba=False,
                keep_links=False,
                rich_text=False,
            )
            try:
                for dn in wb.defined_names.values():
                    if dn.value:
                        names[dn.name.upper()] = dn.value
                budget = [MAX_CELLS]
                for ws in wb.worksheets:
                    sheets[ws.title] = _read_sheet(ws, wb, parser_class, budget, path)
                    sheets[ws.title].comments = read_comments(wb, ws)  # suppression markers
            finally:
                wb.close()
    except DefusedXmlException as exc:
        raise InputError(
            f"contains an XML construct that is refused ({type(exc).__name__}; "
            "a possible entity bomb)",
            file=path,
            hint="re-save the workbook from Excel",
        ) from None
    except InputError:
        raise
    except MemoryError:
        raise InputError("is too large to read in memory", file=path) from None
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        if _caused_by(exc, DefusedXmlException):
            raise InputError(
                "contains an XML construct that is refused (an entity or DTD "
                "declaration; a possible entity bomb)",
                file=path,
                hint="re-save the workbook from Excel",
            ) from None
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(
            f"could not be read as a workbook ({detail})",
            file=path,
            hint="open and re-save it in Excel, or check that it is an .xlsx",
        ) from None
    finally:
        if was_enabled:
            gc.enable()
    return Workbook(path, sheets, package, names)


def _caused_by(exc: BaseException, kind: type) -> bool:
    seen = 0
    e: BaseException | None = exc
    while e is not None and seen < 20:
        if isinstance(e, kind):
            return True
        e = e.__cause__ or e.__context__
        seen += 1
    return False


MAX_CELLS = 2_000_000
"""Most cells read from one workbook, across its sheets (see docs/limits.md)."""


def _read_sheet(ws: Any, wb: Any, parser_class: type, budget: list[int], path: str) -> Sheet:
    sheet = Sheet(ws.title)
    values = sheet.values
    formulas = sheet.formulas
    with ws._get_source() as src:
        parser = parser_class(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for _, row in parser.parse():
            budget[0] -= len(row)
            if budget[0] < 0:
                raise WorkbookError(
                    f"holds more than {MAX_CELLS:,} cells, more than the audit reads",
                    file=path,
                    hint="audit a copy with fewer sheets (see docs/limits.md)",
                )
            for cell in row:
                pos = (cell["row"], cell["column"])
                v = cell["value"]
                if cell["data_type"] == "e" and v is not None:
                    v = CellError(v)
                f = cell.get("formula")
                if f is not None:
                    formulas[pos] = f
                    values[pos] = v
                elif v is not None:
                    values[pos] = v
    return sheet


def cell_name(sheet: Sheet, pos: Pos) -> str:
    return f"{sheet.name}!{a1(*pos)}"
