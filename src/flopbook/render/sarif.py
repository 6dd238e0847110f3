"""Audit findings as SARIF 2.1.0, the format code-scanning tools read.

A workbook has no lines, so each result points at the file (physical location) and at the
cell as a logical location ``Sheet!A1``; the suggested formula and the values before and
after travel in ``properties``. One run covers every workbook audited: each is an artifact,
and a workbook that was refused is a notification of level error pointing at it.

Severity is the result's ``level`` (error, warning, note); the rule's confidence (0-1) is in
``properties.confidence`` and, as SARIF's 0-100 scale, in ``rank``.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flopbook import __version__
from flopbook.audit.rules import CODES, rule

if TYPE_CHECKING:
    from flopbook.audit.findings import AuditResult, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rules() -> list[dict[str, Any]]:
    out = []
    for code in sorted(CODES):
        r = rule(code)
        doc = inspect.getdoc(type(r)) or ""
        summary = doc.split("\n\n")[1] if "\n\n" in doc else doc
        out.append(
            {
                "id": code,
                "name": "".join(w.capitalize() for w in r.title.replace("/", " ").split()),
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": " ".join(summary.split())},
                "help": {"text": doc},
                "defaultConfiguration": {"level": r.severity},
            }
        )
    return out


def _result(f: Finding, uri: str, artifact: int, rule_index: int) -> dict[str, Any]:
    d = f.to_dict()
    return {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": f.severity,
        "rank": round(100 * f.confidence, 1),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": uri, "index": artifact}},
                "logicalLocations": [
                    {"fullyQualifiedName": f.where, "name": f.cell, "kind": "element"}
                ],
            }
        ],
        "properties": {
            k: v
            for k, v in {
                "sheet": f.sheet,
                "cell": f.cell,
                "confidence": f.confidence,
                "formula": f.formula,
                "suggestion": f.suggestion,
                "before": d["before"],
                "after": d["after"],
                "related": f.related,
            }.items()
            if v not in (None, [])
        },
    }


def sarif_log(
    books: Sequence[tuple[str, AuditResult | None, str | None]],
    settings: Sequence[str | None] = (),
) -> dict[str, Any]:
    """One run over ``(path, result or None, refusal or None)`` per workbook; ``settings``:
    the settings file each workbook was audited with (or None), in the same order."""
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    artifacts: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for i, (path, result, error) in enumerate(books):
        # a relative path stays relative (code-scanning tools resolve it against the
        # repository); an absolute one becomes a file:// URI, as SARIF wants
        uri = Path(path).as_uri() if Path(path).is_absolute() else Path(path).as_posix()
        artifact = len(artifacts)
        artifacts.append({"location": {"uri": uri}})
        used = settings[i] if i < len(settings) else None
        if used:
            artifacts[-1]["properties"] = {"settings": used}
        where = [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": artifact}}}]
        if result is None:
            notifications.append(
                {"level": "error", "message": {"text": error or "refused"}, "locations": where}
            )
            continue
        results.extend(_result(f, uri, artifact, index[f.code]) for f in result.findings)
        notifications.extend(
            {"level": "note", "message": {"text": n}, "locations": where} for n in result.notes
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flopbook",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "artifacts": artifacts,
                "invocations": [
                    {
                        "executionSuccessful": all(r is not None for _, r, _ in books),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }


def sarif(result: AuditResult) -> dict[str, Any]:
    """One workbook's audit as a SARIF log."""
    return sarif_log([(result.path, result, None)])
