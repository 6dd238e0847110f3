"""Speed of `flopbook audit` on a 1,000,000-cell workbook, as a ratio to the floor:
openpyxl's own load of the same file.

The workbook is a model-shaped sheet repeated: per row a label, twelve typed inputs, six
formula columns (products, sums, ratios, a reference to an assumption on another sheet) and a
note, with a Total row — 1,000,000 cells in all, 30% of them formulas, each
with its saved value (written with XlsxWriter). Times are the best of --repeat runs in this
one process:

- floor: ``openpyxl.load_workbook(path, read_only=True)`` and reading every cell's value
  (the fastest way openpyxl reads a whole workbook);
- also shown: ``openpyxl.load_workbook(path)``, the default full load;
- audit: ``flopbook.audit.audit(path)``: reading formulas and saved values, and all rules.

    python benchmarks/audit_speed.py [--cells 1000000] [--repeat 2] [--write]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COLS = 20  # A label, B..M inputs, N..S formulas, T note


def build(path: Path, cells: int, sheets: int = 10) -> Path:
    import xlsxwriter

    rows_per_sheet = max(10, cells // (sheets * COLS))  # a header and a Total row included
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    heads = [
        "Item",
        "GPUs (#)",
        "Price per GPU ($k)",
        "Power A (kW)",
        "Power B (kW)",
        *(f"Cost item {i} ($k)" for i in range(1, 9)),
        "Cost ($m)",
        "Power (kW)",
        "Spend ($m)",
        "Cost share",
        "Tax ($m)",
        "Total ($m)",
        "Notes",
    ]
    inputs = wb.add_worksheet("Inputs")
    inputs.write_row(0, 0, ["Assumption", "Value"])
    inputs.write_row(1, 0, ["Tax rate", 0.2])
    for s in range(sheets):
        ws = wb.add_worksheet(f"Part {s + 1}")
        ws.write_row(0, 0, heads)
        for r in range(1, rows_per_sheet - 1):
            n = r + 1  # the Excel row number
            ins = [float((r * (c + 3)) % 97 + 1) for c in range(12)]
            ws.write_string(r, 0, f"Line {r}")
            for c, v in enumerate(ins):
                ws.write_number(r, 1 + c, v)
            cost = ins[0] * ins[1] / 1000
            power = ins[2] + ins[3]
            spend = sum(ins[4:12]) / 1000
            ws.write_formula(r, 13, f"=B{n}*C{n}/1000", None, cost)
            ws.write_formula(r, 14, f"=D{n}+E{n}", None, power)
            ws.write_formula(r, 15, f"=SUM(F{n}:M{n})/1000", None, spend)
            ws.write_formula(r, 16, f"=N{n}/(N{n}+P{n})", None, cost / (cost + spend))
            ws.write_formula(r, 17, f"=N{n}*Inputs!$B$2", None, cost * 0.2)
            ws.write_formula(r, 18, f"=N{n}+P{n}+R{n}", None, cost * 1.2 + spend)
            ws.write_string(r, 19, "checked" if r % 10 else "review")
        last = rows_per_sheet
        ws.write_string(last - 1, 0, "Total")
        end = last - 1
        for c in range(1, 19):
            col = xlsxwriter.utility.xl_col_to_name(c)
            if col == "C":  # a price per GPU: weighted by the GPU count, never added
                formula = f"=SUMPRODUCT(C2:C{end},B2:B{end})/SUM(B2:B{end})"
            elif col == "Q":  # a share: the ratio of the totals
                formula = f"=N{last}/(N{last}+P{last})"
            else:
                formula = f"=SUM({col}2:{col}{end})"
            ws.write_formula(last - 1, c, formula, None, 0.0)
    wb.close()
    return path


def floor(path: Path) -> float:
    import openpyxl

    start = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            n += len(row)
    wb.close()
    return time.perf_counter() - start


def full_load(path: Path) -> float:
    import openpyxl

    start = time.perf_counter()
    openpyxl.load_workbook(path)
    return time.perf_counter() - start


def audit_time(path: Path) -> tuple[float, int, int, int]:
    from flopbook.audit import audit

    start = time.perf_counter()
    result = audit(str(path))
    return time.perf_counter() - start, result.cells, result.formulas, len(result.findings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "million.xlsx", args.cells)
        size = path.stat().st_size
        floors, audits, fulls = [], [], []
        stats = (0, 0, 0)
        for _ in range(args.repeat):
            gc.collect()
            floors.append(floor(path))
            gc.collect()
            t, *stats = audit_time(path)
            audits.append(t)
        gc.collect()
        fulls.append(full_load(path))
    best_floor, best_audit, full = min(floors), min(audits), min(fulls)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cells, formulas, findings = stats
    text = (
        "## Audit speed (`benchmarks/audit_speed.py`)\n\n"
        f"A {cells:,}-cell workbook ({formulas:,} formulas with saved values, 10 sheets, "
        f"{size / 2**20:.1f} MiB), best of {args.repeat} runs in one process "
        f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load:.1f} at the end: other work on the machine slows both sides, not always "
        "equally).\n\n"
        "| what | seconds | × floor |\n| --- | ---: | ---: |\n"
        f"| floor: openpyxl `load_workbook(read_only=True)` + read every value | "
        f"{best_floor:.2f} | 1.00 |\n"
        f"| openpyxl `load_workbook()` (default full load) | {full:.2f} | "
        f"{full / best_floor:.2f} |\n"
        f"| `flopbook audit` (read formulas and saved values, all rules; {findings} findings) | "
        f"{best_audit:.2f} | **{best_audit / best_floor:.2f}** |\n\n"
        f"Against openpyxl's default full load the audit takes {best_audit / full:.2f}×. "
        "Target: ≤ 2× the floor. Command: `python benchmarks/audit_speed.py --write`\n"
    )
    print(text)
    if args.write:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from audit_accuracy import write_section_named

        write_section_named("## Audit speed", text)


if __name__ == "__main__":
    main()
