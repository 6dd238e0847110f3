"""Audit findings as SARIF 2.1.0, the format code-scanning tools read.

A workbook has no lines, so each result points at the file (physical location) and at the
cell as a logical location ``Sheet!A1``; the suggested formula and the values before and
after travel in ``properties``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook import __version__
from flopbook.audit.rules import CODES, rule

if TYPE_CHECKING:
    from flopbook.audit.findings import AuditResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rules() -> list[dict[str, Any]]:
    out = []
    for code in sorted(CODES):
        r = rule(code)
        doc = inspect.getdoc(type(r)) or ""
        summary = doc.split("\n\n")[1] if "\n\n" in doc else doc
        out.append({
            "id": code,
            "name": "".join(w.capitalize() for w in r.title.replace("/", " ").split()),
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": " ".join(summary.split())},
            "help": {"text": doc},
            "defaultConfiguration": {"level": r.severity},
        })
    return out


def sarif(result: AuditResult) -> dict[str, Any]:
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    uri = Path(result.path).as_posix()
    results = []
    for f in result.findings:
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity,
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {"artifactLocation": {"uri": uri}},
                "logicalLocations": [{"fullyQualifiedName": f.where, "name": f.cell,
                                      "kind": "element"}],
            }],
            "properties": {k: v for k, v in {
                "sheet": f.sheet, "cell": f.cell, "formula": f.formula,
                "suggestion": f.suggestion, "before": f.to_dict()["before"],
                "after": f.to_dict()["after"], "related": f.related}.items()
                if v not in (None, [])},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flopbook",
                "version": __version__,
                "rules": rules,
            }},
            "artifacts": [{"location": {"uri": uri}}],
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": n}} for n in result.notes],
            }],
            "results": results,
        }],
    }
