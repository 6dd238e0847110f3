"""Accuracy of `flopbook audit` on real workbooks audited by others (the EUSES audit corpus).

Reads ``../shared/data/audit-corpus/`` beside the repository (or the folder named by
``FLOPBOOK_AUDIT_CORPUS``) and scores the audit the way the corpus README says: cell level,
pooled over all books; a finding counts at its own sheet and cell. Precision, recall and F1
against the cells the Tasi study labelled; the same against ExceLint's formula errors (ref,
refi, calc); false alarms per 1,000 formulas on worksheets with formulas that neither audit
labelled. The seven published tools' flags (published-tools.json) are scored by the same
code, side by side. Skips with one line where the folder is absent.

    python benchmarks/audit_real.py [--write] [--verbose] [--book NAME]

--write replaces the "Audit on real workbooks" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "audit-corpus"
ENV = "FLOPBOOK_AUDIT_CORPUS"
EXCELINT_FORMULA = {"ref", "refi", "calc"}
TOOLS = {
    "TasiError": "TasiError",
    "Custodes": "CUSTODES",
    "Cacheck": "CACheck",
    "AmCheck": "AmCheck",
    "Excel": "Excel's checker",
    "ExceLint": "ExceLint",
    "Ucheck&Dimension": "UCheck & Dimension",
}
TITLE = "Audit on real workbooks (`benchmarks/audit_real.py`)"

Cell = tuple[str, str, str]  # (book, sheet, cell)


def corpus_dir() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    # in a git worktree, ../shared sits beside the main checkout, not beside this one
    dotgit = ROOT / ".git"
    if not DEFAULT.exists() and dotgit.is_file():
        text = dotgit.read_text().strip()
        if text.startswith("gitdir:"):
            main = Path(text.split(":", 1)[1].strip()).parent.parent.parent
            return main.parent / "shared" / "data" / "audit-corpus"
    return DEFAULT


@dataclass
class Truth:
    tasi: dict[Cell, str] = field(default_factory=dict)  # cell -> kind (formula, missing)
    excelint: dict[Cell, str] = field(default_factory=dict)  # formula errors only
    labelled_sheets: set[tuple[str, str]] = field(default_factory=set)
    formulas: dict[tuple[str, str], int] = field(default_factory=dict)  # per sheet

    @property
    def clean_sheets(self) -> set[tuple[str, str]]:
        """Worksheets with formulas and no label from either audit."""
        return {s for s, n in self.formulas.items() if n and s not in self.labelled_sheets}

    @property
    def clean_formulas(self) -> int:
        return sum(self.formulas[s] for s in self.clean_sheets)


def load_truth(folder: Path) -> Truth:
    truth = Truth()
    for book, entries in json.loads((folder / "truth.json").read_text()).items():
        for e in entries:
            cell = (book, e["sheet"], e["cell"].replace("$", "").upper())
            if e["kind"] != "no":  # "examined, not a bug" leaves a sheet unlabelled
                truth.labelled_sheets.add((book, e["sheet"]))
            if e["source"] == "tasi":
                truth.tasi[cell] = e["kind"]
            elif e["kind"] in EXCELINT_FORMULA:
                truth.excelint[cell] = e["kind"]
    return truth


@dataclass
class Score:
    flagged: int
    tp: int
    truth: int
    excelint_tp: int
    excelint_truth: int
    false_alarms: int  # flags on clean sheets
    clean_formulas: int

    @property
    def precision(self) -> float:
        return self.tp / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def excelint_precision(self) -> float:
        return self.excelint_tp / self.flagged if self.flagged else 0.0

    @property
    def excelint_recall(self) -> float:
        return self.excelint_tp / self.excelint_truth if self.excelint_truth else 0.0

    @property
    def per_1000(self) -> float:
        return 1000 * self.false_alarms / self.clean_formulas if self.clean_formulas else 0.0


def score(flags: set[Cell], truth: Truth) -> Score:
    clean = truth.clean_sheets
    return Score(
        len(flags),
        len(flags & truth.tasi.keys()),
        len(truth.tasi),
        len(flags & truth.excelint.keys()),
        len(truth.excelint),
        sum((b, s) in clean for b, s, _ in flags),
        truth.clean_formulas,
    )


def tool_flags(folder: Path) -> dict[str, set[Cell]]:
    out: dict[str, set[Cell]] = {}
    for tool, books in json.loads((folder / "published-tools.json").read_text()).items():
        out[tool] = {
            (b, f["sheet"], f["cell"].replace("$", "").upper())
            for b, fl in books.items()
            for f in fl
        }
    return out


@dataclass
class Run:
    flags: dict[Cell, str] = field(default_factory=dict)  # cell -> rule code
    severity: dict[Cell, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def audit_corpus(folder: Path, truth: Truth, only: str | None = None) -> Run:
    from flopbook.audit import audit
    from flopbook.audit.workbook import read
    from flopbook.errors import InputError

    run = Run()
    rank = {"error": 0, "warning": 1, "note": 2}
    for path in sorted((folder / "books").glob("*.xlsx")):
        book = path.name
        if only and only not in book:
            continue
        try:
            wb = read(str(path))
        except InputError as exc:
            run.failures.append(f"{book}: {exc}")
            continue
        for sheet in wb.sheets.values():
            truth.formulas[(book, sheet.name)] = len(sheet.formulas)
        start = time.perf_counter()
        try:
            result = audit(str(path))
        except InputError as exc:
            run.failures.append(f"{book}: {exc}")
            continue
        except Exception as exc:  # the benchmark reports a crash instead of stopping
            run.failures.append(f"{book}: crashed: {type(exc).__name__}: {exc}")
            continue
        finally:
            run.seconds[book] = time.perf_counter() - start
        for f in result.findings:
            cell = (book, f.sheet, f.cell)
            if cell not in run.flags or rank[f.severity] < rank[run.severity[cell]]:
                run.flags[cell] = f.code
                run.severity[cell] = f.severity
    return run


def published_table(folder: Path) -> dict[str, tuple[float, ...]]:
    """The README's own table of the tools: name -> (precision, recall, F1, per 1,000)."""
    out = {}
    for line in (folder / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in TOOLS.values():
            try:
                out[cells[0]] = tuple(float(c) for c in cells[1:])
            except ValueError:
                continue
    return out


def reproduced(folder: Path, truth: Truth, tools: dict[str, set[Cell]]) -> str:
    """Whether this scorer gives the README's figures for the published tools."""
    table = published_table(folder)
    off = []
    for key, name in TOOLS.items():
        if name not in table or key not in tools:
            continue
        s = score(tools[key], truth)
        mine = (round(s.precision, 3), round(s.recall, 3), round(s.f1, 3), round(s.per_1000, 1))
        if any(abs(a - b) > 1e-9 for a, b in zip(mine, table[name], strict=True)):
            off.append(f"{name} {mine} vs {table[name]}")
    if not table:
        return "the README's table of the tools was not found: scorer not cross-checked."
    if off:
        return "scorer does NOT reproduce the README's table: " + "; ".join(off)
    return f"this scorer reproduces the README's table for all {len(table)} tools."


def _f(x: float) -> str:
    return f"{x:.3f}"


def tables(
    run: Run, truth: Truth, tools: dict[str, set[Cell]], min_severity: str = "warning"
) -> str:
    order = ["error", "warning", "note"]
    keep = set(order[: order.index(min_severity) + 1])
    shown = {c: code for c, code in run.flags.items() if run.severity[c] in keep}
    everything = set(run.flags)
    lines = [
        "| tool | flagged | precision | recall | F1 | ExceLint formula errors P / R "
        "| false alarms / 1,000 formulas on unlabelled sheets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, s: Score) -> str:
        return (
            f"| {name} | {s.flagged} | {_f(s.precision)} | {_f(s.recall)} | {_f(s.f1)} | "
            f"{_f(s.excelint_precision)} / {_f(s.excelint_recall)} | {s.per_1000:.1f} |"
        )

    lines.append(row(f"**flopbook** ({min_severity}s and errors)", score(set(shown), truth)))
    lines.append(row("flopbook, notes too", score(everything, truth)))
    for key, name in TOOLS.items():
        if key in tools:
            lines.append(row(name, score(tools[key], truth)))
    per_rule = [
        "| rule | flagged | on a Tasi-labelled cell | precision | share of recall "
        "| on unlabelled sheets |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    clean = truth.clean_sheets
    by_rule: dict[str, set[Cell]] = defaultdict(set)
    for c, code in run.flags.items():
        by_rule[code].add(c)
    for code in sorted(by_rule):
        cells = by_rule[code]
        tp = len(cells & truth.tasi.keys())
        fa = sum((b, s) in clean for b, s, _ in cells)
        per_rule.append(
            f"| {code} | {len(cells)} | {tp} | {_f(tp / len(cells))} | "
            f"{_f(tp / len(truth.tasi))} | {fa} |"
        )
    kinds = Counter(truth.tasi.values())
    per_kind = [
        "| truth kind (Tasi) | cells | flagged by flopbook | recall |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, n in sorted(kinds.items()):
        got = sum(1 for c, k in truth.tasi.items() if k == kind and c in shown)
        per_kind.append(f"| {kind} | {n} | {got} | {_f(got / n)} |")
    return (
        "\n".join(lines)
        + "\n\nPer rule (every severity):\n\n"
        + "\n".join(per_rule)
        + "\n\nPer kind of labelled error:\n\n"
        + "\n".join(per_kind)
    )


def report(run: Run, truth: Truth, tools: dict[str, set[Cell]], check: str) -> str:
    books = len(run.seconds)
    slowest = max(run.seconds.items(), key=lambda kv: kv[1]) if run.seconds else ("—", 0.0)
    failures = "; ".join(run.failures) if run.failures else "none"
    return (
        f"37 real EUSES workbooks audited cell by cell by two independent studies "
        f"(`../shared/data/audit-corpus/`, development half; its README gives the scoring). "
        f"Cell level, pooled: precision and recall against the {len(truth.tasi)} cells the "
        f"Tasi study labelled; ExceLint's {len(truth.excelint)} formula errors as a second "
        f"view; false alarms are flags on the {len(truth.clean_sheets)} worksheets with "
        f"formulas and no label from either audit ({truth.clean_formulas:,} formulas; a cell "
        "ExceLint's authors examined and judged not a bug is no label). "
        "The published tools' flags are scored by the same code (the Tasi study gave them "
        "hand-labelled table regions; flopbook gets none). Where a cell has several "
        "findings it counts once, under its most severe one.\n\n"
        f"{tables(run, truth, tools)}\n\n"
        f"Check: {check}\n\n"
        f"Books audited: {books}; failures: {failures}; slowest book "
        f"{slowest[1]:.2f} s ({slowest[0]}).\n\n"
        "Command: `python benchmarks/audit_real.py --write`\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--verbose", action="store_true", help="list every false alarm and every missed cell"
    )
    ap.add_argument("--book", help="audit only books whose name contains this")
    args = ap.parse_args()
    folder = corpus_dir()
    if not (folder / "truth.json").is_file():
        print(f"audit_real: skipped, no audit corpus at {folder} (set {ENV} to its folder)")
        return 0
    truth = load_truth(folder)
    tools = tool_flags(folder)
    run = audit_corpus(folder, truth, args.book)
    if args.book:  # score against this book only
        keep = {b for b, _ in truth.formulas}
        truth.tasi = {c: k for c, k in truth.tasi.items() if c[0] in keep}
        truth.excelint = {c: k for c, k in truth.excelint.items() if c[0] in keep}
        tools = {t: {c for c in f if c[0] in keep} for t, f in tools.items()}
    if args.verbose:
        clean = truth.clean_sheets
        for c, code in sorted(run.flags.items()):
            where = (
                ("TP " + truth.tasi[c]) if c in truth.tasi else ("FA" if c[:2] in clean else "fp")
            )
            print(where, code, run.severity[c], *c)
        for c, kind in sorted(truth.tasi.items()):
            if c not in run.flags:
                print("missed", kind, *c)
    check = reproduced(folder, truth, tools)
    text = report(run, truth, tools, check)
    print(text)
    if args.write and not args.book:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from results import update_section

        update_section(TITLE, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
