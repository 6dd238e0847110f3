"""A scenario's text run as the command line runs its file, and what the page shows of it.

The workbench sends the whole YAML text on every change; it is read by the same reader as a
file (:class:`flopbook.scenario.Document`), run by the kind its ``kind:`` names, and made
into a report (:func:`flopbook.report.build_report`) — the same objects the command line and
the report writers use. Nothing here computes a figure.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass, field
from typing import Any

import yaml

from flopbook import numbers
from flopbook.cases import cases, document
from flopbook.errors import InputError
from flopbook.fleet_file import fleet_from_document
from flopbook.formula.result import Result
from flopbook.payer_file import payer_from_document
from flopbook.quantity import is_point, sampling, summarize
from flopbook.report import build_report
from flopbook.report.document import Block, Line, Report
from flopbook.report.fleet import HIGHLIGHTS
from flopbook.scenario import Document
from flopbook.workload_file import run_document, workload_from_document

__all__ = [
    "SAMPLES",
    "Row",
    "Run",
    "case_scenarios",
    "decode_state",
    "encode_state",
    "kind_of",
    "run_text",
]

SAMPLES = 10_000
"""Samples drawn for each uncertain input on every recompute."""

MAX_SAMPLES = 200_000
"""The most a page may ask for: a recompute stays interactive."""

MAX_STATE = 64_000
"""Characters of a reopen link's state: a scenario file of about 200 kB compresses below it."""

WORKLOADS = ("training", "inference")
PAYERS = ("fund", "company")


def kind_of(doc: Document) -> str:
    """The scenario kind a document holds: fleet (no ``kind:``), training, inference, fund
    or company."""
    kind = doc.data.get("kind")
    if "claims" in doc.data:
        raise InputError(
            "this is a claims file, not a scenario",
            file=doc.file,
            line=doc.line(("claims",)),
            hint=f"check its claims with: flopbook check {doc.file}, or on the Check a claim page",
        )
    if kind is None:
        return "fleet"
    if kind in WORKLOADS or kind in PAYERS:
        return str(kind)
    known = ", ".join(["fleet (no kind)", *WORKLOADS, *PAYERS])
    raise InputError(
        f"unknown kind {kind!r}",
        file=doc.file,
        line=doc.line(("kind",)),
        field="kind",
        hint=f"the workbench opens: {known}",
    )


@dataclass
class Row:
    """One output as the results table shows it: label, unit and the figures per column."""

    key: str
    label: str
    unit: str
    cells: dict[str, dict[str, str]]  # column -> {"mean"|"p5"|"p50"|"p95"|"value": text}
    doc: str = ""
    means: dict[str, float | None] = field(default_factory=dict)  # column -> mean, in `of`
    of: str = ""  # the unit of ``means``


