"""JSON text of plain data, for every command's ``--format json``.

Apart from the other writers so that a command whose data holds no quantity (the audit) can
write JSON without loading the catalog, pint and NumPy that :mod:`flopbook.render.data` needs.
"""

from __future__ import annotations

import json
from typing import Any


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_default)


def _default(o: Any) -> Any:
    # NumPy numbers and arrays (from the models) as Python numbers and lists; recognised by
    # their module, so that writing JSON never has to import NumPy
    if type(o).__module__.split(".")[0] == "numpy" and hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"cannot write {type(o).__name__} as JSON")
