"""Accuracy of `flopbook audit`: precision and recall per rule on generated workbooks.

The corpus (tests/audit/bookgen.py) holds clean books and books with one planted error of
each kind, in three layouts (fleet table, yearly plan, item list) with sizes, positions,
labels and units varied. Each book is written to .xlsx (with saved values) and audited
through the same path as `flopbook audit`. A finding is right when its sheet, cell and code
match a planted error; every other finding is a false alarm.

    python benchmarks/audit_accuracy.py [--per-kind 40] [--clean 60] [--seed 7] [--write]

--write replaces the audit accuracy section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "audit"))  # the workbook generator

from bookgen import KINDS, corpus  # noqa: E402

from flopbook.audit import audit  # noqa: E402


def measure(seed: int, per_kind: int, clean: int, verbose: bool = False) -> dict:
    books = corpus(seed, per_kind, clean)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    clean_books = clean_flagged = 0
    cells = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for book in books:
            path = book.write(Path(tmp) / f"{book.name}.xlsx")
            result = audit(str(path))
            cells += result.cells
            got = {(f.sheet, f.cell, f.code) for f in result.findings}
            for x in got & book.expected:
                tp[x[2]] += 1
            for x in got - book.expected:
                fp[x[2]] += 1
                if verbose:
                    print("false alarm", book.name, x)
            for x in book.expected - got:
                fn[x[2]] += 1
                if verbose:
                    print("missed", book.name, x)
            if book.planted is None:
                clean_books += 1
                clean_flagged += bool(got)
    return {
        "books": len(books),
        "cells": cells,
        "seconds": time.perf_counter() - start,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "clean_books": clean_books,
        "clean_flagged": clean_flagged,
        "seed": seed,
        "per_kind": per_kind,
        "clean": clean,
    }


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "—"


def table(m: dict) -> str:
    lines = [
        "| rule | expected findings | found | missed | false alarms | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for code in [*KINDS, "all"]:
        if code == "all":
            tp, fp, fn = (sum(m[k].values()) for k in ("tp", "fp", "fn"))
        else:
            tp, fp, fn = m["tp"][code], m["fp"][code], m["fn"][code]
        name = "**all**" if code == "all" else code
        lines.append(
            f"| {name} | {tp + fn} | {tp} | {fn} | {fp} | {_ratio(tp, tp + fp)} | "
            f"{_ratio(tp, tp + fn)} |"
        )
    return "\n".join(lines)


def report(m: dict) -> str:
    return (
        "## Audit accuracy (`benchmarks/audit_accuracy.py`)\n\n"
        f"Generated corpus (tests/audit/bookgen.py, seed {m['seed']}): {m['books']} workbooks, "
        f"{m['cells']:,} cells — {m['clean']} clean, {m['per_kind']} per error kind, in three "
        "layouts (fleet table, yearly plan, item list). One error is planted per book; it is "
        "expected at every cell it touches (a grand total that double-counts in every year "
        "column is one expected finding per column). A finding counts as found when its "
        "sheet, cell and code match an expected one.\n\n"
        f"{table(m)}\n\n"
        f"Clean workbooks with any finding: {m['clean_flagged']} of {m['clean_books']}.\n\n"
        "Read with care: the generator and the rules were written together, and false alarms "
        "it exposed were fixed, so these figures show the rules are consistent on these "
        "layouts, not how they fare on workbooks in the wild. Two checks from outside the "
        "corpus: the published DeepSeek table (tests/audit/test_audit_deepseek.py: exactly "
        "the critique's errors, nothing else) and the workbooks `flopbook report --xlsx` "
        "writes (tests/render/test_report_excel.py: no finding).\n\n"
        "Public annotated corpora (Enron, EUSES, FUSE, VEnron) are not obtainable here: none "
        "is published as a PyPI or npm package, and nothing else can be downloaded; not "
        "measured.\n\n"
        "Command: `python benchmarks/audit_accuracy.py --write`\n"
    )


def write_section(text: str) -> None:
    write_section_named("## Audit accuracy", text)


def write_section_named(head: str, text: str) -> None:
    """Replace (or add) the section that starts with ``head`` in benchmarks/RESULTS.md."""
    path = ROOT / "benchmarks" / "RESULTS.md"
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    if head in old:
        before, _, rest = old.partition(head)
        after = rest.partition("\n## ")
        tail = ("\n## " + after[2]) if after[1] else ""
        new = before + text.rstrip("\n") + "\n" + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=40)
    ap.add_argument("--clean", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    m = measure(args.seed, args.per_kind, args.clean, args.verbose)
    text = report(m)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
