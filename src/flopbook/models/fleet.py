"""The fleet model: capex, power, opex, capital cost and TCO of a set of GPU SKUs.

    >>> from flopbook import Fleet, Sku
    >>> fleet = Fleet([Sku("H800", count="10k GPU", server_cost_per_gpu="35k USD/GPU")])
    >>> fleet.run().get("tco_per_year")

Aggregation is decided by the metric, not by the caller. *Extensive* metrics (GPUs, dollars,
watts, FLOP/s) add across SKUs. *Intensive* metrics (cost per GPU, W per GPU, $/GPU-hour) are
defined as the ratio of two extensive metrics, and their total is the ratio of the two totals
— a weighted average. There is no code path that sums an intensive row.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from flopbook import published, safe_yaml
from flopbook.catalog import Chip, name_key
from flopbook.catalog import chip as find_chip
from flopbook.errors import InputError, UnknownNameError, suggest
from flopbook.formula.declaration import Form, Formula, Kind, Ratio, extensive, ratio, step
from flopbook.formula.result import TOTAL as TOTAL  # re-exported: the column of totals
from flopbook.formula.result import ItemOutputs, Result
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.models.cash_flow import (
    FINANCING_FIELDS,
    CashFlows,
    Period,
    in_force,
    own_over_fleet,
    read_financing,
    read_period,
)
from flopbook.models.constant_dollars import (
    check_index,
    date_label,
    index_label,
    is_monthly,
    restate_factor,
)
from flopbook.models.finance import CAPITAL_COST_METHODS
from flopbook.quantity import Quantity, summarize

if TYPE_CHECKING:
    import pint

    from flopbook.catalog import Chip

# ---- inputs ----------------------------------------------------------------------------

ASSUMPTION_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "useful_life",
            "Useful life",
            ("year",),
            "4 years",
            "years over which capex is written off (1 to 10)",
            bare_unit="year",
            low=1,
            high=10,
        ),
        FieldSpec(
            "residual_value",
            "Residual (resale) value",
            ("",),
            "10%",
            "share of capex recovered at the end of the useful life (0% to 100%)",
            low=0,
            high=1,
            share=True,
        ),
        FieldSpec(
            "utilisation",
            "Utilisation",
            ("",),
            "70%",
            "share of the year's GPU-hours sold or used; costs per GPU-hour and per "
            "PFLOP/s-hour divide by the used hours",
            low=0,
            low_inclusive=False,
            high=1,
            share=True,
        ),
        FieldSpec(
            "decline",
            "Value decline (orders of magnitude a year)",
            ("",),
            "0.14",
            "how fast hardware loses value as price-performance improves; applied "
            "between a SKU's acquired and as_of years",
            low=0,
            high=1,
        ),
        FieldSpec(
            "cost_of_capital",
            "Cost of capital",
            ("",),
            "10%",
            "yearly return owed on the capital (used by the annuity)",
            low=0,
            high=1,
            share=True,
        ),
        FieldSpec(
            "server_overhead_capex",
            "Server parts beside the GPU",
            ("",),
            "40%",
            "non-GPU server parts as a share of the GPU price (only with gpu_price)",
            low=0,
            high=5,
            share=True,
        ),
        FieldSpec(
            "networking",
            "Networking capex",
            ("", "USD/GPU"),
            "15%",
            'share of server capex, or a cost per GPU such as "3k USD/GPU"',
            low=0,
            share=True,
        ),
        FieldSpec(
            "storage",
            "Storage capex",
            ("", "USD/GPU"),
            "3%",
            "share of server capex, or a cost per GPU",
            low=0,
            share=True,
        ),
        FieldSpec(
            "facility",
            "Facility capex",
            ("", "USD/GPU"),
            "0%",
            "data-centre build cost: a share of server capex, or per GPU",
            low=0,
            share=True,
        ),
        FieldSpec(
            "tdp_share",
            "Average draw (share of TDP)",
            ("",),
            "100%",
            "average accelerator power as a share of its TDP",
            low=0,
            high=1.5,
            share=True,
        ),
        FieldSpec(
            "server_power_overhead",
            "Server power beside the GPU",
            ("", "W/GPU"),
            "50%",
            "CPUs, NICs, fans: a share of GPU power, or watts per GPU",
            low=0,
            share=True,
        ),
        FieldSpec(
            "pue",
            "PUE",
            ("",),
            "1.3",
            "facility power / IT power; or an operator's published figure, "
            "{operator: google} (data/pue.yaml)",
            low=1,
            high=3,
        ),
        FieldSpec(
            "electricity_price",
            "Electricity price",
            ("USD/kWh",),
            "0.08 USD/kWh",
            "price paid per kWh of facility power; or a year's US average, {year: 2023} "
            "(data/electricity_prices.yaml)",
            low=0,
        ),
        FieldSpec(
            "hosting",
            "Hosting (colocation)",
            ("USD/kW/month",),
            "130 USD/kW/month",
            "rent per kW of IT power, excluding electricity",
            low=0,
        ),
        FieldSpec(
            "maintenance",
            "Maintenance (share of capex per year)",
            ("",),
            "3%",
            "support and spares per year as a share of capex",
            low=0,
            high=1,
            share=True,
        ),
        FieldSpec(
            "other_opex",
            "Other opex per GPU-year",
            ("USD/GPU/year",),
            "1k USD/GPU/year",
            "staff, software and any other running cost",
            low=0,
        ),
    ]
}

SKU_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec(
            "count", "GPUs", ("GPU",), "10k GPU", "number of accelerators", bare_unit="GPU", low=0
        ),
        FieldSpec(
            "server_cost_per_gpu",
            "Server cost per GPU",
            ("USD/GPU",),
            "35k USD/GPU",
            "whole server cost divided by its accelerators",
            low=0,
        ),
        FieldSpec(
            "gpu_price",
            "GPU price",
            ("USD/GPU",),
            "25k USD/GPU",
            "accelerator price alone; server parts are added (server_overhead_capex)",
            low=0,
        ),
        FieldSpec(
            "operating_cost",
            "Operating cost per GPU-year",
            ("USD/GPU/year",),
            "4.5k USD/GPU/year",
            "a published all-in running cost; replaces the computed opex",
            low=0,
        ),
        FieldSpec(
            "acquired",
            "Year acquired",
            ("year",),
            "2021",
            "when the hardware was bought: a year, a month (2021-07) or a decimal year; "
            "with as_of, capital cost is charged on its value at the use date; in the "
            "yearly cash flows, the year its capex is paid",
            bare_unit="year",
            date=True,
            low=1990,
            high=2100,
        ),
        FieldSpec(
            "retired",
            "Year retired",
            ("year",),
            "2029",
            "when the hardware leaves service and is sold at its book value (default: "
            "acquired + useful life); used by the yearly cash flows",
            bare_unit="year",
            date=True,
            low=1990,
            high=2100,
        ),
        FieldSpec(
            "rental_price",
            "Rental price per GPU-hour",
            ("USD/GPU/hour",),
            "2 USD/GPU/hour",
            "what a used GPU-hour sells for (or would cost to rent): revenue = used "
            "GPU-hours x this price",
            low=0,
        ),
        FieldSpec(
            "api_price",
            "API price per million tokens",
            ("USD/Mtoken",),
            "0.9 USD/Mtoken",
            "what the same tokens cost bought from an API (compared with owning; needs throughput)",
            low=0,
        ),
        FieldSpec(
            "throughput",
            "Tokens per second per GPU",
            ("token/s/GPU",),
            "1,500 token/s/GPU",
            "tokens one GPU serves per second while it is used (turns GPU-hours into tokens)",
            low=0,
        ),
        FieldSpec(
            "as_of",
            "Year of use",
            ("year",),
            "2024",
            "year the fleet is used and costed (not before acquired)",
            bare_unit="year",
            date=True,
            low=1990,
            high=2100,
        ),
        FieldSpec(
            "prices_of",
            "Year of the prices' dollars",
            ("year",),
            "2017",
            "the year (or, with price_index: ppi-hosting, the month) whose dollars "
            "server_cost_per_gpu, gpu_price and operating_cost are in; restated to the "
            "fleet's dollars_of by its price_index (the US CPI-U unless it names another)",
            bare_unit="year",
            date=True,
            low=1990,
            high=2100,
        ),
        FieldSpec("tdp", "TDP", ("W",), "700 W", "overrides the catalog's TDP", low=0),
        FieldSpec(
            "bf16_dense",
            "BF16 dense peak",
            ("TFLOP/s",),
            "989 TFLOP/s",
            "overrides the catalog's dense BF16 peak",
            low=0,
        ),
        FieldSpec(
            "fp8_dense",
            "FP8 dense peak",
            ("TFLOP/s",),
            "1979 TFLOP/s",
            "overrides the catalog's dense FP8 peak",
            low=0,
        ),
    ]
}


@cache
def default_assumptions() -> dict[str, Any]:
    """The defaults in ``models/defaults.yaml``: raw mappings with value, source and note."""

    text = (resources.files("flopbook.models") / "defaults.yaml").read_text(encoding="utf-8")
    return safe_yaml.load(text, "models/defaults.yaml", shipped=True)


def _capital_cost_method(raw: Any) -> str:
    value = raw.get("value") if isinstance(raw, dict) else raw
    if value not in CAPITAL_COST_METHODS:
        raise InputError(
            f"unknown method {value!r}",
            field="capital_cost",
            hint="write depreciation (straight-line) or annuity (at the cost of capital)",
        )
    return str(value)


class Assumptions:
    """Shared fleet assumptions; anything not given takes its sourced default."""

    def __init__(
        self,
        *,
        key_prefix: str = "assumptions",
        published: Mapping[str, Any] | None = None,
        **given: Any,
    ) -> None:
        defaults = default_assumptions()
        # defaults replaced by a published figure the scenario's date or operator picked
        # (flopbook.published): still defaults, shown with their own source
        self.published = {n: v for n, v in (published or {}).items() if n not in given}
        unknown = set(given) - set(ASSUMPTION_FIELDS) - {"capital_cost"}
        if unknown:
            name = sorted(unknown)[0]
            raise _unknown_field(name, [*ASSUMPTION_FIELDS, "capital_cost"], "assumptions")
        self.capital_cost = _capital_cost_method(
            given.get("capital_cost", defaults["capital_cost"])
        )
        self.given = set(given) - {"capital_cost"}
        self.inputs: dict[str, Input] = {}
        for name, spec in ASSUMPTION_FIELDS.items():
            raw = given.get(name, self.published.get(name, defaults[name]))
            self.inputs[name] = read_input(spec, raw, key=f"{key_prefix}.{name}")

    def __getitem__(self, name: str) -> pint.Quantity:
        return self.inputs[name].value

    def merged(
        self, overrides: Mapping[str, Any], *, key_prefix: str = "assumptions"
    ) -> Assumptions:
        """These assumptions with some fields replaced. A SKU's overrides are sampled under
        the SKU's own name (``key_prefix``), independent of the shared value's samples."""
        if not overrides:
            return self
        raw: dict[str, Any] = {n: self.inputs[n] for n in self.given}
        raw.update(overrides)
        raw.setdefault("capital_cost", self.capital_cost)
        return Assumptions(key_prefix=key_prefix, published=self.published, **raw)

    def used_defaults(self, skus: Iterable[Sku] = ()) -> list[str]:
        """The defaults in force, less those that no SKU's arithmetic reads."""
        unused: set[str] = set()
        skus = list(skus)
        if skus and all("gpu_price" not in s.inputs for s in skus):
            unused.add("server_overhead_capex")
        if skus and all("as_of" not in s.inputs for s in skus):
            unused.add("decline")  # only the age of a dated SKU reads it
        if skus and all("operating_cost" in s.inputs for s in skus):
            unused.update(("electricity_price", "hosting", "maintenance", "other_opex"))
        for n in ("electricity_price", "pue"):
            if skus and all(n in s.published for s in skus):
                unused.add(n)  # every SKU has its own year's published figure
        return [
            n
            for n in ASSUMPTION_FIELDS
            if n not in self.given and n not in unused and n not in self.published
        ]

    def published_defaults(self) -> list[str]:
        """The defaults taken from a published table by the scenario's date or operator."""
        return [n for n in ASSUMPTION_FIELDS if n in self.published and n not in self.given]


