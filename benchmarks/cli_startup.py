"""How fast `flopbook --help` answers, against two peers run the same way.

Peers: the bare interpreter (`python -c pass`, the floor no Python command can beat) and a
one-command typer application (the same framework with nothing of ours). Target: under 0.3 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import machine, update_section  # noqa: E402

RUNS = 15
TYPER_HELLO = """
import typer
app = typer.Typer(add_completion=False)
@app.command()
def hello(name: str = "world") -> None:
    print(name)
@app.command()
def bye() -> None:
    pass
app()
"""


def timed(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(TYPER_HELLO)
    py = sys.executable
    ours = timed([py, "-c", "from flopbook.cli import main; main()", "--help"])
    floor = timed([py, "-c", "pass"])
    typer_hello = timed([py, f.name, "--help"])
    Path(f.name).unlink()
    verdict = "meets" if ours < 0.3 else "MISSES"
    body = f"""
`flopbook --help`, median of {RUNS} runs each ({machine()}):

| command | median | ratio to flopbook |
|---|---|---|
| `flopbook --help` | {ours * 1000:.0f} ms | 1.00 |
| `python -c pass` (interpreter floor) | {floor * 1000:.0f} ms | {floor / ours:.2f} |
| one-command typer app `--help` (peer) | {typer_hello * 1000:.0f} ms | {typer_hello / ours:.2f} |

flopbook takes {ours / floor:.1f}× the bare interpreter and {ours / typer_hello:.2f}× a bare
typer app; target < 300 ms: {verdict}. Heavy modules (pint, NumPy, pandas) load only when a
command runs.
"""
    update_section("CLI start-up", body)
    print(body)


if __name__ == "__main__":
    main()
