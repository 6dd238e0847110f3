"""Output files appear whole or not at all, and never replace a file unasked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flopbook.errors import InputError
from flopbook.files import check_target, write_atomically
from flopbook.render.reports import check_report_target


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        check_target(tmp_path / "nope" / "out.xlsx", "xlsx")


def test_existing_file_needs_force(tmp_path):
    out = tmp_path / "out.html"
    out.write_text("mine")
    with pytest.raises(InputError, match="already exists.*--force"):
        check_report_target(out, "html")
    assert check_report_target(out, "html", force=True) == out


def test_wrong_suffix_and_folders(tmp_path):
    with pytest.raises(InputError, match="ending in .xlsx"):
        check_target(tmp_path / "out.xls", "xlsx")
    (tmp_path / "d.html").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        check_report_target(tmp_path / "d.html", "html", force=True)
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="not a folder"):
        check_report_target(tmp_path / "file" / "out.html", "html")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_read_only_place():
    # /proc refuses new files even to root, unlike a chmod-ed folder
    with pytest.raises(InputError, match="cannot write in '/proc'"):
        check_target("/proc/flopbook-report.xlsx", "xlsx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match="cannot write"):
            check_target(folder / "out.xlsx", "xlsx")
    finally:
        folder.chmod(0o755)


def test_input_is_never_overwritten(tmp_path):
    scenario = tmp_path / "fleet.html"
    scenario.write_text("skus: []")
    with pytest.raises(InputError, match="never overwrites its input"):
        check_report_target(scenario, "html", force=True, protect=(scenario,))


def test_a_failed_write_leaves_nothing(tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_text("the old file")

    def half(tmp: str) -> None:
        Path(tmp).write_text("half a fil")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(out, half)
    assert out.read_text() == "the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_finished_write_replaces_and_is_readable(tmp_path):
    out = tmp_path / "out.html"
    write_atomically(out, lambda tmp: Path(tmp).write_text("new"))
    assert out.read_text() == "new"
    assert out.stat().st_mode & 0o044  # readable by others, as a normal new file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html"]