@dataclass
class Sku:
    """One column of the fleet: a chip, how many, and what each cost."""

    chip: str | Chip  # a catalog name, or a custom chip (flopbook.catalog.custom)
    count: Any
    name: str | None = None
    server_cost_per_gpu: Any = None
    gpu_price: Any = None
    operating_cost: Any = None
    acquired: Any = None
    retired: Any = None
    rental_price: Any = None
    api_price: Any = None
    throughput: Any = None
    as_of: Any = None
    prices_of: Any = None
    tdp: Any = None
    bf16_dense: Any = None
    fp8_dense: Any = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    # a loan or lease of its own, in place of the fleet's: {debt: 70%, debt_rate: 6%}
    financing: Any = None
    inputs: dict[str, Input] = field(default_factory=dict, init=False, repr=False)
    own_financing: dict[str, Input] = field(default_factory=dict, init=False, repr=False)
    # the assumptions (among ``assumptions``) a published table gave this SKU by its use year
    published: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.spec_chip: Chip = self.chip if isinstance(self.chip, Chip) else find_chip(self.chip)
        self.name = self.name or self.spec_chip.id
        prefix = f"skus.{self.name}"
        for fname, spec in SKU_FIELDS.items():
            raw = getattr(self, fname)
            if raw is not None:
                self.inputs[fname] = read_input(spec, raw, key=f"{prefix}.{fname}")
        given = [n for n in ("server_cost_per_gpu", "gpu_price") if n in self.inputs]
        if not given:
            raise InputError(
                "needs server_cost_per_gpu or gpu_price",
                field=f"skus.{self.name}",
                hint='add e.g. server_cost_per_gpu: "35k USD/GPU"',
            )
        if len(given) == 2:
            raise InputError(
                "gives both server_cost_per_gpu and gpu_price",
                field=f"skus.{self.name}.gpu_price",
                hint="keep one: a whole server's cost per GPU, or the GPU price alone",
            )
        if "as_of" in self.inputs and "acquired" not in self.inputs:
            raise InputError(
                "gives as_of but not acquired",
                field=f"skus.{self.name}.acquired",
                hint="give the year it was bought too (e.g. acquired: 2021, as_of: 2024)",
            )
        for later, what, hint in (
            ("as_of", "the use year", "as_of is the year the fleet is used"),
            ("retired", "the retirement", "retired is when the hardware leaves service"),
        ):
            if later in self.inputs and "acquired" in self.inputs:
                age = self.inputs[later].value - self.inputs["acquired"].value
                if float(np.min(age.to("year").magnitude)) < 0:
                    raise InputError(
                        f"{what} is before the year acquired",
                        field=f"skus.{self.name}.{later}",
                        hint=f"{hint}: at or after acquired",
                    )
        if "capital_cost" in self.assumptions:
            raise InputError(
                "capital_cost is chosen for the whole fleet, not per SKU",
                field=f"skus.{self.name}.assumptions.capital_cost",
                hint="move it to the shared assumptions:",
            )
        if self.financing is not None:
            given = self.financing
            self.own_financing = (
                dict(given)
                if isinstance(given, Mapping)
                and given
                and all(isinstance(v, Input) for v in given.values())
                else read_financing(given, field=f"{prefix}.financing", cohort=True)
            )
        self.power_rating()  # a chip without a TDP needs one here, where the error can point

    def value(self, name: str) -> pint.Quantity | None:
        found = self.inputs.get(name)
        return found.value if found else None

    def peak(self, precision: Literal["bf16_dense", "fp8_dense"]) -> pint.Quantity | None:
        given = self.value(precision)
        return given if given is not None else self.spec_chip.spec(precision)

    def power_rating(self) -> pint.Quantity:
        tdp = self.value("tdp")
        if tdp is None:
            tdp = self.spec_chip.spec("tdp")
        if tdp is None:
            raise InputError(
                f"the catalog has no TDP for {self.spec_chip.id}",
                field=f"skus.{self.name}.tdp",
                hint='give one, e.g. tdp: "700 W"',
            )
        return tdp

    def matches(self, term: str) -> bool:

        key = name_key(term)
        c = self.spec_chip
        names = [self.name or "", c.id, c.name, c.architecture, *c.entry.aliases]
        return any(name_key(n) == key for n in names)


