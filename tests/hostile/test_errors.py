"""The boundary: a library's or the system's error is one line and exit 2; anything else is
one line and exit 3 with a pointer to --debug, never exit 1 (which means findings)."""

from __future__ import annotations

import errno

import pytest

RAISED = {
    "a bug": (RuntimeError("something internal went wrong"), 3),
    "a KeyError": (KeyError("sku"), 3),
    "a full disk": (OSError(errno.ENOSPC, "No space left on device", "out.xlsx"), 2),
    "no permission": (PermissionError(errno.EACCES, "Permission denied", "out.xlsx"), 2),
    "out of memory": (MemoryError(), 2),
    "too deep": (RecursionError("maximum recursion depth exceeded"), 2),
    "an overflow": (OverflowError("math range error"), 2),
}


@pytest.mark.parametrize("name", list(RAISED))
def test_errors_at_the_boundary(flopbook, monkeypatch, name: str) -> None:
    import flopbook.calc as calc

    error, code = RAISED[name]

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise error

    monkeypatch.setattr(calc, "evaluate", broken)
    ran = flopbook.run("calc", "1 W", expect=code)
    if code == 3:
        assert "--debug" in ran.err and "RuntimeError" not in ran.err


def test_debug_shows_the_traceback(flopbook, monkeypatch) -> None:
    import flopbook.calc as calc

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(calc, "evaluate", broken)
    monkeypatch.setattr("sys.argv", ["flopbook", "--debug", "calc", "1 W"])
    from flopbook.cli import main

    with pytest.raises(RuntimeError, match="boom"):
        main()


@pytest.mark.parametrize("error", ["pint", "xlsxwriter"])
def test_library_errors_are_exit_2(flopbook, monkeypatch, error: str) -> None:
    import flopbook.calc as calc

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if error == "pint":
            import pint

            raise pint.UndefinedUnitError("zorkmid")
        from xlsxwriter.exceptions import FileCreateError

        raise FileCreateError(OSError(errno.ENOSPC, "No space left on device", "a.xlsx"))

    monkeypatch.setattr(calc, "evaluate", broken)
    flopbook.run("calc", "1 W", expect=2)
