"""User text on its way out: kept text in every format, and short when echoed back.

Text a user wrote (a SKU's name, a claim, a source, a workbook's label) ends up in CSV files
and workbooks that Excel, LibreOffice and Google Sheets open. A cell whose text starts with
``=``, ``+``, ``-`` or ``@`` is read there as a formula (``=HYPERLINK(…)``, ``=cmd|' /C
calc'!A0``), and so is one that starts with a tab or a carriage return followed by one. Every
writer of user text passes it through :func:`cell_text`, which does what OWASP recommends for
CSV: such a value is prefixed with a single quote, which spreadsheets show as text and drop
from the cell's value.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a text cell as a formula."""

ECHO_CHARS = 40
"""How much of a bad value an error message repeats."""


def needs_quote(text: str) -> bool:
    """True when a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS)


def cell_text(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: a string that a spreadsheet would read as a
    formula gets a leading ``'``; numbers, booleans and None pass unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def shorten(text: object, limit: int = ECHO_CHARS) -> str:
    """``text`` on one line and at most ``limit`` characters, for an error message."""
    s = " ".join(str(text).split()) if "\n" in str(text) or "\r" in str(text) else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _is_plain_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return text.strip() == text


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV field: text a spreadsheet would run as a formula gets a leading
    ``'`` (OWASP's advice); numbers, and text that is a plain number (``-1.5``, ``-3e9``),
    pass unchanged so that programs still read them as numbers."""
    if isinstance(value, str) and needs_quote(value) and not _is_plain_number(value):
        return "'" + value
    return value


class CsvWriter:
    """The one CSV writer of user text: ``csv.writer`` with every field through
    :func:`csv_cell`. Rows end in ``\\n``."""

    def __init__(self, stream: Any) -> None:
        self._w = csv.writer(stream, lineterminator="\n")
        # csv quotes a field holding the line terminator ("\n") but not a bare "\r", which
        # readers take for a line break: a row with one is written with every field quoted
        self._quoted = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Any) -> None:
        cells = [csv_cell(v) for v in row]
        if any(isinstance(c, str) and "\r" in c for c in cells):
            self._quoted.writerow(cells)
        else:
            self._w.writerow(cells)


def set_text_cell(cell: Any, text: str) -> None:
    """Put ``text`` in an openpyxl ``cell`` as a string cell, never a formula: openpyxl reads
    a value starting with ``=`` as a formula, so the type is set after the value, and a text
    that a spreadsheet would re-read as a formula when edited is marked quote-prefixed (what
    typing a leading ``'`` in Excel does)."""
    cell.value = text
    cell.data_type = "s"
    if needs_quote(text):
        cell.quotePrefix = True