def _unknown_field(name: str, known: Iterable[str], where: str) -> InputError:
    return UnknownNameError(
        f"unknown field {name!r}", field=f"{where}.{name}", hint=suggest(name, tuple(known))
    )


# ---- metrics ---------------------------------------------------------------------------


# The fleet's formulas, written once. Every metric of the table, the workbook's live
# formulas, the formula text beside each figure and the docs' field table come from this
# declaration (flopbook.formula); per item means per SKU.
FLEET = Kind(
    name="fleet",
    label="Fleet",
    doc="Capex, power, opex, capital cost and TCO of a set of GPU SKUs.",
    # a leased SKU's lease payment (its own financing's, or the fleet's) is its capital cost
    item_inputs=SKU_FIELDS | {"lease": FINANCING_FIELDS["lease"]},
    shared_inputs=ASSUMPTION_FIELDS,
    choices={"capital_cost": CAPITAL_COST_METHODS},
    headlines=("tco_per_year", "capex"),
    steps=(
        # a SKU priced by its GPU: the server costs the GPU plus the server's other parts
        step(
            "server_cost",
            "USD/GPU",
            {
                "server_cost_per_gpu given": "server_cost_per_gpu",
                "gpu_price given": "gpu_price * (1 + server_overhead_capex)",
            },
            "server cost per GPU: as given, or GPU price x (1 + server overhead)",
        ),
        *(
            step(
                f"{n}_capex",
                "USD",
                {
                    f"{n} is share": f"server_capex * {n}",
                    f"{n} is amount": f"gpus * {n}",
                },
                f"{n}: a share of server capex, or a cost per GPU",
            )
            for n in ("networking", "storage", "facility")
        ),
    ),
    outputs=(
        extensive("gpus", "GPUs", "GPU", "count", "number of accelerators"),
        ratio(
            "server_cost_per_gpu",
            "Server cost per GPU",
            "USD/GPU",
            "server_capex",
            "gpus",
            "server capex / GPUs",
        ),
        extensive(
            "server_capex",
            "Server capex",
            "USD",
            "gpus * server_cost",
            "GPUs x server cost per GPU",
        ),
        extensive(
            "cluster_capex",
            "Networking, storage, facility",
            "USD",
            "networking_capex + storage_capex + facility_capex",
            "capex beside the servers",
        ),
        extensive(
            "capex",
            "Capex",
            "USD",
            "server_capex + cluster_capex",
            "server capex + networking, storage and facility",
        ),
        ratio("capex_per_gpu", "Capex per GPU", "USD/GPU", "capex", "gpus", "capex / GPUs"),
        # hardware bought earlier is worth less when it is used: price-performance has moved
        # on, so the capital cost is charged on the value at the use date (Epoch AI's method)
        extensive(
            "value_at_use",
            "Capex value at the use date",
            "USD",
            {
                "as_of given": "capex * decline_factor(decline, as_of - acquired)",
                "otherwise": "capex",
            },
            "capex x 10^(-decline x (as_of - acquired)), or capex without dates",
        ),
        extensive(
            "it_power",
            "IT power",
            "MW",
            {
                "server_power_overhead is share": (
                    "gpus * tdp / GPU * tdp_share * (1 + server_power_overhead)"
                ),
                "server_power_overhead is amount": (
                    "gpus * (tdp / GPU * tdp_share + server_power_overhead)"
                ),
            },
            "GPUs x (TDP x draw share) x (1 + server overhead)",
        ),
        extensive("facility_power", "Facility power", "MW", "it_power * pue", "IT power x PUE"),
        ratio("power_per_gpu", "IT power per GPU", "W/GPU", "it_power", "gpus", "IT power / GPUs"),
        # power drawn all year is energy per year: the unit conversion is the year's hours
        extensive(
            "energy", "Energy per year", "GWh/year", "facility_power", "facility power x one year"
        ),
        # a published operating cost replaces the itemised opex; the items stay unknown
        extensive(
            "electricity",
            "Electricity",
            "USD/year",
            {"operating_cost missing": "energy * electricity_price"},
            "energy x electricity price",
        ),
        extensive(
            "hosting",
            "Hosting",
            "USD/year",
            {"operating_cost missing": "it_power * hosting"},
            "IT power x hosting rent",
        ),
        extensive(
            "maintenance",
            "Maintenance",
            "USD/year",
            {"operating_cost missing": "capex * maintenance / year"},
            "capex x maintenance share",
        ),
        extensive(
            "other_opex",
            "Other opex",
            "USD/year",
            {"operating_cost missing": "gpus * other_opex"},
            "GPUs x other opex per GPU-year",
        ),
        extensive(
            "opex",
            "Opex per year",
            "USD/year",
            {
                "operating_cost given": "gpus * operating_cost",
                "otherwise": "electricity + hosting + maintenance + other_opex",
            },
            "electricity + hosting + maintenance + other (or a published operating cost)",
        ),
        ratio("opex_per_gpu", "Opex per GPU-year", "USD/GPU/year", "opex", "gpus", "opex / GPUs"),
        # the residual is recovered at the end of the life: only the rest is written off
        extensive(
            "depreciation",
            "Depreciation (straight-line)",
            "USD/year",
            "value_at_use * (1 - residual_value) / useful_life",
            "value at use x (1 - residual value) / useful life",
        ),
        # the part written off is repaid with interest; the residual's capital stays tied up
        # all life and owes the cost of capital each year (at residual 0: capex x factor)
        extensive(
            "annuity",
            "Capital cost (annuity)",
            "USD/year",
            "value_at_use * (annuity_factor(cost_of_capital, useful_life)"
            " * (1 - residual_value) + residual_value * cost_of_capital / year)",
            "value at use x (factor x (1 - residual) + residual x r), "
            "factor = r / (1 - (1 + r)^-life), r = cost of capital",
        ),
        extensive(
            "capital_cost",
            "Capital cost per year",
            "USD/year",
            {
                "lease given": "gpus * lease",
                "capital_cost is annuity": "annuity",
                "otherwise": "depreciation",
            },
            "depreciation or annuity, as chosen; a leased SKU: GPUs x lease payment (the "
            "lessee's cost, in place of the hardware's)",
        ),
        extensive(
            "tco_per_year", "TCO per year", "USD/year", "capital_cost + opex", "capital cost + opex"
        ),
        # GPUs all year are GPU-hours per year: the unit conversion is the year's hours
        extensive("gpu_hours", "GPU-hours per year", "GPU*hour/year", "gpus", "GPUs x 8,766 hours"),
        # idle, unsold or down hours still cost: the year's TCO is spread over the used ones
        extensive(
            "used_gpu_hours",
            "GPU-hours used per year",
            "GPU*hour/year",
            "gpu_hours * utilisation",
            "GPU-hours per year x utilisation",
        ),
        ratio(
            "cost_per_gpu_hour",
            "Cost per GPU-hour",
            "USD/GPU/hour",
            "tco_per_year",
            "used_gpu_hours",
            "TCO per year / GPU-hours used per year",
        ),
        ratio(
            "cost_per_available_gpu_hour",
            "Cost per available GPU-hour",
            "USD/GPU/hour",
            "tco_per_year",
            "gpu_hours",
            "TCO per year / all GPU-hours of the year",
        ),
        # what the used hours earn at the rental price: the fleet's revenue as a neocloud,
        # or what the same hours would cost rented
        extensive(
            "revenue",
            "Revenue per year (used hours x rental price)",
            "USD/year",
            {"rental_price given": "used_gpu_hours * rental_price"},
            "GPU-hours used per year x rental price",
        ),
        extensive(
            "margin",
            "Margin per year (revenue - TCO)",
            "USD/year",
            {"rental_price given": "revenue - tco_per_year"},
            "revenue - TCO per year",
        ),
        ratio(
            "margin_share",
            "Margin (share of revenue)",
            "",
            "margin",
            "revenue",
            "margin / revenue",
        ),
        # owned, rented or bought from an API: the same work (the used GPU-hours, or the
        # tokens they serve) at each price; owning costs the TCO whatever the utilisation
        extensive(
            "tokens",
            "Tokens served per year",
            "Mtoken/year",
            {"throughput given": "used_gpu_hours * throughput"},
            "GPU-hours used per year x tokens per GPU-second",
        ),
        extensive(
            "rented_cost",
            "The same GPU-hours rented, per year",
            "USD/year",
            {"rental_price given": "used_gpu_hours * rental_price"},
            "GPU-hours used per year x rental price",
        ),
        extensive(
            "api_cost",
            "The same tokens from an API, per year",
            "USD/year",
            {"api_price given": "tokens * api_price"},
            "tokens served per year x API price",
        ),
        extensive(
            "rent_all_hours",
            "Rent for every hour of the year",
            "USD/year",
            {"rental_price given": "gpu_hours * rental_price"},
            "all GPU-hours of the year x rental price",
        ),
        extensive(
            "api_all_hours",
            "API price of a year of full use",
            "USD/year",
            {"api_price given": "gpu_hours * throughput * api_price"},
            "all GPU-hours of the year x tokens per GPU-second x API price",
        ),
        ratio(
            "breakeven_utilisation",
            "Break-even utilisation against renting",
            "",
            "tco_per_year",
            "rent_all_hours",
            "TCO per year / rent for every hour: above it owning costs less than renting",
        ),
        ratio(
            "breakeven_utilisation_api",
            "Break-even utilisation against the API",
            "",
            "tco_per_year",
            "api_all_hours",
            "TCO per year / API price of a year of full use: above it self-hosting costs less",
        ),
        extensive(
            "breakeven_tokens",
            "Break-even tokens per year against the API",
            "Mtoken/year",
            {"api_price given": "tco_per_year / api_price"},
            "TCO per year / API price: more tokens than this a year and self-hosting is cheaper",
        ),
        extensive(
            "bf16_capacity",
            "BF16 dense capacity",
            "PFLOP/s",
            {"bf16_dense given": "gpus * bf16_dense / GPU"},
            "GPUs x dense BF16 peak",
        ),
        extensive(
            "bf16_used",
            "BF16 dense capacity used (yearly average)",
            "PFLOP/s",
            "bf16_capacity * utilisation",
            "BF16 capacity x utilisation",
        ),
        ratio(
            "cost_per_bf16_pflop_hour",
            "Cost per BF16 PFLOP/s-hour",
            "USD/(PFLOP/s*hour)",
            "tco_per_year",
            "bf16_used",
            "TCO per year / dense BF16 capacity used",
        ),
        extensive(
            "fp8_capacity",
            "FP8 dense capacity",
            "PFLOP/s",
            {"fp8_dense given": "gpus * fp8_dense / GPU"},
            "GPUs x dense FP8 peak",
        ),
        extensive(
            "fp8_used",
            "FP8 dense capacity used (yearly average)",
            "PFLOP/s",
            "fp8_capacity * utilisation",
            "FP8 capacity x utilisation",
        ),
        ratio(
            "cost_per_fp8_pflop_hour",
            "Cost per FP8 PFLOP/s-hour",
            "USD/(PFLOP/s*hour)",
            "tco_per_year",
            "fp8_used",
            "TCO per year / dense FP8 capacity used",
        ),
    ),
    command="fleet",
)

