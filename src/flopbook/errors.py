"""The errors flopbook raises on purpose.

Every error a user can cause is an :class:`InputError`: one line that names the file, the
line, the field, what was wrong and how to fix it. The command line prints it and exits 2.
"""

from __future__ import annotations


class FlopbookError(Exception):
    """Base class of every error flopbook raises on purpose."""


class InputError(FlopbookError, ValueError):
    """Bad input: a value, a field, a file. ``str()`` is one line a person can act on."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(str(self))

    def located(
        self, *, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> InputError:
        """The same error with the place filled in where it was not known yet."""
        return type(self)(
            self.message,
            file=self.file or file,
            line=self.line or line,
            field=self.field or field,
            hint=self.hint,
        )

    def __str__(self) -> str:
        place = ""
        if self.file:
            place = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            place = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{place}{field}{self.message}{hint}".replace("\n", " ")


class UnitMismatchError(InputError):
    """A value whose unit does not fit where it is used (W where USD is expected)."""


class UnknownNameError(InputError):
    """A chip, case or metric name that is not known; the hint lists the nearest names."""


def suggest(name: str, known: list[str] | tuple[str, ...], *, cutoff: float = 0.6) -> str:
    """A hint naming the nearest of ``known`` (by spelling, else by the names that contain
    what was written: "tco" -> tco_per_year), or listing them all."""
    import difflib  # here, not at the top: `flopbook --help` imports this module

    near = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    if near:
        return f"did you mean {near[0]}?"
    low = name.lower()
    containing = [k for k in known if low and low in k.lower()]
    if len(containing) == 1:
        return f"did you mean {containing[0]}?"
    if 1 < len(containing) <= 5:
        return "did you mean one of " + ", ".join(containing) + "?"
    return "known: " + ", ".join(known)
