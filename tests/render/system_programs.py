"""Fixtures for the system programs the report tests drive: LibreOffice (recalculates
workbooks) and Chromium (renders HTML), installed by scripts/install-system-deps.sh. When one
is missing its tests skip on a developer's machine and FAIL under CI=true, so that CI cannot
pass without running them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RECALC_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _need(names: list[str], package: str) -> str:
    for name in names:
        found = shutil.which(name) or (
            name if os.path.isabs(name) and os.access(name, os.X_OK) else None
        )
        if found:
            return found
    message = (
        f"{package} is not installed (run scripts/install-system-deps.sh as root, "
        f"or apt-get install {package})"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def soffice() -> str:
    return _need(["soffice", "libreoffice"], "libreoffice-calc")


@pytest.fixture(scope="session")
def chromium() -> str:
    return _need(["chromium", "/usr/bin/chromium", "chromium-browser"], "chromium")


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    return _need(["pdftoppm"], "poppler-utils")


@pytest.fixture(scope="session")
def pdfinfo() -> str:
    return _need(["pdfinfo"], "poppler-utils")


@pytest.fixture
def recalculate(soffice: str, tmp_path: Path):
    """Open a workbook in LibreOffice headless with recalculation on load forced ("always"),
    save it again as xlsx, and return the path of the recalculated copy. Given more books,
    one LibreOffice run converts them all (it starts in seconds; a book takes a fraction)."""

    def run(book: Path, *more: Path) -> Path:
        profile = tmp_path / "lo-profile"
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_SETTINGS)
        out = tmp_path / "recalculated"
        out.mkdir(exist_ok=True)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                str(book),
                *map(str, more),
            ],
            check=True,
            capture_output=True,
            timeout=180 + 10 * len(more),
        )
        result = out / book.name
        assert all((out / b.name).exists() for b in (book, *more)), "LibreOffice wrote no file"
        return result

    return run


@pytest.fixture
def render_page(chromium: str, tmp_path: Path):
    """Render an HTML file in headless Chromium: (screenshot path, serialised DOM)."""

    def run(page: Path, width: int = 1280, height: int = 2000) -> tuple[Path, str]:
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
        ]
        shot = tmp_path / "screenshot.png"
        subprocess.run(
            [
                chromium,
                *flags,
                f"--screenshot={shot}",
                f"--window-size={width},{height}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        dom = subprocess.run(
            [chromium, *flags, "--dump-dom", page.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
            text=True,
        ).stdout
        return shot, dom

    return run