KINDS = (FLEET,)  # registered: models.registry.KINDS gathers every module's
DOC_PAGES = {"fleet": ("scenario.md", None)}

# A metric of the fleet table: an extensive formula or a ratio of two (see FLEET).
Metric = Formula | Ratio
METRICS: list[Metric] = list(FLEET.outputs)
METRIC_BY_KEY = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    """The metric called ``key`` (``tco_per_year``), or an error naming the nearest."""
    if key not in METRIC_BY_KEY:
        raise UnknownNameError(f"unknown output {key!r}", hint=suggest(key, tuple(METRIC_BY_KEY)))
    return METRIC_BY_KEY[key]


# ---- the model -------------------------------------------------------------------------


def _share_or_per_gpu(value: Input, base: pint.Quantity, gpus: pint.Quantity) -> pint.Quantity:
    """A share of ``base``, or a per-GPU amount times the GPU count."""
    return base * value.value if value.is_share() else (value.value * gpus).to(base.units)


class SkuMetrics(ItemOutputs):
    """The extensive metrics of one SKU, from the fleet's declaration (:data:`FLEET`),
    each computed when first read (intensive ones are derived from these by the result).

    The formulas are compiled once per form of the SKU's inputs (see
    :mod:`flopbook.formula.samples`): point values and unit factors are combined before they
    touch a sample array, so reading ``tco_per_year`` over a million samples costs a few
    passes over the arrays, and reading more metrics reuses what was computed."""

    KEYS = tuple(k for k, f in FLEET.formulas.items() if f.kind == "extensive")

    def __init__(
        self,
        sku: Sku,
        a: Assumptions,
        shared: dict[Any, Any] | None = None,
        financing: Mapping[str, Input] | None = None,
    ) -> None:
        self.sku = sku
        self.a = a
        # the loan or lease in force for the SKU: its own, else the fleet's
        self.financing = dict(financing or {})
        values = sku_values(sku, a, self.financing)
        super().__init__(FLEET, values, sku_form(sku, a, values))


