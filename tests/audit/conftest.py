from __future__ import annotations

from pathlib import Path

import pytest
from deepseek_book import build


@pytest.fixture(scope="session")
def deepseek_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published DeepSeek fleet table as a workbook (built once per test run)."""
    return build(tmp_path_factory.mktemp("books") / "deepseek-semianalysis.xlsx")


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `flopbook ARGS` through the real entry point: (exit code, stdout, stderr)."""
    import sys

    from flopbook.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["flopbook", *map(str, args)])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
