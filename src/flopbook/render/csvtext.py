"""CSV text of plain data, for a command whose result has no CSV form of its own (a listing,
the files a report wrote): the same records its JSON gives, a row each.

Light, as :mod:`flopbook.render.jsontext` is: writing a listing as CSV loads no model.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from flopbook.safe_text import CsvWriter


def records(data: Any) -> tuple[list[str], list[list[Any]]]:
    """``data`` as a header and rows: a list of mappings is a row each (columns in the order
    the keys first appear); a mapping holding one list is that list, a column named for its
    key when the list holds plain values (``{"written": ["a.xlsx"]}``); a mapping of plain
    values is one row."""
    if isinstance(data, Mapping) and len(data) == 1:
        ((key, value),) = data.items()
        if isinstance(value, list):
            if all(isinstance(v, Mapping) for v in value):
                return records(value)
            return [str(key)], [[v] for v in value]
    if isinstance(data, list) and all(isinstance(r, Mapping) for r in data):
        header: list[str] = []
        for row in data:
            header += [str(k) for k in row if str(k) not in header]
        return header, [[row.get(k) for k in header] for row in data]
    if isinstance(data, Mapping):
        return [str(k) for k in data], [list(data.values())]
    raise TypeError(f"no CSV form for {type(data).__name__} data")


def _field(value: Any) -> Any:
    # a nested value (a list, a quantity's {"value", "unit"}) is written as its JSON text
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def records_csv(data: Any) -> str:
    """CSV of ``data`` (see :func:`records`), every field through the one CSV writer, so
    that user text stays text."""
    header, rows = records(data)
    buf = io.StringIO()
    w = CsvWriter(buf)
    w.writerow(header)
    for row in rows:
        w.writerow([_field(v) for v in row])
    return buf.getvalue()