def sku_values(
    sku: Sku, a: Assumptions, financing: Mapping[str, Input] | None = None
) -> dict[str, pint.Quantity]:
    """The inputs one SKU's formulas read: its own, the assumptions in force for it, the
    catalog's TDP and dense peaks where the SKU does not give them, and its lease payment
    if it is leased."""
    values = {n: i.value for n, i in a.inputs.items()}
    values.update({n: i.value for n, i in sku.inputs.items() if n != "prices_of"})
    if financing and "lease" in financing:
        values["lease"] = financing["lease"].value
    values["tdp"] = sku.power_rating()
    for precision in ("bf16_dense", "fp8_dense"):
        peak = sku.peak(precision)  # type: ignore[arg-type]
        if peak is not None:
            values[precision] = peak
    return values


def sku_form(sku: Sku, a: Assumptions, values: Mapping[str, pint.Quantity]) -> Form:
    """What one SKU was given and how: the facts that pick its formulas' cases."""
    return Form(
        given=frozenset(values),
        # the unit says whether a value is a share (a quantity's own .dimensionless converts
        # every sample to base units to answer)
        shares=frozenset(n for n, v in values.items() if v.units.dimensionless),
        choices=(("capital_cost", a.capital_cost),),
    )


def sku_extensives(
    sku: Sku,
    a: Assumptions,
    shared: dict[Any, Any] | None = None,
    financing: Mapping[str, Input] | None = None,
) -> SkuMetrics:
    """The extensive metrics of one SKU, computed as they are read."""
    return SkuMetrics(sku, a, shared, financing)


def financing_of(sku: Sku, fleet: Mapping[str, Input]) -> dict[str, Input]:
    """The loan or lease in force for one SKU (a cohort): its own (over the fleet's loan,
    field by field, when both are loans), else the fleet's."""
    return in_force(sku.own_financing, fleet)


def financing_place(sku: Sku, name: str, fleet: Mapping[str, Input]) -> str | None:
    """The place (as :meth:`Fleet.inputs` names it) of the SKU's loan or lease field
    ``name``: its own financing's, else the fleet's (None when neither gives it)."""
    if name not in financing_of(sku, fleet):
        return None
    return f"skus.{sku.name}.financing.{name}" if name in sku.own_financing else f"financing.{name}"


def _mag(value: pint.Quantity, unit: str) -> Any:
    """The samples of ``value`` in ``unit`` (a copy only when the unit differs)."""

    return np.asarray(value.to(unit).magnitude, dtype=float)


