"""The rules' part of docs/audit.md, written from each rule's module: the table of rules from
their ``finds`` and severity, and one section per rule from its module's docstring.

``python scripts/audit_docs.py`` rewrites the page between the markers; a test fails while
the page is not what the rules say.
"""

from __future__ import annotations

import inspect

from flopbook.audit.rules import CODES, rule

START = "<!-- rules: written from each rule's module (python scripts/audit_docs.py) -->"
END = "<!-- end of the rules -->"


def section(code: str) -> str:
    """The rule's section: its docstring's first line as the heading, the rest as the text."""
    doc = inspect.getdoc(type(rule(code))) or ""
    head, _, body = doc.partition("\n\n")
    return f"### {head.strip().rstrip('.')}\n\n{body.strip()}\n"


def table() -> str:
    rows = ["| rule | what it finds | severity |", "|---|---|---|"]
    for code in sorted(CODES):
        r = rule(code)
        rows.append(f"| {code} | {r.finds} | {r.severities or r.severity} |")
    return "\n".join(rows) + "\n"


def rules_text() -> str:
    return "\n".join([table(), *(section(code) for code in sorted(CODES))])


def rewrite(text: str) -> str:
    """``text`` (docs/audit.md) with the part between the markers written from the rules."""
    head, found, rest = text.partition(START)
    if not found:
        raise ValueError(f"no marker {START!r} in the page")
    _, found, tail = rest.partition(END)
    if not found:
        raise ValueError(f"no marker {END!r} in the page")
    return head + START + "\n" + rules_text() + END + tail
