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