class FleetResult(Result):
    """Every metric for every SKU and for the total, as quantities (samples with units);
    the fleet's :class:`~flopbook.formula.result.Result`, with its assumptions and SKUs."""

    def __init__(
        self,
        columns: list[str],
        extensive: Mapping[str, Mapping[str, pint.Quantity | None]],
        *,
        name: str = "",
        capital_cost: str = "depreciation",
        assumptions: Assumptions | None = None,
        skus: list[Sku] | None = None,
        period: Period | None = None,
        financing: Mapping[str, Input] | None = None,
    ) -> None:
        super().__init__(FLEET, columns, extensive, name=name)
        self.capital_cost = capital_cost
        self.assumptions = assumptions
        self.skus = skus or []
        self.period = period
        self.financing = dict(financing or {})
        self._cash_flows: CashFlows | None = None

    @property
    def leased(self) -> list[str]:
        """The SKUs (cohorts) that are leased: their capital cost is the lease payment."""
        return [c for c in self.columns if "lease" in getattr(self._extensive[c], "financing", {})]

    @property
    def cash_flows(self) -> CashFlows | None:
        """The yearly cash flows over the fleet's period (None without a period)."""
        if self.period is None:
            return None
        if self._cash_flows is None:
            self._cash_flows = cash_flows_of(self, self.period)
        return self._cash_flows

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every quantity as value + unit (+ percentiles if sampled)."""
        out: dict[str, Any] = {
            "name": self.name,
            "columns": self.all_columns,
            "capital_cost": self.capital_cost,
            "metrics": self.rows_dict(),
        }
        if self.leased:  # their capital cost is the lease payment: the lessee's TCO
            out["leased"] = self.leased
        if self.cash_flows is not None:
            out["cash_flows"] = self.cash_flows.to_dict()
        if self.assumptions is not None:
            out["assumptions"] = [
                _input_dict(i, default=n not in self.assumptions.given)
                for n, i in self.assumptions.inputs.items()
            ]
        # SKUs used in different years: each one's published figure, with its source
        own = [
            {"sku": s.name, **_input_dict(read_input(ASSUMPTION_FIELDS[n], raw), default=True)}
            for s in self.skus
            for n, raw in s.published.items()
        ]
        if own:
            out["published_defaults"] = own
        return out

    def __repr__(self) -> str:
        tco = self.summary("tco_per_year")
        return (
            f"<FleetResult {self.name!r}: {', '.join(self.columns)}; "
            f"TCO {tco.mean:,.0f} {tco.unit}>"
            if tco
            else "<FleetResult>"
        )


def cash_flow_inputs(result: FleetResult, column: str) -> tuple[dict[str, pint.Quantity], Form]:
    """What the yearly cash flows read of one SKU: its steady-year figures from the fleet,
    its dates, and the useful life and residual value in force for it."""
    item = result._extensive[column]
    sku, a = item.sku, item.a
    values = {}
    for key in ("gpus", "capex", "opex", "used_gpu_hours", "revenue"):
        v = item[key]
        if v is not None:
            values[key] = v
    for key in ("acquired", "retired"):
        if key in sku.inputs:
            values[key] = sku.inputs[key].value
    values["useful_life"] = a["useful_life"]
    values["residual_value"] = a["residual_value"]
    # the cohort's own loan or lease, else the fleet's
    financing = item.financing
    values.update({n: i.value for n, i in financing.items()})
    shares = {"residual_value", *(n for n, i in financing.items() if i.is_share())}
    borrows = any("debt" in result._extensive[c].financing for c in result.columns)
    form = Form(
        given=frozenset(values),
        shares=frozenset(shares),
        choices=(("fleet_borrows", "yes" if borrows else "no"),),
    )
    return values, form


def cash_flows_of(result: FleetResult, period: Period) -> CashFlows:
    """The fleet's cash flows year by year over ``period`` (see :mod:`.cash_flow`)."""
    assert result.assumptions is not None
    cohorts = [(c, *cash_flow_inputs(result, c)) for c in result.columns]
    equity = result.financing.get("cost_of_equity")
    return CashFlows(
        period,
        cohorts,
        result.assumptions["cost_of_capital"],
        None if equity is None else equity.value,
    )


def _check_in_period(skus: list[Sku], period: Period) -> None:
    """Every dated SKU is bought within the period: capex paid before it would be left out
    of the cash flows, and one bought after it has none."""
    for s in skus:
        if "acquired" not in s.inputs:
            continue
        years = s.inputs["acquired"].value.to("year").magnitude
        first, last = float(np.min(years)), float(np.max(years))
        if first < period.first:
            raise InputError(
                f"starts in {period.first}, but {s.name} was acquired in {first:g}",
                field="period.start",
                hint=f"start the period in {int(first)} or earlier, so its capex is counted",
            )
        if last >= period.last + 1:
            raise InputError(
                f"ends in {period.last}, but {s.name} is acquired in {last:g}",
                field="period.end",
                hint=f"end the period in {int(last)} or later",
            )


# every money amount a SKU gives: what it costs, and what it earns (rented or sold as tokens)
_PRICES = ("server_cost_per_gpu", "gpu_price", "operating_cost", "rental_price", "api_price")


def _in_dollars_of(skus: list[Sku], dollars_of: Any, price_index: Any = None) -> list[Sku]:
    """The SKUs with their prices restated in ``dollars_of``'s dollars (a SKU that gives no
    ``prices_of`` is taken to be in them already); prices of different years with no base
    year are refused rather than added as if they were the same money."""
    dated = [s for s in skus if "prices_of" in s.inputs]
    index_name = check_index(price_index)
    by = index_label(index_name)
    # checked only when restating: a fleet rebuilt from SKUs already restated to a month
    # (a subset, the report's point run) gives no dollars_of and restates nothing
    if dollars_of is not None and not is_monthly(index_name):
        for s in dated:
            years = s.inputs["prices_of"].value.to("year").magnitude
            if np.any(years != np.round(years)):
                raise InputError(
                    f"{by} is an annual average: prices_of needs a whole year",
                    field=f"skus.{s.name}.prices_of",
                    hint="give the year of the prices' dollars, e.g. 2024 (not a month), or "
                    "restate by month with the fleet's price_index: ppi-hosting",
                )
    if dollars_of is None:
        if price_index is not None:
            raise InputError(
                f"price_index: {index_name} names the index to restate prices by, and the "
                "fleet has no dollars_of",
                field="dollars_of",
                hint="add e.g. dollars_of: 2024-12, the month (or year) to restate them to",
            )
        found = sorted(
            {float(np.mean(s.inputs["prices_of"].value.to("year").magnitude)) for s in dated}
        )
        if len(found) > 1:
            raise InputError(
                f"prices are in dollars of {found[0]:g} and {found[-1]:g}, with no base year",
                field="dollars_of",
                hint="add e.g. dollars_of: 2024 to restate them all by the US CPI-U",
            )
        return skus
    base = read_input(
        FieldSpec(
            "dollars_of",
            "Dollars of",
            ("year",),
            "2024",
            "",
            bare_unit="year",
            low=1990,
            high=2100,
            date=True,
        ),
        dollars_of,
        key="dollars_of",
    )
    base_year = float(np.mean(base.value.to("year").magnitude))
    out = []
    for s in skus:
        if "prices_of" not in s.inputs:
            out.append(s)
            continue
        year = float(np.mean(s.inputs["prices_of"].value.to("year").magnitude))
        factor = restate_factor(
            year, base_year, field=f"skus.{s.name}.prices_of", index_name=index_name
        )
        was, now = date_label(year, index_name), date_label(base_year, index_name)
        restated = copy.copy(s)
        restated.inputs = dict(s.inputs)
        for n in _PRICES:
            if n in s.inputs:
                old = s.inputs[n]
                note = f"restated from {was} to {now} dollars by {by} (x{factor:.4f})" + (
                    f"; {old.note}" if old.note else ""
                )
                restated.inputs[n] = dataclasses.replace(
                    old, value=old.value * factor, raw=None, note=note
                )
        # its prices are now in the base year's dollars: a fleet rebuilt from these SKUs
        # (a subset, the report's point run) neither refuses nor restates them again
        dated_input = s.inputs["prices_of"]
        restated.inputs["prices_of"] = dataclasses.replace(
            dated_input, value=base.value, raw=None, note=f"prices restated from {was} dollars"
        )
        out.append(restated)
    return out


