"""The hostile-input suite (tests/hostile): how many cases, how many failed, by part.

Run: `python benchmarks/hostile_suite.py` (also part of `make bench`). Writes its section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from results import machine, update_section

ROOT = Path(__file__).resolve().parents[1]

PARTS = {
    "test_yaml.py": "YAML bombs, depth, pipes and devices (the reader)",
    "test_yaml_files.py": "hostile YAML given to every command that reads YAML",
    "test_numbers.py": "numeric extremes: fleets, claims, workloads, `calc`",
    "test_workbooks.py": "hostile workbooks: references to other files (tripwire), bombs, "
    "deep formulas, odd files, XML attacks",
    "test_injection.py": "formula injection in every text field of CSV, workbook and HTML "
    "outputs, and `--fix` labels",
    "test_outputs.py": "full disk, read-only folders, all-or-none writes, `--force`, umask",
    "test_options.py": "every option of every command with nonsense",
    "test_errors.py": "errors at the boundary: exit 2 for the system's and libraries', 3 "
    "(with --debug) for the unexpected",
}


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        start = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/hostile",
                f"--junitxml={report}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
        tree = ET.parse(report)
    cases: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for case in tree.iter("testcase"):
        part = case.get("classname", "").split(".")[-1] + ".py"
        cases[part] += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed[part] += 1
        elif case.find("skipped") is not None:
            skipped[part] += 1
    rows = "\n".join(
        f"| `{part}` | {PARTS.get(part, '')} | {cases[part]} | {failed[part]} | {skipped[part]} |"
        for part in sorted(cases, key=lambda p: list(PARTS).index(p) if p in PARTS else 99)
    )
    total, bad, skip = sum(cases.values()), sum(failed.values()), sum(skipped.values())
    tail = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    body = f"""\
Every case states its exit code and is checked for: no traceback and no "Exception ignored"
on stderr, an error in one line, a time limit (a timeout, not a timing), input bytes
unchanged, no partial output or temporary file, no file opened whose name holds `tripwire`,
and no formula in a text cell of any CSV or workbook written. Everything hostile is made at
run time. Run: `python benchmarks/hostile_suite.py` ({machine()}; {seconds:.0f} s wall on a
shared machine; pytest: {re.sub(r"[=]+", "", tail).strip()}).

| part | what | cases | failures | skipped |
|---|---|---|---|---|
{rows}
| **all** | | **{total}** | **{bad}** | **{skip}** |

Skipped cases need root (a small tmpfs for the full-disk and read-only cases).
"""
    update_section("Hostile input (`benchmarks/hostile_suite.py`)", body)
    print(body)
    return 0 if bad == 0 and run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
