"""Shared test helpers: run the CLI in-process and read its exit code and output."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    code: int
    out: str
    err: str


def flopbook(*args: str, cwd: Path | None = None) -> Run:
    """Run `flopbook ARGS` as a user would (a new process, the real entry point)."""
    proc = subprocess.run(
        [sys.executable, "-c", "from flopbook.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return flopbook


@pytest.fixture
def write(tmp_path):
    """Write a scenario file and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


# ---- the audit (tests/audit) ------------------------------------------------------------


@pytest.fixture(scope="session")
def deepseek_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published DeepSeek fleet table as a workbook (built once per test run)."""
    if str(ROOT / "tests" / "audit") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests" / "audit"))
    from deepseek_book import build

    return build(tmp_path_factory.mktemp("books") / "deepseek-semianalysis.xlsx")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `flopbook ARGS` in this process through the real entry point:
    (exit code, stdout, stderr)."""
    from flopbook.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["flopbook", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