def use_year(sku: Sku) -> int | None:
    """The calendar year a dated SKU is used in (its as_of; the median of a range)."""
    if "as_of" not in sku.inputs:
        return None
    return int(np.floor(np.median(sku.inputs["as_of"].value.to("year").magnitude)))


def dated_defaults(
    a: Assumptions, skus: list[Sku], operator: str | None
) -> tuple[Assumptions, list[Sku]]:
    """The assumptions and SKUs with the electricity price and PUE a scenario leaves unset
    taken from the published tables (:mod:`flopbook.published`): the electricity price of
    the SKUs' use year (``as_of``), the PUE of the fleet's ``operator`` (of that year, or
    its latest). One use year sets the shared default; SKUs used in different years each
    get their own year's figure. Without ``as_of`` or ``operator`` nothing changes."""
    picks: dict[str, Any] = {}
    own: dict[str, dict[str, Any]] = {}
    for name in ("electricity_price", "pue"):
        if name in a.given or (name == "pue" and operator is None):
            continue
        dated = [(s, y) for s in skus if name not in s.assumptions and (y := use_year(s))]
        years = {y for _, y in dated}

        def figure(year: int | None, sku: Sku | None, name: str = name) -> dict[str, Any]:
            field = f"skus.{sku.name}.as_of" if sku is not None else "operator"
            if name == "electricity_price":
                assert year is not None
                return published.electricity_price_of(year, field=field)
            assert operator is not None
            return published.pue_of(operator, year, field=field)

        if len(years) == 1:
            picks[name] = figure(dated[0][1], dated[0][0])
            continue
        if name == "pue":
            picks[name] = figure(None, None)  # undated SKUs: the operator's latest
        for s, y in dated:
            own.setdefault(s.name or "", {})[name] = figure(y, s)
    if not picks and not own:
        return a, skus
    if picks:
        a = copy.copy(a)
        a.published = {**a.published, **picks}
        a.inputs = dict(a.inputs)
        for name, raw in picks.items():
            a.inputs[name] = read_input(ASSUMPTION_FIELDS[name], raw, key=f"assumptions.{name}")
    out = []
    for s in skus:
        if s.name in own:
            s = copy.copy(s)
            s.assumptions = {**s.assumptions, **own[s.name or ""]}
            s.published = {**s.published, **own[s.name or ""]}
        out.append(s)
    return a, out


def _input_dict(i: Input, default: bool = False) -> dict[str, Any]:

    d = {"name": i.name, **summarize(i.value).as_dict(), "source": i.source, "note": i.note}
    if default:
        d["default"] = True
    return d


COHORT_FIELDS = (
    "count",
    "acquired",
    "retired",
    "server_cost_per_gpu",
    "gpu_price",
    "prices_of",
    "financing",
)


def cohort_skus(
    chip: str | Chip, cohorts: Iterable[Mapping[str, Any]], name: str | None = None, **shared: Any
) -> list[Sku]:
    """One SKU per purchase cohort: the same chip and terms, each with its own count and
    acquisition date (and, if it gives them, its own price and retirement), named
    ``"<name> <acquired>"`` unless a cohort names itself."""
    cohorts = list(cohorts)
    base = name or (chip.id if isinstance(chip, Chip) else find_chip(chip).id)
    if not cohorts:
        raise InputError(
            "cohorts is empty",
            field=f"skus.{base}.cohorts",
            hint="list each purchase, e.g. cohorts: [{acquired: 2024, count: 1000}]",
        )
    if "count" in shared:
        raise InputError(
            "gives both count and cohorts",
            field=f"skus.{base}.count",
            hint="the cohorts' counts are the SKU's GPUs: drop count",
        )
    out = []
    for i, c in enumerate(cohorts):
        where = f"skus.{base}.cohorts[{i}]"
        unknown = set(c) - {*COHORT_FIELDS, "name"}
        if unknown:
            raise _unknown_field(sorted(unknown)[0], [*COHORT_FIELDS, "name"], where)
        for needed in ("count", "acquired"):
            if needed not in c:
                raise InputError(
                    f"a cohort needs {needed}",
                    field=f"{where}.{needed}",
                    hint="write e.g. {acquired: 2024, count: 1000}",
                )
        fields = {**shared, **{k: v for k, v in c.items() if k != "name" and v is not None}}
        if "gpu_price" in c:
            fields.pop("server_cost_per_gpu", None)
        if "server_cost_per_gpu" in c:
            fields.pop("gpu_price", None)
        acquired = c["acquired"].get("value") if isinstance(c["acquired"], dict) else c["acquired"]
        if isinstance(acquired, float | int) and not isinstance(acquired, bool):
            acquired = f"{acquired:g}"
        fields.pop("name", None)
        out.append(Sku(chip, name=c.get("name") or f"{base} {acquired}", **fields))
    return out


