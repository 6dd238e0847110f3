"""How a project configures the audit, the way linters are configured.

The settings live in ``flopbook-audit.toml`` (top-level keys) or in the
``[tool.flopbook.audit]`` table of a ``pyproject.toml``::

    [tool.flopbook.audit]
    ignore = ["FB107"]                      # rules not run (select = [...] runs only these)
    exclude = ["Scratch", "Inputs!A1:D40"]  # sheets, or ranges of a sheet, not reported
    min-severity = "warning"                # error, warning or note

    [tool.flopbook.audit.severity]          # a rule's severity, changed
    FB104 = "warning"

    [tool.flopbook.audit.per-sheet-ignores] # rules not reported on one sheet
    Inputs = ["FB104"]

Where it is looked for: the workbook's own folder, then each folder above it up to the
current working directory (when the workbook lies under it; otherwise its own folder only).
The nearest folder holding either file wins, ``flopbook-audit.toml`` before ``pyproject.toml``
in the same folder, and a ``pyproject.toml`` without the table is passed over. Settings are
not merged across folders. ``--config FILE`` names the file instead; ``--no-config`` reads
none. The search stops at the working directory so that the audit never reads a file from
outside the tree the user works in.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from flopbook.audit.findings import SEVERITIES, Finding, Severity
from flopbook.audit.rules import CODES
from flopbook.errors import InputError

FILE_NAME = "flopbook-audit.toml"
TABLE = "[tool.flopbook.audit]"
KEYS = ("select", "ignore", "severity", "exclude", "per-sheet-ignores", "min-severity")
MAX_CONFIG_BYTES = 1 << 20  # a settings file is a few lines; refuse anything huge


@dataclass(frozen=True)
class Area:
    """A sheet (every cell) or a rectangle of one sheet, matched case-insensitively."""

    sheet: str
    rows: tuple[int, int] | None = None
    cols: tuple[int, int] | None = None

    def covers(self, sheet: str, row: int, col: int) -> bool:
        if sheet.lower() != self.sheet.lower():
            return False
        if self.rows is None or self.cols is None:
            return True
        return self.rows[0] <= row <= self.rows[1] and self.cols[0] <= col <= self.cols[1]


@dataclass(frozen=True)
class AuditConfig:
    """Settings for one audit. ``source`` is the file they were read from (None: defaults)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    exclude: tuple[Area, ...] = ()
    per_sheet_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_severity: Severity | None = None
    source: str | None = None

    def rules(self, known: list[str]) -> list[str]:
        """The rule codes to run, in the order given by ``known``."""
        chosen = set(self.select) if self.select is not None else set(known)
        return [c for c in known if c in chosen and c not in self.ignore]

    def apply(self, findings: list[Finding]) -> list[Finding]:
        """Findings with severities changed as configured, minus excluded cells."""
        # openpyxl loads in about half a second; only reading a workbook needs it
        from openpyxl.utils.cell import coordinate_to_tuple

        levels = dict(self.severity)
        ignored = {s.lower(): set(codes) for s, codes in self.per_sheet_ignores}
        out = []
        for f in findings:
            if f.code in ignored.get(f.sheet.lower(), ()):
                continue
            if self.exclude:
                row, col = coordinate_to_tuple(f.cell)
                if any(a.covers(f.sheet, row, col) for a in self.exclude):
                    continue
            if f.code in levels and levels[f.code] != f.severity:
                f = replace(f, severity=levels[f.code])
            out.append(f)
        return out


# ---- finding the file ------------------------------------------------------------------


def discover(book: str | Path, cwd: str | Path | None = None) -> Path | None:
    """The settings file that applies to ``book``, or None."""
    folder = Path(book).absolute().parent
    return _discover_in(str(folder), str(Path(cwd or os.getcwd()).absolute()))


def _discover_in(folder: str, cwd: str) -> Path | None:
    here = Path(folder)
    top = Path(cwd)
    chain = [here]
    if here == top or top in here.parents:
        chain += [p for p in here.parents if p == top or top in p.parents]
    for d in chain:
        own = d / FILE_NAME
        if own.is_file():
            return own
        py = d / "pyproject.toml"
        if py.is_file() and _has_table(py):
            return py
    return None


def _has_table(path: Path) -> bool:
    try:
        data = _toml(path)
    except InputError:
        return True  # a broken pyproject.toml is reported, not passed over in silence
    return isinstance(data.get("tool", {}).get("flopbook", {}).get("audit"), dict)


# ---- reading it ------------------------------------------------------------------------


def load(path: str | Path) -> AuditConfig:
    """Read and check a settings file; any mistake is one InputError naming file and key."""
    path = Path(path)
    data = _toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("flopbook", {}).get("audit")
        prefix = "tool.flopbook.audit."
        if table is None:
            raise InputError(
                f"has no {TABLE} table",
                file=str(path),
                hint=f"add one, or name a {FILE_NAME} with --config",
            )
        if not isinstance(table, dict):
            raise InputError(
                "tool.flopbook.audit must be a table", file=str(path), hint=f"write it as {TABLE}"
            )
    else:
        table, prefix = data, ""
    return parse(table, str(path), prefix)


