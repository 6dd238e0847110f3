"""The errors flopbook raises on purpose.

Every error a user can cause is an :class:`InputError`: one line that names the file, the
line, the field, what was wrong and how to fix it. The command line prints it and exits 2.

    FlopbookError
    ├── InputError          a value, a field, a file or an option (also a ValueError)
    │   ├── UnitError       a unit that does not fit (pint's DimensionalityError, mapped)
    │   │   └── UnitMismatchError
    │   ├── WorkbookError   a workbook that cannot be read or audited safely
    │   └── UnknownNameError
    └── DataError           flopbook's own data (catalog, cases) is inconsistent
"""

from __future__ import annotations

import re


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
        # the hint is flopbook's own words (its examples may be long): only its length is cut
        hint = f" — {_clip(self.hint, 300)}" if self.hint else ""
        line = f"{_cut(place, 120)}{_cut(field, 80)}{_cut(self.message)}{hint}"
        return _clip(line.replace("\n", " "), LINE_CHARS)


# A value echoed back in a message is cut to a few dozen characters: a 1 MB input is not
# repeated whole, and the line stays one line a person can read.
_QUOTED = re.compile(r"""'[^'\n]{48,}'|"[^"\n]{48,}"|\[[^\]\n]{48,}\]""")
ECHO_CHARS = 40
MESSAGE_CHARS = 400
LINE_CHARS = 500


def _cut(text: str, limit: int = MESSAGE_CHARS) -> str:
    text = _QUOTED.sub(lambda m: m.group()[: ECHO_CHARS - 1] + "…" + m.group()[-1], text)
    return _clip(text, limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UnitError(InputError):
    """A unit that does not fit: adding USD to USD/year, W where USD is expected."""


class UnitMismatchError(UnitError):
    """A value whose unit does not fit where it is used (W where USD is expected)."""


class WorkbookError(InputError):
    """A workbook that cannot be read, or is refused as unsafe (a zip bomb, a macro-only
    format, a password)."""


class DataError(FlopbookError):
    """flopbook's own data (the catalog, a case, a default) is inconsistent: not the user's
    mistake, but still one line naming the file."""


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


class InputWarning(UserWarning):
    """Input that is allowed but probably wrong (a custom chip's rate that looks sparse).
    The command line prints it as one line on stderr and carries on (exit 0)."""
