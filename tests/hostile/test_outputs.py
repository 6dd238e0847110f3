"""Outputs as one transaction: all files or none, on a full disk, in a read-only folder,
over existing charts; folders made only for good input; file modes from the umask."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from hostile.conftest import FLEET


@contextlib.contextmanager
def _small_disk(folder: Path, size: str = "96k", read_only: bool = False):  # noqa: ANN202
    """A tmpfs of ``size`` at ``folder`` (root only), unmounted afterwards."""
    folder.mkdir(exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    try:
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        made = None
    if made is None or made.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def _fill(folder: Path, leave: int) -> None:
    """Fill the disk at ``folder`` but for about ``leave`` bytes."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    if free > leave:
        (folder / "filler").write_bytes(b"\0" * (free - leave))


WRITES = {
    "report --xlsx": lambda f, d: ("report", f, "--xlsx", d / "a.xlsx"),
    "report --html": lambda f, d: ("report", f, "--html", d / "a.html"),
    "report --xlsx --html": lambda f, d: (
        "report",
        f,
        "--xlsx",
        d / "a.xlsx",
        "--html",
        d / "a.html",
    ),
    "fleet --plot": lambda f, d: ("fleet", f, "--plot", d / "charts"),
    "fleet --plot --sensitivity": lambda f, d: (
        "fleet",
        f,
        "--plot",
        d / "charts",
        "--sensitivity",
        "tco_per_year",
    ),
}


@pytest.mark.parametrize("leave", [0, 30_000], ids=["full", "nearly full"])
@pytest.mark.parametrize("name", list(WRITES))
def test_a_full_disk(flopbook, tmp_path, name: str, leave: int) -> None:
    scenario = flopbook.write("fleet.yaml", FLEET)
    with _small_disk(tmp_path / "disk") as disk:
        _fill(disk, leave)
        before = sorted(p.name for p in disk.iterdir())
        args = WRITES[name](scenario, disk)
        # nearly full, a small file may fit: then every file is written, else none is
        ran = flopbook.run(
            *args, "--samples", "256", expect=2 if leave == 0 else (0, 2), outputs=disk
        )
        targets = [a for a in args if isinstance(a, Path) and a.parent == disk]
        if ran.code == 0:
            assert all(t.exists() for t in targets)
        else:
            assert "full" in ran.err or "space" in ran.err
            assert sorted(p.name for p in disk.iterdir()) == before  # nothing, not half


def test_a_full_disk_under_audit_fix(flopbook, tmp_path) -> None:
    from hostile.test_workbooks import _book

    book = _book(flopbook.inputs / "book.xlsx")
    with _small_disk(tmp_path / "disk") as disk:
        _fill(disk, 0)
        flopbook.run("audit", book, "--fix", disk / "fixed.xlsx", expect=2, outputs=disk)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_read_only_folder(flopbook, tmp_path, name: str) -> None:
    scenario = flopbook.write("fleet.yaml", FLEET)
    with _small_disk(tmp_path / "ro", read_only=True) as disk:
        ran = flopbook.run(
            *WRITES[name](scenario, disk), "--samples", "256", expect=2, outputs=disk
        )
        assert "read-only" in ran.err or "permission" in ran.err


def test_report_writes_both_files_or_neither(flopbook, monkeypatch) -> None:
    """The page fails after the workbook is complete: the workbook is not left behind."""
    import flopbook.render.reports as reports

    def broken(report, path):  # noqa: ANN001, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports, "write_html", broken)
    scenario = flopbook.write("fleet.yaml", FLEET)
    flopbook.run(
        "report", scenario, "--xlsx", "a.xlsx", "--html", "a.html", "--samples", "200", expect=2
    )
    assert list(flopbook.outputs.iterdir()) == []


def test_plot_refuses_to_replace_charts_without_force(flopbook) -> None:
    scenario = flopbook.write("fleet.yaml", FLEET)
    flopbook.run("fleet", scenario, "--plot", "charts", "--samples", "256", expect=0)
    charts = flopbook.outputs / "charts"
    before = {p.name: p.read_bytes() for p in charts.iterdir()}
    ran = flopbook.run("fleet", scenario, "--plot", "charts", "--samples", "256", expect=2)
    assert "--force" in ran.err
    assert {p.name: p.read_bytes() for p in charts.iterdir()} == before
    flopbook.run("fleet", scenario, "--plot", "charts", "--samples", "256", "--force", expect=0)


@pytest.mark.parametrize("bad", ["not a scenario: [", "skus: []", "name: x\n"])
def test_plot_folder_made_only_for_good_input(flopbook, bad: str) -> None:
    scenario = flopbook.write("fleet.yaml", bad)
    flopbook.run("fleet", scenario, "--plot", "charts", expect=2)
    assert not (flopbook.outputs / "charts").exists()


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_modes_follow_the_umask(flopbook, umask: int) -> None:
    scenario = flopbook.write("fleet.yaml", FLEET)
    old = os.umask(umask)
    try:
        flopbook.run("fleet", scenario, "--plot", "charts", "--samples", "256", expect=0)
        flopbook.run(
            "report", scenario, "--xlsx", "a.xlsx", "--html", "a.html", "--samples", "200", expect=0
        )
    finally:
        os.umask(old)
    files = [
        *(flopbook.outputs / "charts").iterdir(),
        flopbook.outputs / "a.xlsx",
        flopbook.outputs / "a.html",
    ]
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name