@lru_cache(maxsize=64)
def _toml_cached(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=path) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise InputError("is larger than 1 MiB, too large for a settings file", file=path)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML ({exc})", file=path) from None


def _toml(path: Path) -> dict[str, Any]:
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(
            f"cannot be read ({exc.strerror or exc})",
            file=str(path),
            hint="check the path given to --config",
        ) from None
    if path.is_dir():
        raise InputError(
            "is a folder, not a settings file",
            file=str(path),
            hint=f"name a {FILE_NAME} or pyproject.toml",
        )
    return _toml_cached(str(path), st.st_mtime_ns, st.st_size)


def parse(table: dict[str, Any], file: str, prefix: str = "") -> AuditConfig:
    """Settings from a TOML table already read (``file`` names it in errors)."""

    def bad(key: str, what: str, allowed: str) -> InputError:
        return InputError(what, file=file, field=prefix + key, hint=f"allowed: {allowed}")

    unknown = [k for k in table if k not in KEYS]
    if unknown:
        raise bad(unknown[0], "is not a setting", ", ".join(KEYS))

    rules_allowed = "a list of rule codes among " + ", ".join(sorted(CODES))

    def codes(key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(key, "must be a list of rule codes", rules_allowed)
        out = tuple(v.strip().upper() for v in value)
        wrong = [v for v in out if v not in CODES]
        if wrong:
            raise bad(key, f"{wrong[0]!r} is not a rule", rules_allowed)
        return out

    def level(key: str, value: Any) -> Severity:
        if not isinstance(value, str) or value.lower() not in SEVERITIES:
            raise bad(key, f"{value!r} is not a severity", ", ".join(SEVERITIES))
        return value.lower()  # type: ignore[return-value]

    select = codes("select", table["select"]) if "select" in table else None
    ignore = codes("ignore", table.get("ignore", []))
    severity: list[tuple[str, Severity]] = []
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise bad(
            "severity",
            "must be a table of rule = severity",
            'e.g. severity = { FB104 = "warning" }; severities: ' + ", ".join(SEVERITIES),
        )
    for code, value in sev.items():
        if code.upper() not in CODES:
            raise bad(f"severity.{code}", "is not a rule", ", ".join(sorted(CODES)))
        severity.append((code.upper(), level(f"severity.{code}", value)))
    exclude = tuple(_area(v, bad) for v in _strings(table.get("exclude", []), "exclude", bad))
    per_sheet: list[tuple[str, tuple[str, ...]]] = []
    pso = table.get("per-sheet-ignores", {})
    if not isinstance(pso, dict):
        raise bad(
            "per-sheet-ignores",
            "must be a table of sheet = [rules]",
            'e.g. per-sheet-ignores = { Inputs = ["FB104"] }',
        )
    for sheet, value in pso.items():
        per_sheet.append((sheet, codes(f"per-sheet-ignores.{sheet}", value)))
    min_sev = level("min-severity", table["min-severity"]) if "min-severity" in table else None
    return AuditConfig(select, ignore, tuple(severity), exclude, tuple(per_sheet), min_sev, file)


def _strings(value: Any, key: str, bad: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise bad(
            key,
            "must be a list of sheet names or ranges",
            'sheet names ("Scratch") or ranges ("Inputs!A1:D40")',
        )
    return value


_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def _area(text: str, bad: Any) -> Area:
    """``Sheet`` or ``Sheet!A1:D40`` (a quoted ``'My sheet'!A1`` works too)."""
    # openpyxl loads in about half a second; only reading a workbook needs it
    from openpyxl.utils.cell import column_index_from_string

    sheet, sep, addr = text.rpartition("!")
    if not sep:
        return Area(text.strip())
    sheet = sheet.strip()
    if len(sheet) > 1 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    m = _RANGE.match(addr.strip())
    if not sheet or not m:
        raise bad(
            "exclude",
            f"{text!r} is not a sheet or a range",
            'a sheet name ("Scratch") or Sheet!A1:D40',
        )
    c1, r1 = column_index_from_string(m.group(1).upper()), int(m.group(2))
    c2 = column_index_from_string(m.group(3).upper()) if m.group(3) else c1
    r2 = int(m.group(4)) if m.group(4) else r1
    return Area(sheet, (min(r1, r2), max(r1, r2)), (min(c1, c2), max(c1, c2)))


def for_book(
    book: str, explicit: str | None = None, enabled: bool = True, cwd: str | None = None
) -> AuditConfig:
    """The settings for ``book``: from ``explicit`` (--config), found beside it, or none."""
    if not enabled:
        return AuditConfig()
    path = Path(explicit) if explicit else discover(book, cwd)
    if path is None:
        return AuditConfig()
    try:
        st = path.stat()
    except OSError:
        return load(path)  # says why it cannot be read
    return _load_cached(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime_ns: int, size: int) -> AuditConfig:
    """One read per settings file and version of it: a folder of workbooks shares one."""
    return load(path)


__all__ = ["FILE_NAME", "KEYS", "Area", "AuditConfig", "discover", "for_book", "load", "parse"]
