"""Numbers as text, knowing no unit: significant digits and scale letters.

Below the quantities, so that a quantity's ``repr`` and every renderer (through
:mod:`flopbook.numbers`) write digits the same way.
"""

from __future__ import annotations

import math

__all__ = ["exponent", "number", "scaled", "significant"]


def number(x: float, digits: int | None = None, *, sig: int = 3) -> str:
    """``digits`` decimals, or ``sig`` significant digits; a value that rounds to zero shows
    no minus sign. Significant digits below 1e-4 take an exponent (7.078e-13, never
    0.000000000001)."""
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if digits is None:
        a = abs(x)
        if 0 < a < TINY:
            return exponent(x, sig)
        digits = 0 if a == 0 or a >= 10 ** (sig - 1) else sig - 1 - math.floor(math.log10(a))
        digits = min(digits, 12)
    text = f"{x:,.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


TINY = 1e-4
"""Below this, a number shown to its significant digits takes an exponent."""


def exponent(x: float, sig: int = 3) -> str:
    """``3.2856e24`` -> ``3.29e24``: a mantissa of ``sig`` digits, the exponent unpadded."""
    mantissa, _, power = f"{x:.{sig - 1}e}".partition("e")
    return f"{mantissa}e{int(power)}"


def significant(x: float, most: int = 6) -> int:
    """How many significant digits ``x`` needs to be shown as written: 5.576e6 -> 4, 545 -> 3,
    87,072 -> 5 (at most ``most``)."""
    if x == 0 or not math.isfinite(x):
        return 1
    for n in range(1, most):
        if math.isclose(float(f"{x:.{n - 1}e}"), x, rel_tol=1e-9):
            return n
    return most


_LETTERS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def scaled(x: float, sig: int = 4) -> str:
    """``61_440_000`` -> ``61.44M``, ``35_000`` -> ``35.0k``, ``3.2856e24`` -> ``3.286e24``:
    at least three significant digits, four when the number has them; a scale letter from a
    thousand, an exponent from 1e15."""
    if not math.isfinite(x):
        return number(x)
    sig = max(3, min(sig, significant(x, most=sig)))
    a = abs(x)
    if a >= 1e15:
        return exponent(x, sig)
    for factor, letter in _LETTERS:
        if a >= factor:
            return number(x / factor, sig=sig) + letter
    return number(x, sig=sig)
