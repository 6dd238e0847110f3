"""The summary of an inventory audit as rich tables: files by status, findings by rule and by
severity, and the slowest workbooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from flopbook.audit.findings import SEVERITIES
from flopbook.audit.inventory import STATUSES

if TYPE_CHECKING:
    from flopbook.audit.inventory import Inventory

STATUS_WORDS = {
    "ok": "no findings",
    "findings": "with findings",
    "refused": "refused",
    "timed_out": "timed out",
    "crashed": "crashed",
}


def summary_tables(found: Inventory) -> Group:
    """Four small tables, one under the other."""
    files = Table(title="Workbooks", title_justify="left")
    files.add_column("status")
    files.add_column("files", justify="right")
    counts = found.by_status
    for s in STATUSES:
        files.add_row(STATUS_WORDS[s], f"{counts.get(s, 0):,}")
    files.add_row(Text("total", style="bold"), f"{len(found.files):,}")
    if found.skipped:
        files.caption = f"{found.skipped:,} of them audited by an earlier run (--resume)"

    rules = Table(title="Findings by rule", title_justify="left")
    rules.add_column("rule")
    rules.add_column("findings", justify="right")
    for code, n in sorted(found.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rules.add_row(Text(str(code)), f"{n:,}")
    rules.add_row(Text("total", style="bold"), f"{len(found.findings):,}")

    severity = Table(title="Findings by severity", title_justify="left")
    severity.add_column("severity")
    severity.add_column("findings", justify="right")
    by = found.by_severity
    for s in SEVERITIES:
        severity.add_row(s, f"{by.get(s, 0):,}")

    slow = Table(title="Slowest workbooks", title_justify="left")
    slow.add_column("workbook")
    slow.add_column("seconds", justify="right")
    slow.add_column("peak memory", justify="right")  # the worker's, while it audited the book
    slow.add_column("status")
    for r in found.slowest():
        peak = r.get("peak_memory")
        memory = "—" if peak is None else f"{peak / 2**20:,.0f} MiB"
        slow.add_row(Text(str(r["path"])), f"{r['seconds']:.2f}", memory, STATUS_WORDS[r["status"]])
    return Group(files, rules, severity, slow)