@dataclass
class Run:
    """A scenario read and run: its kind, its report, and the rows the page shows."""

    kind: str
    name: str
    report: Report | None  # built for kinds not declared yet (None: see run_text)
    result: Any
    model: Any  # the model object, which sensitivity reruns
    sampled: bool
    rows: list[Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (key, label) with a spread
    notes: list[str] = field(default_factory=list)
    summary: str = ""  # the scenario's description


def run_text(
    text: str, file: str = "scenario.yaml", *, samples: int = SAMPLES, seed: int | None = None
) -> Run:
    """Read ``text`` as a scenario file called ``file`` and run it; an InputError says what
    is wrong, where, in the command line's words."""
    if not 1 <= samples <= MAX_SAMPLES:
        raise InputError(
            f"must be between 1 and {MAX_SAMPLES:,}, got {samples:,}",
            field="samples",
            hint="10,000 is the default",
        )
    doc = Document(text, file)
    kind = kind_of(doc)
    with sampling(samples, seed):
        if kind in WORKLOADS:
            model: Any = workload_from_document(doc)
            result: Any = run_document(doc)
        elif kind in PAYERS:
            model = payer_from_document(doc)
            result = model.run()
        else:
            model = fleet_from_document(doc)
            result = model.run()
        description = str(doc.data.get("description") or "")
        if isinstance(result, Result):
            # a declared kind: its summaries straight from the result, for the lines a report
            # shows first; the report itself (every line's Excel formula and value at the
            # medians) is built only when a file is downloaded
            return _declared(kind, result, model, description)
        try:
            report: Report | None = build_report(
                result, origin=file, summary=description, charts=False
            )
        except InputError:
            if kind not in WORKLOADS:
                raise
            report = None  # a workload the report writers do not cover yet: its own rows
    if report is None:
        rows = [_workload_row(r) for r in result.rows]
        spread = [(r.key, r.label) for r in result.rows if not is_point(r.value)]
        return Run(
            kind,
            result.name or kind.capitalize(),
            None,
            result,
            model,
            bool(spread),
            rows,
            ["Value"],
            spread,
        )
    block = report.blocks[0]
    rows = [_row(block.line(k), block) for k in block.highlights]
    spread = [(r.key, r.label) for r in rows if _varies(block.line(r.key))]
    return Run(
        kind=kind,
        name=report.title,
        report=report,
        result=result,
        model=model,
        sampled=block.sampled,
        rows=rows,
        columns=list(block.columns),
        outputs=spread,
        notes=list(block.notes),
        summary=description,
    )


def _declared(kind: str, result: Result, model: Any, description: str) -> Run:
    keys = HIGHLIGHTS if kind == "fleet" else [m.key for m in result.outputs]
    rows = []
    spread = []
    for key in keys:
        m = result.output(key)
        cells: dict[str, dict[str, str]] = {}
        means: dict[str, float | None] = {}
        varies = False
        for column in result.all_columns:
            s = result.summary(key, column)
            means[column] = None if s is None else s.mean
            if s is None:
                cells[column] = {"value": "—"}
            elif s.point:
                cells[column] = {"value": numbers.value(s.mean, m.unit)}
            else:
                varies = True
                cells[column] = {
                    stat: numbers.value(getattr(s, stat), m.unit)
                    for stat in ("mean", "p5", "p50", "p95")
                }
        unit = numbers.unit_label(m.unit) or "number"
        rows.append(Row(key, m.label, unit, cells, m.doc, means, m.unit))
        if varies:
            spread.append((key, m.label))
    notes = [
        f"{key}: the total covers the items that have it (not {', '.join(missing)})."
        for key, missing in result.partial.items()
    ]
    return Run(
        kind=kind,
        name=result.name or kind.capitalize(),
        report=None,
        result=result,
        model=model,
        sampled=bool(spread),
        rows=rows,
        columns=list(result.all_columns),
        outputs=spread,
        notes=notes,
        summary=description,
    )


def _workload_row(r: Any) -> Row:
    """A workload output that no report covers: its own summary."""
    s = summarize(r.value, r.unit or None)
    if s.point:
        cell = {"value": numbers.value(s.mean, r.unit)}
    else:
        cell = {
            stat: numbers.value(getattr(s, stat), r.unit) for stat in ("mean", "p5", "p50", "p95")
        }
    unit = numbers.unit_label(r.unit) or "number"
    return Row(r.key, r.label, unit, {"Value": cell}, r.formula, {"Value": s.mean}, r.unit)


def _varies(line: Line) -> bool:
    return any(s is not None and not s.point for s in line.summaries.values())


def _row(line: Line, block: Block) -> Row:
    cells: dict[str, dict[str, str]] = {}
    for column in block.columns:
        s = line.summaries.get(column)
        x = line.values.get(column)
        unit = line.unit_in(column)  # a yearly amount's Total is an amount
        if s is not None and not s.point:
            cells[column] = {
                stat: numbers.value(getattr(s, stat), unit) for stat in ("mean", "p5", "p50", "p95")
            }
        elif s is not None:
            cells[column] = {"value": numbers.value(s.mean, unit)}
        elif x is not None:
            cells[column] = {"value": numbers.value(x, unit)}
        else:
            cells[column] = {"value": "—"}
    unit = numbers.unit_label(line.unit) or ("share" if line.percent else "number")
    means = {
        c: (s.mean if (s := line.summaries.get(c)) is not None else line.values.get(c))
        for c in block.columns
    }
    return Row(line.key, line.label, unit, cells, line.doc, means, line.unit)


# ---- where a scenario comes from -----------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """A scenario the workbench offers to open: a reference case's scenario."""

    name: str
    title: str
    text: str


def case_scenarios() -> list[Start]:
    """The scenarios inside the reference cases (a fleet case's ``fleet:``, a funding case's
    ``payer:``), as YAML text to edit."""
    found = []
    for info in cases():
        doc = document(info)
        for key in ("fleet", "payer"):
            part = doc.data.get(key)
            if isinstance(part, dict):
                text = f"# from the reference case {info.name} ({info.file})\n"
                text += yaml.safe_dump(part, sort_keys=False, allow_unicode=True, width=88)
                found.append(Start(info.name, info.title, text))
    return found


# ---- a scenario in a link ----------------------------------------------------------------


def encode_state(text: str) -> str:
    """The scenario as a URL-safe string: compressed, then base64."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def decode_state(state: str) -> str:
    """The scenario a link carries, or an InputError: a link cut short, or one too large."""
    if len(state) > MAX_STATE:
        raise InputError(
            f"the link's scenario is {len(state):,} characters, more than {MAX_STATE:,}",
            field="s",
            hint="save the scenario to a file in the folder instead",
        )
    try:
        raw = base64.urlsafe_b64decode(state.encode("ascii"))
        d = zlib.decompressobj()
        data = d.decompress(raw, 1_000_000)
        if d.unconsumed_tail:
            raise ValueError("too large")
        return data.decode("utf-8")
    except (ValueError, binascii.Error, zlib.error, UnicodeError):
        raise InputError(
            "the link does not hold a scenario (cut short or changed)",
            field="s",
            hint="open the scenario again and copy its link once more",
        ) from None
