"""How long `flopbook audit` takes on a small workbook, as a whole process.

The DeepSeek example (42 cells, 18 formulas) is read and checked in a few tens of
milliseconds; the rest is starting Python and importing. Measured against the bare
interpreter and `flopbook --help` (the command line's own start-up), with the heavy modules
each process ended up importing. Target: <= 0.3 s.

Run: python benchmarks/audit_startup.py
(`python -X importtime -c "from flopbook.cli import main; main()" audit BOOK 2> imports.txt`
shows where the time goes, module by module.)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import machine, update_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "examples" / "deepseek-semianalysis.xlsx"
RUNS = 21
# Run as an installed copy runs: pip writes every module's bytecode when it installs, and a
# checkout without it (or with PYTHONDONTWRITEBYTECODE set) compiles flopbook's sources on
# every start. The bytecode goes to a folder of its own, never into the source tree.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "flopbook-bench-pycache")
HEAVY = ("numpy", "pint", "scipy", "formulas", "pandas", "PIL", "pebble", "pydantic", "rich")
PROBE = (
    "import sys, atexit\n"
    "atexit.register(lambda: print(' '.join(m for m in {heavy!r} if m in sys.modules),"
    " file=sys.stderr))\n"
    "from flopbook.cli import main\n"
    "sys.argv = ['flopbook', *sys.argv[1:]]\n"
    "main()\n"
)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Median wall and median CPU (user + system) seconds of RUNS runs."""
    walls, cpus = [], []
    subprocess.run(cmd, capture_output=True, cwd=ROOT, env=ENV)  # writes the bytecode
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, env=ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def loaded(args: list[str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""


def main() -> None:
    py = sys.executable
    cli = [py, "-c", "from flopbook.cli import main; main()"]
    load_before = os.getloadavg()[0]
    rows = [
        ("`python -c pass` (interpreter floor)", [py, "-c", "pass"], None),
        ("`flopbook --help`", [*cli, "--help"], ["--help"]),
        (
            "`flopbook audit examples/deepseek-semianalysis.xlsx`",
            [*cli, "audit", str(BOOK)],
            ["audit", str(BOOK)],
        ),
    ]
    out = []
    for name, cmd, probe in rows:
        wall, cpu = timed(cmd)
        heavy = loaded(probe) if probe else ""
        out.append((name, wall, cpu, heavy or "none"))
    load_after = os.getloadavg()[0]
    audit_wall, audit_cpu = out[-1][1], out[-1][2]
    verdict = "meets" if audit_wall <= 0.3 else "MISSES"
    cpu_verdict = "within" if audit_cpu <= 0.3 else "over"
    table = "\n".join(
        f"| {n} | {w * 1000:.0f} ms | {c * 1000:.0f} ms | {h} |" for n, w, c, h in out
    )
    body = f"""
Median of {RUNS} runs of each command as a whole process ({machine()}; load average
{load_before:.1f} before, {load_after:.1f} after: other work on the machine stretches every
row). Run: `python benchmarks/audit_startup.py`.

| command | wall | CPU (user + system) | heavy modules it imported |
|---|---|---|---|
{table}

Target: the small workbook audited in <= 300 ms: {verdict} ({audit_wall * 1000:.0f} ms wall;
its CPU time, which waits for no other process, {audit_cpu * 1000:.0f} ms, {cpu_verdict} 300 ms).
Where the time goes: `python -X importtime -c "from flopbook.cli import main; main()" audit
examples/deepseek-semianalysis.xlsx 2> imports.txt`. Suggested sums are computed without
the formulas package (`flopbook.audit.arith`), label units are read without pint
(`flopbook.audit.units.BASE_UNITS`, held to pint's registry by a test), NumPy loads only
with the formulas package, JSON is written without the catalog (`flopbook.render.jsontext`),
the process pool loads only for several workbooks, and the command imports openpyxl without
Pillow (and NumPy). Only the audit's own command module is imported and built
(`flopbook.cli.COMMANDS`), and its option values are read without building typer's pydantic
validators (`flopbook.cli.values`), so pydantic is not loaded. What is left is typer's own
import (the `--help` row), openpyxl's (about 300 modules, which the workbook reader and the
formula tokenizer need), and the audit's own modules. Bytecode is written (to a folder of its
own), as an installed copy has it.
"""
    update_section("Audit start-up", body)
    print(body)


if __name__ == "__main__":
    main()