class Fleet:
    """A set of SKUs under shared assumptions; with a ``period``, its yearly cash flows.

    A SKU's ``as_of`` and the fleet's ``operator`` (``"google"``, data/pue.yaml) pick the
    electricity price and PUE the assumptions leave unset from the published tables
    (:func:`dated_defaults`)."""

    def __init__(
        self,
        skus: Iterable[Sku | Mapping[str, Any]],
        assumptions: Assumptions | Mapping[str, Any] | None = None,
        *,
        name: str = "",
        description: str = "",
        dollars_of: Any = None,
        period: Any = None,
        financing: Any = None,
        price_index: Any = None,
        operator: Any = None,
    ) -> None:
        self.name = name
        self.description = description
        self.dollars_of = dollars_of
        self.price_index = price_index
        # who runs the data centres (data/pue.yaml): picks the PUE default
        self.operator = None if operator is None else published.operator_name(operator)
        if assumptions is None:
            assumptions = Assumptions()
        elif not isinstance(assumptions, Assumptions):
            assumptions = Assumptions(**assumptions)
        self.assumptions = assumptions
        self.skus = []
        for s in skus:
            if isinstance(s, Sku):
                self.skus.append(s)
            elif "cohorts" in s:
                self.skus.extend(cohort_skus(**s))
            else:
                self.skus.append(Sku(**s))
        if not self.skus:
            raise InputError(
                "a fleet needs at least one SKU",
                field="skus",
                hint='add e.g. - {chip: H800, count: "10k GPU", '
                'server_cost_per_gpu: "35k USD/GPU"}',
            )
        seen: set[str] = set()
        for i, s in enumerate(self.skus):
            if s.name in seen:
                raise InputError(
                    f"two SKUs are named {s.name!r}",
                    field=f"skus[{i}].name",
                    hint='give each a distinct name, e.g. name: "H100 (hall B)"',
                )
            seen.add(s.name or "")
        self.skus = _in_dollars_of(self.skus, dollars_of, price_index)
        self.assumptions, self.skus = dated_defaults(self.assumptions, self.skus, self.operator)
        self.period = (
            period if period is None or isinstance(period, Period) else read_period(period)
        )
        if self.period is not None:
            _check_in_period(self.skus, self.period)
        # a loan or a lease: {debt: 60%, debt_rate: 8%} or {lease: 9k USD/GPU/year}
        self.financing: dict[str, Input] = (
            {}
            if financing is None
            else dict(financing)
            if financing and all(isinstance(v, Input) for v in financing.values())
            else read_financing(financing)
        )
        # a cohort's loan in a fleet with a loan keeps what it gives; the rest is the fleet's
        for i, s in enumerate(self.skus):
            if s.own_financing:
                kept = own_over_fleet(s.own_financing, self.financing, f"skus.{s.name}.financing")
                if kept != s.own_financing:
                    self.skus[i] = copy.copy(s)
                    self.skus[i].own_financing = kept
        own = next((s for s in self.skus if s.own_financing), None)
        if (self.financing or own is not None) and self.period is None:
            raise InputError(
                "financing shows in the yearly cash flows, and the fleet has no period",
                field="financing" if self.financing else f"skus.{own.name}.financing",
                hint="add e.g. period: {start: 2025, end: 2029}",
            )
        if "cost_of_equity" in self.financing and not any(
            "debt" in financing_of(s, self.financing) for s in self.skus
        ):
            raise InputError(
                "a cost of equity discounts the cash flow to equity, and nothing is borrowed",
                field="financing.cost_of_equity",
                hint="give the fleet or a cohort a loan (debt: 60%), or drop cost_of_equity",
            )

    def subset(self, only: str | Iterable[str] | None) -> Fleet:
        """The SKUs whose name, chip, alias or architecture matches one of ``only``
        (``"H800,H100"``, ``"Hopper"``)."""
        if only is None:
            return self
        terms = [t.strip() for t in (only.split(",") if isinstance(only, str) else only)]
        terms = [t for t in terms if t]
        if not terms:
            raise InputError(
                "--only names no SKU",
                hint="give chip ids, SKU names or an architecture, e.g. H800,H100",
            )
        for t in terms:
            if not any(s.matches(t) for s in self.skus):
                raise UnknownNameError(
                    f"--only {t!r} matches no SKU",
                    hint="SKUs here: "
                    + ", ".join(s.name or "" for s in self.skus)
                    + " (a chip, SKU name or architecture such as Hopper)",
                )
        kept = [s for s in self.skus if any(s.matches(t) for t in terms)]
        financing = dict(self.financing)
        if not any("debt" in financing_of(s, financing) for s in kept):
            financing.pop("cost_of_equity", None)  # the cohorts kept borrow nothing
        # already restated: the kept SKUs' prices are in dollars_of's dollars
        return Fleet(
            kept,
            self.assumptions,
            name=self.name,
            description=self.description,
            period=self.period,
            financing=financing or None,
            operator=self.operator,
        )

    def run(
        self, *, only: str | Iterable[str] | None = None, capital_cost: str | None = None
    ) -> FleetResult:
        fleet = self.subset(only)
        base = fleet.assumptions
        if capital_cost is not None:
            base = base.merged({"capital_cost": _capital_cost_method(capital_cost)})
        extensive = {}
        shared: dict[Any, Any] = {}
        for s in fleet.skus:
            a = base.merged(s.assumptions, key_prefix=f"skus.{s.name}.assumptions")
            extensive[s.name] = sku_extensives(s, a, shared, financing_of(s, fleet.financing))
        return FleetResult(
            [s.name or "" for s in fleet.skus],
            extensive,
            name=self.name,
            capital_cost=base.capital_cost,
            assumptions=base,
            skus=fleet.skus,
            period=fleet.period,
            financing=fleet.financing,
        )

    def with_inputs(self, values: Mapping[str, Any]) -> Fleet:
        """This fleet with some inputs replaced, named as in :meth:`inputs`
        (``"skus.H800.count"``, ``"assumptions.pue"``): a quantity, or an array of numbers in
        the input's unit. The model is rerun on the new values by :meth:`run`; sensitivity
        analysis and correlated sampling use this to vary inputs without restating formulas.
        """

        known = dict(self.inputs())
        new = copy.copy(self)
        new.assumptions = copy.copy(self.assumptions)
        new.assumptions.inputs = dict(self.assumptions.inputs)
        new.assumptions.given = set(self.assumptions.given)
        skus = {s.name: s for s in self.skus}
        for path, value in values.items():
            if path not in known:
                raise UnknownNameError(
                    f"no input {path!r}", hint="inputs here: " + ", ".join(known)
                )
            old = known[path]
            quantity = (
                value.to(old.value.units)
                if hasattr(value, "units")
                else Quantity(value, old.value.units)
            )
            replaced = dataclasses.replace(old, value=quantity)
            parts = path.split(".")
            if parts[0] == "financing":
                new.financing = {**new.financing, parts[1]: replaced}
            elif parts[0] == "skus" and parts[-2] == "financing":
                name = ".".join(parts[1:-2])
                sku = copy.copy(skus[name])
                sku.own_financing = {**sku.own_financing, parts[-1]: replaced}
                skus[name] = sku
            elif parts[0] == "assumptions":
                new.assumptions.inputs[parts[1]] = replaced
                # SKU overrides are merged onto the given assumptions: count this one in
                new.assumptions.given.add(parts[1])
            else:
                name, fname = ".".join(parts[1:-1]), parts[-1]
                sku = copy.copy(skus[name])
                sku.inputs = {**sku.inputs, fname: replaced}
                skus[name] = sku
        new.skus = [skus[s.name] for s in self.skus]
        return new

    def inputs(self) -> list[tuple[str, Input]]:
        """Every input with its place: ``("skus.H800.count", Input)``, then the assumptions
        and the financing."""
        rows = [(f"skus.{s.name}.{n}", i) for s in self.skus for n, i in s.inputs.items()]
        rows += [
            (f"skus.{s.name}.financing.{n}", i)
            for s in self.skus
            for n, i in s.own_financing.items()
        ]
        rows += [(f"assumptions.{n}", i) for n, i in self.assumptions.inputs.items()]
        rows += [(f"financing.{n}", i) for n, i in self.financing.items()]
        return rows
