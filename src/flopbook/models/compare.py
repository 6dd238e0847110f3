"""Cost per FLOP across chips: $/PFLOP-hour and W/PFLOP side by side, and how many of one chip
match N of another in dense FLOP/s, power and money.

    >>> from flopbook.models.compare import compare
    >>> c = compare(["H100", "H20"], prices={"H20": "1.2 USD/GPU/hour"})
    >>> c.rows[1].cost_per_pflop          # USD per PFLOP/s-hour at dense BF16
    >>> c.matches[0].count                # H20s that match 1,000 H100s in dense FLOP/s

A price is either hourly (USD/GPU/hour: a rental, or the owned cost the fleet model derives
from a server price) or a capital cost (USD/GPU). Hourly prices give $ per PFLOP/s-hour;
capital costs give $ per PFLOP/s of capacity. The two cannot be mixed in one comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pint

from flopbook.calc import describe
from flopbook.catalog import chip as find
from flopbook.errors import InputError, UnitMismatchError, suggest
from flopbook.formula.declaration import Form, Kind, extensive
from flopbook.formula.result import ItemOutputs
from flopbook.frames import records_frame
from flopbook.inputs import FieldSpec
from flopbook.models.fleet import Fleet, Sku
from flopbook.models.workload import _precision as read
from flopbook.quantity import Quantity, is_point, magnitudes, q, registry, summarize

if TYPE_CHECKING:
    from flopbook.catalog import Chip

__all__ = [
    "COMPARE",
    "PRICE_KINDS",
    "ChipCost",
    "Comparison",
    "Match",
    "compare",
    "gpu_count",
    "owned_cost_per_hour",
]

# Where a chip's price comes from when none is given: a catalog rental price, the owned cost
# per GPU-hour the fleet model derives from the catalog's server (or GPU) price with default
# assumptions, or the catalog's capital prices themselves.
PRICE_KINDS = ("rental", "owned", "server_per_gpu", "purchase")
HOURLY, CAPITAL = "USD/GPU/hour", "USD/GPU"


def _spec(name: str, label: str, units: tuple[str, ...], example: str, doc: str) -> FieldSpec:
    return FieldSpec(name, label, units, example, doc, low=0)


# A chip's figures against the reference's, written once (flopbook.formula): the comparison
# evaluates them, and the cost-per-FLOP case's workbook writes the same formulas.
COMPARE = Kind(
    name="compare",
    label="Chip comparison",
    doc="Cost and power per dense FLOP/s of each chip, and how many match the reference.",
    item_inputs={
        "price": _spec("price", "Price", (HOURLY, CAPITAL), "2 USD/GPU/hour", "hourly or capital"),
        "peak": _spec("peak", "Dense peak", ("TFLOP/s",), "989 TFLOP/s", "at the precision"),
        "tdp": _spec("tdp", "TDP", ("W",), "700 W", "the chip's power"),
    },
    shared_inputs={
        "reference_price": _spec(
            "reference_price", "Reference price", (HOURLY, CAPITAL), "2 USD/GPU/hour", "the first"
        ),
        "reference_peak": _spec(
            "reference_peak", "Reference peak", ("TFLOP/s",), "989 TFLOP/s", "the first chip's"
        ),
        "count": _spec("count", "Reference GPUs", ("GPU",), "1000 GPU", "GPUs of the reference"),
    },
    choices={"price_basis": ("hourly", "capital")},
    outputs=(
        extensive(
            "cost_per_pflop_hour",
            "Cost per PFLOP/s-hour",
            "USD/(PFLOP/s*hour)",
            {"price_basis is hourly": "price * GPU / peak"},
        ),
        extensive(
            "cost_per_pflop_capacity",
            "Cost per PFLOP/s",
            "USD/(PFLOP/s)",
            {"price_basis is capital": "price * GPU / peak"},
        ),
        extensive(
            "relative_cost",
            "Cost per FLOP over the reference's",
            "",
            "(price / peak) / (reference_price / reference_peak)",
        ),
        # the headline ratio: of the mean costs per FLOP (what a reader gets by dividing the
        # two printed means), not the mean of the ratios
        extensive(
            "cost_vs_reference",
            "Mean cost per FLOP over the reference's",
            "",
            "mean(price / peak) / mean(reference_price / reference_peak)",
            "the ratio of the mean costs per FLOP",
        ),
        extensive("watts_per_pflop", "Power per PFLOP/s", "W/(PFLOP/s)", "tdp / peak"),
        # how many of this chip give the reference's dense FLOP/s, their power and money
        extensive("match_count", "GPUs to match", "GPU", "count * reference_peak / peak"),
        extensive("match_power", "Their power", "kW", "tdp * match_count / GPU"),
        extensive(
            "match_money_hourly",
            "Their cost per hour",
            "USD/hour",
            {"price_basis is hourly": "price * match_count"},
        ),
        extensive(
            "match_money_capital",
            "Their capital cost",
            "USD",
            {"price_basis is capital": "price * match_count"},
        ),
    ),
)

KINDS = (COMPARE,)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {"compare": ("workload.md", lambda output: "per chip")}


def chip_outputs(
    price: pint.Quantity[Any] | None,
    peak: pint.Quantity[Any],
    tdp: pint.Quantity[Any] | None,
    **reference: pint.Quantity[Any] | None,
) -> ItemOutputs:
    """:data:`COMPARE` for one chip (``reference``: ``reference_price``, ``reference_peak``,
    ``count``, where known)."""
    given = {"price": price, "peak": peak, "tdp": tdp, **reference}
    values = {n: v for n, v in given.items() if v is not None}
    choices: tuple[tuple[str, str], ...] = ()
    if price is not None:
        hourly = price.check("[currency]/[accelerator]/[time]")
        choices = (("price_basis", "hourly" if hourly else "capital"),)
    return ItemOutputs(COMPARE, values, Form(frozenset(values), frozenset(), choices))


@dataclass(frozen=True)
class ChipCost:
    chip: str
    name: str
    precision: str
    peak: pint.Quantity[Any]  # TFLOP/s per GPU
    tdp: pint.Quantity[Any] | None
    price: pint.Quantity[Any] | None  # USD/GPU/hour or USD/GPU
    price_source: str

    @property
    def hourly(self) -> bool:
        return self.price is not None and self.price.check("[currency]/[accelerator]/[time]")

    @property
    def outputs(self) -> ItemOutputs:
        return chip_outputs(self.price, self.peak, self.tdp)

    @property
    def cost_per_pflop(self) -> pint.Quantity[Any] | None:
        """USD per PFLOP/s-hour (hourly prices) or USD per PFLOP/s (capital prices)."""
        out = self.outputs
        return out["cost_per_pflop_hour" if self.hourly else "cost_per_pflop_capacity"]

    @property
    def watts_per_pflop(self) -> pint.Quantity[Any] | None:
        return self.outputs["watts_per_pflop"]


@dataclass(frozen=True)
class Match:
    """``count`` of ``chip`` give the dense FLOP/s of ``reference_count`` of the reference."""

    chip: str
    count: pint.Quantity[Any]
    power: pint.Quantity[Any] | None
    reference_power: pint.Quantity[Any] | None
    money: pint.Quantity[Any] | None
    reference_money: pint.Quantity[Any] | None


@dataclass
class Comparison:
    precision: str
    reference: str
    reference_count: pint.Quantity[Any]
    rows: list[ChipCost]
    matches: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, chip: str) -> ChipCost:
        cid = find(chip).id
        return next(r for r in self.rows if r.chip == cid)

    def ratio(self, chip: str) -> float | None:
        """Cost per FLOP of ``chip`` relative to the reference (1 = same)."""
        a, b = self.row(self.reference), self.row(chip)
        if a.price is None or b.price is None:
            return None
        out = chip_outputs(b.price, b.peak, b.tdp, reference_price=a.price, reference_peak=a.peak)[
            "cost_vs_reference"
        ]
        return None if out is None else float(magnitudes(out).mean())

    def to_dataframe(self) -> Any:
        """One row per chip, every figure a float column named with its unit
        (``tdp [W]``)."""

        return records_frame(self.to_dict()["chips"], index="chip")

    def _repr_html_(self) -> str:
        return str(self.to_dataframe()._repr_html_())

    def to_dict(self) -> dict[str, Any]:
        def s(x: Any) -> Any:
            return None if x is None else summarize(x).as_dict()

        return {
            "precision": self.precision,
            "reference": self.reference,
            "reference_count": s(self.reference_count),
            "chips": [
                {
                    "chip": r.chip,
                    "name": r.name,
                    "peak": s(r.peak),
                    "tdp": s(r.tdp),
                    "price": s(r.price),
                    "price_source": r.price_source,
                    "cost_per_pflop": s(r.cost_per_pflop),
                    "watts_per_pflop": s(r.watts_per_pflop),
                    "cost_per_flop_vs_reference": self.ratio(r.chip),
                }
                for r in self.rows
            ],
            "matches": [
                {
                    "chip": m.chip,
                    "count": s(m.count),
                    "power": s(m.power),
                    "reference_power": s(m.reference_power),
                    "money": s(m.money),
                    "reference_money": s(m.reference_money),
                }
                for m in self.matches
            ],
            "notes": self.notes,
        }


def owned_cost_per_hour(
    c: Chip, assumptions: Mapping[str, Any] | None = None, at: str | None = None
) -> tuple[pint.Quantity[Any] | None, str]:
    """The fleet model's cost per GPU-hour of owning ``c``: its catalog server price (or GPU
    price plus server parts) nearest the date ``at`` (the latest without one), default
    assumptions unless given."""
    server = c.pick_price("server_per_gpu", at)
    gpu = c.pick_price("purchase", at)
    if server is None and gpu is None:
        return None, f"no server or GPU price for {c.id} in the catalog"
    pick = server or gpu
    assert pick is not None
    kw: dict[str, Any] = (
        {"server_cost_per_gpu": pick.value} if server is not None else {"gpu_price": pick.value}
    )
    given = dict(assumptions or {})
    if any(o.includes_network for o in pick.observations):
        # a system price that already pays for its network: no networking capex on top
        given.setdefault("networking", "0%")
    fleet = Fleet([Sku(c.id, count="1000 GPU", **kw)], given)
    value = fleet.run().get("cost_per_gpu_hour")
    basis = "server price" if server is not None else "GPU price + default server parts"
    if "networking" in given and not (assumptions or {}).get("networking"):
        basis += ", which includes its network (no networking added)"
    return value, (
        f"owned: fleet model TCO per GPU-hour from the catalog {basis} "
        f"({pick.describe()}), default assumptions"
    )


def _price(
    c: Chip, given: Any, kind: str, at: str | None = None
) -> tuple[pint.Quantity[Any] | None, str]:
    u = registry()
    if given is not None:
        value = given if not isinstance(given, str) else q(given, key=f"price.{c.id}")
        if "[accelerator]" not in value.dimensionality:
            value = value / u.GPU  # "2 USD/hour" is for one GPU
        for unit in (HOURLY, CAPITAL):
            try:
                price = value.to(unit)
            except Exception:  # noqa: S112 - try the other kind of price
                continue
            if float(magnitudes(price).min()) <= 0:
                raise InputError(
                    f"the price of {c.id} must be above zero, got "
                    f"{given if isinstance(given, str) else describe(value)!r}",
                    field="price",
                    hint=f'write e.g. {c.id}="1.2 USD/GPU/hour"',
                )
            return price, "given"
        raise UnitMismatchError(
            f"the price of {c.id} is {value.units:~P}, not a price",
            hint='write e.g. "2.5 USD/GPU/hour" or "30k USD/GPU"',
        )
    if kind == "owned":
        return owned_cost_per_hour(c, at=at)
    pick = c.pick_price(kind, at)
    if pick is None:
        return None, f"no {kind} price for {c.id} in the catalog"
    return pick.value, f"catalog {pick.describe()}: {pick.source}"


def gpu_count(raw: Any) -> pint.Quantity[Any]:
    """How many GPUs: ``1000``, ``"1k"``, ``"2,048"``, ``"2048 GPU"``; a whole number above
    zero."""
    hint = 'e.g. 1000, 1k or "2048 GPU"'
    try:
        value = raw if isinstance(raw, pint.Quantity) else q(raw)
        if value.dimensionless:
            value = Quantity(value.to("").magnitude, "GPU")
        value = value.to("GPU")
    except (InputError, pint.DimensionalityError):
        raise InputError(
            f"cannot read {raw!r} as a number of GPUs", field="count", hint=hint
        ) from None
    m = magnitudes(value)
    if float(m.min()) <= 0:
        raise InputError(f"must be positive, got {raw!r}", field="count", hint=hint)
    if is_point(value) and not float(m[0]).is_integer():
        raise InputError(f"must be a whole number of GPUs, got {raw!r}", field="count", hint=hint)
    return value


def _precision(name: str) -> str:
    return read(name)


def compare(
    chips: Sequence[str],
    *,
    prices: Mapping[str, Any] | None = None,
    precision: str = "bf16",
    price_kind: str = "rental",
    count: Any = "1000 GPU",
    date: str | None = None,
) -> Comparison:
    """Compare chips on cost per dense FLOP and power per FLOP; the first is the reference.
    Catalog prices are those nearest ``date`` (the latest without one)."""
    if len(chips) < 2:
        raise InputError("compare needs at least two chips", hint="e.g. compare H100 H20")
    if price_kind not in PRICE_KINDS:
        raise InputError(
            f"unknown kind {price_kind!r}",
            field="price_kind",
            hint=suggest(price_kind, PRICE_KINDS),
        )
    spec = _precision(precision)
    found = [find(name) for name in chips]
    given: dict[str, Any] = {}
    for name, value in (prices or {}).items():
        given[find(name).id] = value
    extra = set(given) - {c.id for c in found}
    if extra:
        raise InputError(
            f"a price is given for {sorted(extra)[0]}, which is not compared",
            hint="add it to the chips or drop its --price",
        )
    rows = []
    notes = []
    for c in found:
        peak = c.spec(spec)
        if peak is None:
            raise InputError(
                f"the catalog has no {spec} peak for {c.id}",
                hint="compare at another precision, e.g. --precision bf16",
            )
        price, source = _price(c, given.get(c.id), price_kind, date)
        if price is None:
            notes.append(f"{c.id}: {source}; give one with --price {c.id}=…")
        rows.append(ChipCost(c.id, c.name, spec, peak, c.spec("tdp"), price, source))
    priced = [r for r in rows if r.price is not None]
    kinds = {r.hourly for r in priced}
    if len(kinds) > 1:
        hourly = next(r for r in priced if r.hourly)
        capital = next(r for r in priced if not r.hourly)
        raise UnitMismatchError(
            f"cannot compare {hourly.chip}'s price per GPU-hour with {capital.chip}'s price "
            "per GPU: an hourly cost and a capital cost are different kinds of quantity",
            hint="give every chip the same kind of price (all USD/GPU/hour or all USD/GPU)",
        )
    n = gpu_count(count)
    ref = rows[0]
    # the reference matched by itself: its own count, power and money
    own = chip_outputs(ref.price, ref.peak, ref.tdp, reference_peak=ref.peak, count=n)
    ref_money = own["match_money_hourly" if ref.hourly else "match_money_capital"]
    ref_power = own["match_power"]
    matches = []
    for r in rows[1:]:
        out = chip_outputs(r.price, r.peak, r.tdp, reference_peak=ref.peak, count=n)
        money = out["match_money_hourly" if r.hourly else "match_money_capital"]
        k = out["match_count"]
        assert k is not None  # peaks and the count are always known
        matches.append(Match(r.chip, k, out["match_power"], ref_power, money, ref_money))
    return Comparison(spec, ref.chip, n, rows, matches, notes)
