"""The shape of a catalog entry: every value is a :class:`Sourced` field.

The files themselves are in ``data/`` (one YAML file per chip); ``data/README.md`` documents
the conventions (dense peak rates, the scale-up bandwidth convention, price kinds).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SPEC_UNITS: dict[str, str] = {
    "fp8_dense": "TFLOP/s",
    "bf16_dense": "TFLOP/s",
    "tf32_dense": "TFLOP/s",
    "fp32": "TFLOP/s",
    "hbm_capacity": "GB",
    "hbm_bandwidth": "TB/s",
    "scaleup_bandwidth": "GB/s",
    "tdp": "W",
}

SPEC_LABELS: dict[str, str] = {
    "fp8_dense": "FP8 dense peak",
    "bf16_dense": "BF16 dense peak",
    "tf32_dense": "TF32 dense peak",
    "fp32": "FP32 peak",
    "hbm_capacity": "HBM capacity",
    "hbm_bandwidth": "HBM bandwidth",
    "scaleup_bandwidth": "Scale-up bandwidth",
    "tdp": "TDP",
}

PRICE_KINDS = ("purchase", "server_per_gpu", "rental")
PRICE_UNITS = {"purchase": "USD/GPU", "server_per_gpu": "USD/GPU", "rental": "USD/GPU/hour"}

# How long a rental is committed for. Epoch's price data says "1-year CUD" (committed use
# discount) and "3-year CUD"; a capacity block is a reservation of days to weeks.
RENTAL_TERMS = ("on_demand", "1_year", "3_year", "spot", "capacity_block")

# How a range "LOW to HIGH" is read: ``p90`` a 90% interval (lognormal when both ends are
# positive), ``uniform`` any value between the ends equally likely (the ends of a few
# observations, or a source that gives bounds and no more).
RANGE_KINDS = ("p90", "uniform")

# A value dated after this many days from today is an error: a price cannot be observed in
# the future. A day of slack keeps a file written in another time zone valid.
_FUTURE_SLACK_DAYS = 1

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4]))?$")


def _as_text(value: object) -> str | None:
    # YAML reads 2023-03-21 as a date and 2023 as an int; both are fine as text.
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def today() -> dt.date:
    """The date prices are judged against: today, or the day ``SOURCE_DATE_EPOCH`` names
    (the reproducible-builds convention: seconds since 1970), so that a saved output, a
    test or a report can be made again with the same "stale" flags and ages."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            pass  # not a number of seconds: ignored, as reproducible-build tools do
    return dt.date.today()


def date_start(text: str) -> dt.date:
    """The first day an ``as_of`` can mean: ``2025``, ``2025-03``, ``2025-Q2``,
    ``2025-03-17``. A value that is none of these is a ValueError."""
    m = _DATE.match(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, YYYY-MM, YYYY-QN or YYYY")
    year, month, day, quarter = m.groups()
    if quarter:
        return dt.date(int(year), 3 * int(quarter) - 2, 1)
    return dt.date(int(year), int(month or 1), int(day or 1))


def date_mid(text: str) -> dt.date:
    """The middle of the period an ``as_of`` names (mid-month for ``2025-03``), used to
    measure how far a price is from the date it is used at."""
    start = date_start(text)
    m = _DATE.match(text.strip())
    assert m is not None
    if m.group(3):
        return start
    if m.group(4):
        return start + dt.timedelta(days=45)
    if m.group(2):
        return start + dt.timedelta(days=14)
    return start + dt.timedelta(days=182)


# the separators flopbook.quantity reads as a range: "a to b", "a..b", a dash between numbers
_RANGE = re.compile(r"\s+to\s+|\s*\.\.\s*|(?<=[\dkKMBTmn%])\s*[-\u2013\u2014]\s*(?=[$¥.\d])")


def is_range(value: str | None) -> bool:
    """True for a quantity written as a range (``"2.45 to 3.95 USD/GPU/hour"``)."""
    return value is not None and len(_RANGE.split(value.strip(), maxsplit=1)) == 2


def _check_range(field: Sourced, where: str) -> None:
    for f in (field, *field.alternatives):
        if is_range(f.value) and f.range is None:
            raise ValueError(
                f"{where}: the range {f.value!r} needs range: p90 (a 90% "
                "interval) or range: uniform (anywhere between the ends)"
            )
        if f.range is not None and not is_range(f.value):
            raise ValueError(f"{where}: range: {f.range} is given but {f.value!r} is not a range")


class Sourced(BaseModel):
    """One value with where it came from and when.

    ``estimate`` marks a value whose only source is weak (secondary press, a wiki) or that is
    derived by judgement; its note says how. ``range`` says how a ``LOW to HIGH`` value is
    sampled (see RANGE_KINDS); a range without it is an error, so every range in the catalog
    says what it is.
    """

    model_config = ConfigDict(extra="forbid")

    value: str | None
    source: str
    as_of: str
    note: str | None = None
    estimate: bool = False
    range: Literal["p90", "uniform"] | None = None
    alternatives: list[Sourced] = Field(default_factory=list)

    @field_validator("value", "as_of", mode="before")
    @classmethod
    def _text(cls, v: object) -> str | None:
        return _as_text(v)

    @field_validator("as_of")
    @classmethod
    def _dated(cls, v: str) -> str:
        when = date_start(v)
        if when > today() + dt.timedelta(days=_FUTURE_SLACK_DAYS):
            raise ValueError(
                f"as_of {v} is in the future: a value is dated when it was published or observed"
            )
        return v


class Price(Sourced):
    """One dated price observation. A chip's prices of one kind (and, for rentals, one term)
    form a series; see ``Chip.price`` for how one is picked."""

    kind: Literal["purchase", "server_per_gpu", "rental"]
    term: Literal["on_demand", "1_year", "3_year", "spot", "capacity_block"] | None = None
    vendor: str | None = None
    # False keeps an observation in the series without making it a default: a hyperscaler's
    # list price or a price of a different basis that few buyers pay (the note says why)
    default: bool = True
    # a system price that already pays for the scale-out network (CloudMatrix 384's optical
    # interconnect): the fleet model then adds no networking capex on top
    includes_network: bool = False

    @model_validator(mode="after")
    def _rental_has_a_term(self) -> Price:
        _check_range(self, self.kind)
        if self.kind == "rental" and self.term is None:
            raise ValueError(
                "a rental price needs term: on_demand, 1_year, 3_year, spot or capacity_block"
            )
        if self.kind != "rental" and self.term is not None:
            raise ValueError(f"term is for rental prices, not {self.kind}")
        return self


class Specs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fp8_dense: Sourced
    bf16_dense: Sourced
    tf32_dense: Sourced
    fp32: Sourced
    hbm_capacity: Sourced
    hbm_bandwidth: Sourced
    scaleup_bandwidth: Sourced
    tdp: Sourced

    @model_validator(mode="after")
    def _ranges_say_what_they_are(self) -> Specs:
        for name in SPEC_UNITS:
            _check_range(getattr(self, name), name)
        return self


class Dates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    announced: Sourced
    available: Sourced


class ChipEntry(BaseModel):
    """One accelerator as the catalog file describes it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    vendor: str
    architecture: str
    aliases: list[str] = Field(default_factory=list)
    form_factor: str | None = None
    specs: Specs
    dates: Dates
    export_control: Sourced
    # the name of the chip's row in Epoch AI's "Data on Machine Learning Hardware", where it
    # has one: the tests compare every shared field with it
    epoch: str | None = None
    prices: list[Price] = Field(default_factory=list)
    price_note: str | None = None
