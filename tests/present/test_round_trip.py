"""What a person reads is what they can type back: any figure, formatted, then read with
``q()``, gives the value back within the precision it was shown to."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import flopbook as fb
from flopbook import numbers
from flopbook.quantity import Quantity, Summary

UNITS = [
    "USD",
    "USD/GPU",
    "USD/GPU/hour",
    "USD/year",
    "GPU",
    "GPU*hour",
    "FLOP",
    "TFLOP/s",
    "W",
    "kWh",
    "token",
    "hour",
    "day",
    "token/s/GPU",
    "GB",
    "GB/s",
    "Gbit/s",
    "USD/token",
    "USD/FLOP",
    "PFLOP/s",
    "TFLOP/s/GPU",
    "kWh/query",
    "J/FLOP",
    "s",
]

magnitude = st.floats(min_value=1e-3, max_value=1e14, allow_nan=False, allow_infinity=False)


def _shown_tolerance(x: float, sig: int) -> float:
    # half a unit in the last significant digit shown, whatever unit it is shown in (a
    # figure may move to a larger unit: 129.9B year for 4.745e13 day): at most half of
    # 10^(1 - sig) of the value
    return 0.5 * 10 ** (1 - sig) * abs(x) * 1.0001


@settings(max_examples=300, deadline=None)
@given(x=magnitude, negative=st.booleans(), unit=st.sampled_from(UNITS))
def test_a_figure_reads_back_within_its_shown_precision(x, negative, unit):
    x = -x if negative else x
    text = numbers.amount(x, unit)
    back = fb.q(text).to(unit).magnitude[0]
    assert abs(back - x) <= _shown_tolerance(x, numbers.SIG), (text, back, x)


@settings(max_examples=200, deadline=None)
@given(x=magnitude, unit=st.sampled_from(UNITS))
def test_a_quantity_repr_reads_back(x, unit):
    value = Quantity(x, unit)
    text = repr(value)
    back = fb.q(text).to(unit).magnitude[0]
    # the repr shows at least three significant digits
    assert abs(back - x) <= _shown_tolerance(x, 3), (text, back, x)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=1e-30, max_value=1e30), unit=st.sampled_from(UNITS))
def test_a_quantity_in_readable_units_reads_back(x, unit):
    # what calc shows: the quantity moved to the unit it reads best in (18 TB, 47.14 day,
    # $2.000/Mtoken, 7.078e-13 J/FLOP), never digits lost to zeros
    text = numbers.quantity_text(Quantity(x, unit))
    back = fb.q(text).to(unit).magnitude[0]
    assert abs(back - x) <= _shown_tolerance(x, numbers.SIG), (text, back, x)


@settings(max_examples=100, deadline=None)
@given(share=st.floats(min_value=1e-4, max_value=50, allow_nan=False))
def test_a_share_reads_back_as_a_percentage(share):
    text = numbers.amount(share, "", share=True)
    assert text.endswith("%")
    assert abs(fb.q(text).to("").magnitude[0] - share) <= _shown_tolerance(share, numbers.SIG)


# Units that lead with a scale prefix: a figure in one never shows two scales
# (22.5M Mtoken/year is 22.5T token/year; 3.5M MWh is 3.50 TWh).
PREFIXED = [
    "Mtoken/year",
    "Mtoken",
    "ktoken/s",
    "kquery/day",
    "Mrequest/day",
    "MWh",
    "MWh/year",
    "kW",
    "GB",
    "TB/s",
    "Gbit/s",
    "TFLOP/s",
    "PFLOP",
]
_LETTERS = ("k", "M", "B", "T")


def _two_scales(text: str) -> bool:
    """A number with a scale letter followed by a unit that has a scale prefix."""
    number, _, unit = text.partition(" ")
    return number.rstrip("0123456789.,").endswith(_LETTERS[1:]) and unit[:1] in "kMGTPE"


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=1e-2, max_value=1e20), unit=st.sampled_from(PREFIXED))
def test_a_prefixed_unit_never_shows_two_scales(x, unit):
    point = Summary(unit, x, x, x, x, 1)
    for text in (numbers.value(x, unit), numbers.summary(point, unit)):
        assert not _two_scales(text), text
        shown = text.split(" (")[0]
        back = fb.q(shown).to(unit).magnitude[0]
        assert abs(back - x) <= _shown_tolerance(x, 3), (text, back, x)


def test_tokens_per_year_read_with_one_scale():
    assert numbers.value(22.5e6, "Mtoken/year") == "22.5T token/year"
    assert numbers.value(3.5e6, "MWh") == "3.50 TWh"
    assert numbers.value(2.5e6, "TFLOP/s") == "2.50 EFLOP/s"
    assert numbers.value(7e6, "GB") == "7.00 PB"
    # below a million the unit keeps its prefix: no letter to clash with
    assert numbers.value(1500, "Mtoken/year") == "1,500 Mtoken/year"
