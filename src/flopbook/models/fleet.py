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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from flopbook import safe_yaml
from flopbook.catalog import Chip, name_key
from flopbook.catalog import chip as find_chip
from flopbook.errors import InputError, UnknownNameError, suggest
from flopbook.inputs import FieldSpec, Input, read_input
from flopbook.models import sample_math as sm
from flopbook.models.finance import CAPITAL_COST_METHODS, annuity, annuity_factor, straight_line
from flopbook.quantity import Quantity, is_point, registry, summarize

if TYPE_CHECKING:
    import pandas as pd
    import pint

    from flopbook.quantity import Summary

TOTAL = "Total"

# ---- inputs ----------------------------------------------------------------------------

ASSUMPTION_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec("useful_life", "Useful life", ("year",), "4 years",
                  "years over which capex is written off (3 to 6)",
                  bare_unit="year", low=3, high=6),
        FieldSpec("cost_of_capital", "Cost of capital", ("",), "10%",
                  "yearly return owed on the capital (used by the annuity)", low=0, high=1,
                  share=True),
        FieldSpec("server_overhead_capex", "Server parts beside the GPU", ("",), "40%",
                  "non-GPU server parts as a share of the GPU price (only with gpu_price)",
                  low=0, high=5, share=True),
        FieldSpec("networking", "Networking capex", ("", "USD/GPU"), "15%",
                  "share of server capex, or a cost per GPU such as \"3k USD/GPU\"", low=0,
                  share=True),
        FieldSpec("storage", "Storage capex", ("", "USD/GPU"), "3%",
                  "share of server capex, or a cost per GPU", low=0, share=True),
        FieldSpec("facility", "Facility capex", ("", "USD/GPU"), "0%",
                  "data-centre build cost: a share of server capex, or per GPU", low=0,
                  share=True),
        FieldSpec("tdp_share", "Average draw (share of TDP)", ("",), "100%",
                  "average accelerator power as a share of its TDP", low=0, high=1.5,
                  share=True),
        FieldSpec("server_power_overhead", "Server power beside the GPU", ("", "W/GPU"),
                  "50%", "CPUs, NICs, fans: a share of GPU power, or watts per GPU", low=0,
                  share=True),
        FieldSpec("pue", "PUE", ("",), "1.3", "facility power / IT power", low=1, high=3),
        FieldSpec("electricity_price", "Electricity price", ("USD/kWh",), "0.08 USD/kWh",
                  "price paid per kWh of facility power", low=0),
        FieldSpec("hosting", "Hosting (colocation)", ("USD/kW/month",), "130 USD/kW/month",
                  "rent per kW of IT power, excluding electricity", low=0),
        FieldSpec("maintenance", "Maintenance (share of capex per year)", ("",), "3%",
                  "support and spares per year as a share of capex", low=0, high=1,
                  share=True),
        FieldSpec("other_opex", "Other opex per GPU-year", ("USD/GPU/year",),
                  "1k USD/GPU/year", "staff, software and any other running cost", low=0),
    ]
}

SKU_FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in [
        FieldSpec("count", "GPUs", ("GPU",), "10k GPU", "number of accelerators",
                  bare_unit="GPU", low=0),
        FieldSpec("server_cost_per_gpu", "Server cost per GPU", ("USD/GPU",), "35k USD/GPU",
                  "whole server cost divided by its accelerators", low=0),
        FieldSpec("gpu_price", "GPU price", ("USD/GPU",), "25k USD/GPU",
                  "accelerator price alone; server parts are added (server_overhead_capex)",
                  low=0),
        FieldSpec("operating_cost", "Operating cost per GPU-year", ("USD/GPU/year",),
                  "4.5k USD/GPU/year",
                  "a published all-in running cost; replaces the computed opex", low=0),
        FieldSpec("tdp", "TDP", ("W",), "700 W", "overrides the catalog's TDP", low=0),
        FieldSpec("bf16_dense", "BF16 dense peak", ("TFLOP/s",), "989 TFLOP/s",
                  "overrides the catalog's dense BF16 peak", low=0),
        FieldSpec("fp8_dense", "FP8 dense peak", ("TFLOP/s",), "1979 TFLOP/s",
                  "overrides the catalog's dense FP8 peak", low=0),
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

    def __init__(self, *, key_prefix: str = "assumptions", **given: Any) -> None:
        defaults = default_assumptions()
        unknown = set(given) - set(ASSUMPTION_FIELDS) - {"capital_cost"}
        if unknown:
            name = sorted(unknown)[0]
            raise _unknown_field(name, [*ASSUMPTION_FIELDS, "capital_cost"], "assumptions")
        self.capital_cost = _capital_cost_method(given.get("capital_cost",
                                                           defaults["capital_cost"]))
        self.given = set(given) - {"capital_cost"}
        self.inputs: dict[str, Input] = {}
        for name, spec in ASSUMPTION_FIELDS.items():
            raw = given.get(name, defaults[name])
            self.inputs[name] = read_input(spec, raw, key=f"{key_prefix}.{name}")

    def __getitem__(self, name: str) -> pint.Quantity:
        return self.inputs[name].value

    def merged(self, overrides: Mapping[str, Any], *, key_prefix: str = "assumptions"
               ) -> Assumptions:
        """These assumptions with some fields replaced. A SKU's overrides are sampled under
        the SKU's own name (``key_prefix``), independent of the shared value's samples."""
        if not overrides:
            return self
        raw: dict[str, Any] = {n: self.inputs[n] for n in self.given}
        raw.update(overrides)
        raw.setdefault("capital_cost", self.capital_cost)
        return Assumptions(key_prefix=key_prefix, **raw)

    def used_defaults(self, skus: Iterable[Sku] = ()) -> list[str]:
        """The defaults in force, less those that no SKU's arithmetic reads."""
        unused: set[str] = set()
        skus = list(skus)
        if skus and all("gpu_price" not in s.inputs for s in skus):
            unused.add("server_overhead_capex")
        if skus and all("operating_cost" in s.inputs for s in skus):
            unused.update(("electricity_price", "hosting", "maintenance", "other_opex"))
        return [n for n in ASSUMPTION_FIELDS if n not in self.given and n not in unused]


@dataclass
class Sku:
    """One column of the fleet: a chip, how many, and what each cost."""

    chip: str | Chip  # a catalog name, or a custom chip (flopbook.catalog.custom)
    count: Any
    name: str | None = None
    server_cost_per_gpu: Any = None
    gpu_price: Any = None
    operating_cost: Any = None
    tdp: Any = None
    bf16_dense: Any = None
    fp8_dense: Any = None
    assumptions: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Input] = field(default_factory=dict, init=False, repr=False)

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
        if "capital_cost" in self.assumptions:
            raise InputError(
                "capital_cost is chosen for the whole fleet, not per SKU",
                field=f"skus.{self.name}.assumptions.capital_cost",
                hint="move it to the shared assumptions:",
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
    return UnknownNameError(f"unknown field {name!r}", field=f"{where}.{name}",
                            hint=suggest(name, tuple(known)))


# ---- metrics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One row of the fleet table."""

    key: str
    label: str
    unit: str
    kind: Literal["extensive", "intensive"]
    doc: str
    numerator: str | None = None  # intensive metrics: a ratio of two extensive ones
    denominator: str | None = None


def _ext(key: str, label: str, unit: str, doc: str) -> Metric:
    return Metric(key, label, unit, "extensive", doc)


def _ratio(key: str, label: str, unit: str, num: str, den: str, doc: str) -> Metric:
    return Metric(key, label, unit, "intensive", doc, num, den)


METRICS: list[Metric] = [
    _ext("gpus", "GPUs", "GPU", "number of accelerators"),
    _ratio("server_cost_per_gpu", "Server cost per GPU", "USD/GPU", "server_capex", "gpus",
           "server capex / GPUs"),
    _ext("server_capex", "Server capex", "USD", "GPUs x server cost per GPU"),
    _ext("cluster_capex", "Networking, storage, facility", "USD",
         "capex beside the servers"),
    _ext("capex", "Capex", "USD", "server capex + networking, storage and facility"),
    _ratio("capex_per_gpu", "Capex per GPU", "USD/GPU", "capex", "gpus", "capex / GPUs"),
    _ext("it_power", "IT power", "MW", "GPUs x (TDP x draw share) x (1 + server overhead)"),
    _ext("facility_power", "Facility power", "MW", "IT power x PUE"),
    _ratio("power_per_gpu", "IT power per GPU", "W/GPU", "it_power", "gpus",
           "IT power / GPUs"),
    _ext("energy", "Energy per year", "GWh/year", "facility power x one year"),
    _ext("electricity", "Electricity", "USD/year", "energy x electricity price"),
    _ext("hosting", "Hosting", "USD/year", "IT power x hosting rent"),
    _ext("maintenance", "Maintenance", "USD/year", "capex x maintenance share"),
    _ext("other_opex", "Other opex", "USD/year", "GPUs x other opex per GPU-year"),
    _ext("opex", "Opex per year", "USD/year",
         "electricity + hosting + maintenance + other (or a published operating cost)"),
    _ratio("opex_per_gpu", "Opex per GPU-year", "USD/GPU/year", "opex", "gpus",
           "opex / GPUs"),
    _ext("depreciation", "Depreciation (straight-line)", "USD/year",
         "capex / useful life"),
    _ext("annuity", "Capital cost (annuity)", "USD/year",
         "capex x r / (1 - (1 + r)^-life), r = cost of capital"),
    _ext("capital_cost", "Capital cost per year", "USD/year",
         "depreciation or annuity, as chosen"),
    _ext("tco_per_year", "TCO per year", "USD/year", "capital cost + opex"),
    _ext("gpu_hours", "GPU-hours per year", "GPU*hour/year", "GPUs x 8,766 hours"),
    _ratio("cost_per_gpu_hour", "Cost per GPU-hour", "USD/GPU/hour", "tco_per_year",
           "gpu_hours", "TCO per year / GPU-hours per year"),
    _ext("bf16_capacity", "BF16 dense capacity", "PFLOP/s", "GPUs x dense BF16 peak"),
    _ratio("cost_per_bf16_pflop_hour", "Cost per BF16 PFLOP/s-hour", "USD/(PFLOP/s*hour)",
           "tco_per_year", "bf16_capacity", "TCO per year / dense BF16 capacity"),
    _ext("fp8_capacity", "FP8 dense capacity", "PFLOP/s", "GPUs x dense FP8 peak"),
    _ratio("cost_per_fp8_pflop_hour", "Cost per FP8 PFLOP/s-hour", "USD/(PFLOP/s*hour)",
           "tco_per_year", "fp8_capacity", "TCO per year / dense FP8 capacity"),
]
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


@cache
def _constant(expression: str, unit: str) -> pint.Quantity:
    """A fixed conversion such as one MW for a year in GWh/year per MW (made once)."""
    return registry().Quantity(expression).to(unit)


class SkuMetrics(Mapping[str, "pint.Quantity | None"]):
    """The extensive metrics of one SKU, each computed when first read (intensive ones are
    derived from these). Reading only ``tco_per_year`` computes only what it needs, and point
    factors are combined before they touch a sample array, which keeps a run over a million
    samples to a few dozen array operations."""

    KEYS = ("gpus", "server_capex", "cluster_capex", "capex", "it_power", "facility_power",
            "energy", "electricity", "hosting", "maintenance", "other_opex", "opex",
            "depreciation", "annuity", "capital_cost", "tco_per_year", "gpu_hours",
            "bf16_capacity", "fp8_capacity")

    def __init__(self, sku: Sku, a: Assumptions, shared: dict[Any, Any] | None = None) -> None:
        self.sku = sku
        self.a = a
        self._done: dict[str, pint.Quantity | None] = {}
        # arrays that depend on the assumptions only, made once for the SKUs that share them
        self._shared = {} if shared is None else shared

    def __getitem__(self, key: str) -> pint.Quantity | None:
        if key not in self._done:
            if key not in self.KEYS:
                raise KeyError(key)
            self._done[key] = getattr(self, f"_{key}")()
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def is_none(self, key: str) -> bool:
        """Whether ``key`` is unknown for this SKU, without computing it."""
        if key in ("electricity", "hosting", "maintenance", "other_opex"):
            return self.sku.value("operating_cost") is not None
        if key in ("bf16_capacity", "fp8_capacity"):
            return self.sku.peak(key.replace("capacity", "dense")) is None  # type: ignore[arg-type]
        return False

    # ---- capex

    def _gpus(self) -> pint.Quantity:
        return self.sku.inputs["count"].value

    def _server_capex(self) -> pint.Quantity:
        gpus = self["gpus"]
        if (cost := self.sku.value("server_cost_per_gpu")) is not None:
            return (gpus * cost).to("USD")
        price = self.sku.value("gpu_price")
        return (gpus * (price * (1 + self.a["server_overhead_capex"]))).to("USD")

    def _cluster_capex(self) -> pint.Quantity:
        server_capex, gpus = self["server_capex"], self["gpus"]
        items = [self.a.inputs[n] for n in ("networking", "storage", "facility")]
        shares = [i.value for i in items if i.is_share()]
        per_gpu = [i for i in items if not i.is_share()]
        total = server_capex * _sum(shares) if shares else 0 * server_capex
        for i in per_gpu:
            total = total + _share_or_per_gpu(i, server_capex, gpus)
        return total

    def _capex(self) -> pint.Quantity:
        return self["server_capex"] + self["cluster_capex"]

    # ---- power and energy

    def _it_power(self) -> pint.Quantity:
        gpus = self["gpus"]
        per_gpu = self.sku.power_rating() / registry().GPU
        overhead = self.a.inputs["server_power_overhead"]
        if overhead.is_share():
            # (TDP x (1 + overhead)) in MW per GPU first: a point, so one array operation less
            return (per_gpu * (1 + overhead.value)).to("MW/GPU") * self.a["tdp_share"] * gpus
        gpu_power = per_gpu.to("MW/GPU") * self.a["tdp_share"] * gpus
        return (gpu_power + overhead.value.to("MW/GPU") * gpus).to("MW")

    def _facility_power(self) -> pint.Quantity:
        return (self["it_power"] * self.a["pue"]).to("MW")

    def _energy(self) -> pint.Quantity:
        # a MW drawn for a year is 8.766 GWh: one factor, one array operation
        per_mw = _constant("1 year", "GWh/MW") / _constant("1 year", "year")
        return self["facility_power"] * per_mw

    # ---- opex

    def _electricity(self) -> pint.Quantity | None:
        if self.is_none("electricity"):
            return None
        price = self.a["electricity_price"].to("USD/GWh")
        return (self["energy"] * price).to("USD/year")

    def _hosting(self) -> pint.Quantity | None:
        if self.is_none("hosting"):
            return None
        return (self["it_power"] * self.a["hosting"].to("USD/MW/year")).to("USD/year")

    def _maintenance(self) -> pint.Quantity | None:
        if self.is_none("maintenance"):
            return None
        return (self["capex"] * (self.a["maintenance"] / _constant("1 year", "year"))
                ).to("USD/year")

    def _other_opex(self) -> pint.Quantity | None:
        if self.is_none("other_opex"):
            return None
        return (self.a["other_opex"] * self["gpus"]).to("USD/year")

    def _opex(self) -> pint.Quantity:
        if (published := self.sku.value("operating_cost")) is not None:
            # A source's all-in running cost replaces the itemised one; the items stay unknown.
            return (published * self["gpus"]).to("USD/year")
        return self["electricity"] + self["hosting"] + self["maintenance"] + self["other_opex"]

    # ---- capital and totals

    def _depreciation(self) -> pint.Quantity:
        return straight_line(self["capex"], self.a["useful_life"]).to("USD/year")

    def _annuity(self) -> pint.Quantity:
        return annuity(self["capex"], self.a["cost_of_capital"],
                       self.a["useful_life"]).to("USD/year")

    def _capital_cost(self) -> pint.Quantity:
        return self[self.a.capital_cost]

    def _tco_per_year(self) -> pint.Quantity:
        """Capital cost + opex, written per GPU and computed on plain sample arrays:

            GPUs x (capex per GPU x (capital cost share per year + maintenance share)
                    + power per GPU x (PUE x electricity price + hosting) + other opex)

        — about six passes over the samples instead of the dozen arrays that the itemised
        rows need. Each input is read in a stated unit (pint converts it or refuses it), and
        the tests hold this to capital_cost + opex in every form a fleet can take."""
        sku, a = self.sku, self.a
        years = _mag(a["useful_life"], "year")
        if a.capital_cost == "annuity":
            per_year = annuity_factor(_mag(a["cost_of_capital"], ""), years)
        else:
            per_year = 1.0 / years
        published = sku.value("operating_cost")
        if published is None:
            per_year = sm.total(per_year, _mag(a["maintenance"], ""))
        cost = self._capex_per_gpu()
        cost = sm.times(cost, per_year)
        if published is not None:
            cost = sm.plus(cost, _mag(published, "USD/GPU/year"))
        else:
            power = sm.times(self._power_per_gpu(), self._running_cost_per_mw())
            cost = sm.plus(sm.plus(cost, power), _mag(a["other_opex"], "USD/GPU/year"))
        return Quantity(sm.times(cost, _mag(self["gpus"], "GPU")), "USD/year")

    def _capex_per_gpu(self) -> Any:
        """Server, networking, storage and facility capex per GPU, in USD/GPU (a new array)."""
        a = self.a
        if (cost := self.sku.value("server_cost_per_gpu")) is not None:
            server = [_mag(cost, "USD/GPU")]
        else:
            server = [_mag(self.sku.value("gpu_price"), "USD/GPU"),
                      sm.total(1.0, _mag(a["server_overhead_capex"], ""))]
        items = [a.inputs[n] for n in ("networking", "storage", "facility")]
        shares = sm.total(1.0, *(_mag(i.value, "") for i in items if i.is_share()))
        out = sm.product(*server, shares)
        for i in items:
            if not i.is_share():
                out = sm.plus(out, _mag(i.value, "USD/GPU"))
        return out

    def _power_per_gpu(self) -> Any:
        """IT power per GPU in MW/GPU (a new array), as in ``_it_power``."""
        tdp = _mag(self.sku.power_rating(), "MW")
        share = _mag(self.a["tdp_share"], "")
        overhead = self.a.inputs["server_power_overhead"]
        if overhead.is_share():
            return sm.product(tdp, sm.total(1.0, _mag(overhead.value, "")), share)
        return sm.plus(sm.product(tdp, share), _mag(overhead.value, "MW/GPU"))

    def _running_cost_per_mw(self) -> Any:
        """Electricity (at the PUE) and hosting for a MW of IT power for a year, in
        USD/MW/year; the same array for every SKU under these assumptions."""
        key = ("running_cost_per_mw", id(self.a))
        if key not in self._shared:
            a = self.a
            kwh = _constant("1 MW * year", "kWh").magnitude  # a MW for a year, in kWh
            electricity = sm.product(_mag(a["pue"], ""), _mag(a["electricity_price"], "USD/kWh"),
                                     kwh)
            self._shared[key] = sm.plus(electricity, _mag(a["hosting"], "USD/MW/year"))
        return self._shared[key]

    def _gpu_hours(self) -> pint.Quantity:
        hours = _constant("1 year", "hour") / _constant("1 year", "year")
        return (self["gpus"] * hours).to("GPU*hour/year")

    def _capacity(self, precision: Literal["bf16_dense", "fp8_dense"]) -> pint.Quantity | None:
        peak = self.sku.peak(precision)
        return None if peak is None else (peak / registry().GPU).to("PFLOP/s/GPU") * self["gpus"]

    def _bf16_capacity(self) -> pint.Quantity | None:
        return self._capacity("bf16_dense")

    def _fp8_capacity(self) -> pint.Quantity | None:
        return self._capacity("fp8_dense")


def sku_extensives(sku: Sku, a: Assumptions, shared: dict[Any, Any] | None = None
                   ) -> SkuMetrics:
    """The extensive metrics of one SKU, computed as they are read (``shared``: a dict that
    the SKUs of one run share, for what depends on the assumptions only)."""
    return SkuMetrics(sku, a, shared)


def _mag(value: pint.Quantity, unit: str) -> Any:
    """The samples of ``value`` in ``unit`` (a copy only when the unit differs)."""
    return np.asarray(value.to(unit).magnitude, dtype=float)


class FleetResult:
    """Every metric for every SKU and for the total, as quantities (samples with units)."""

    def __init__(
        self,
        columns: list[str],
        extensive: dict[str, dict[str, pint.Quantity | None]],
        *,
        name: str = "",
        capital_cost: str = "depreciation",
        assumptions: Assumptions | None = None,
        skus: list[Sku] | None = None,
    ) -> None:
        self.name = name
        self.columns = columns
        self.capital_cost = capital_cost
        self.assumptions = assumptions
        self.skus = skus or []
        self._extensive = extensive
        self._partial: dict[str, list[str]] = {}
        self._summaries: dict[tuple[str, str], Summary | None] = {}
        # Rows are computed when first read: a run that asks for one metric pays for one.
        self.values: Mapping[str, dict[str, pint.Quantity | None]] = _Rows(self._row)

    @property
    def partial(self) -> dict[str, list[str]]:
        """Metrics whose total covers only some SKUs, with the SKUs left out."""
        found = {}
        for m in METRICS:
            missing = self._missing(m)
            if missing:
                found[m.key] = missing
        return found

    def _missing(self, m: Metric) -> list[str]:
        """The SKUs left out of ``m``'s total, without computing rows that nothing has read
        where that can be known from the inputs (a table shows half of the rows)."""
        columns, extensive = self.columns, self._extensive
        known = all(isinstance(extensive[c], SkuMetrics) for c in columns)
        if known and m.key not in self.values._done:  # type: ignore[attr-defined]
            if m.kind == "extensive":
                gone = [c for c in columns if extensive[c].is_none(m.key)]  # type: ignore[attr-defined]
            else:
                gone = [c for c in columns
                        if extensive[c].is_none(m.numerator or "")  # type: ignore[attr-defined]
                        or extensive[c].is_none(m.denominator or "")  # type: ignore[attr-defined]
                        or _all_zero(extensive[c][m.denominator or ""])]
            return gone if len(gone) < len(columns) else []
        self.values[m.key]
        return self._partial.get(m.key, [])

    def _row(self, key: str) -> dict[str, pint.Quantity | None]:
        m, columns, extensive = METRIC_BY_KEY[key], self.columns, self._extensive
        if m.kind == "extensive":
            row = {c: extensive[c][m.key] for c in columns}
            row[TOTAL] = self._total(m.key, row)
            # a SKU's own value (or a total of one SKU) is converted to a new array; a sum
            # is new already and is converted in place
            made = {TOTAL} if sum(v is not None for v in row.values()) > 2 else set()
        else:
            row = {c: _ratio_of(extensive[c][m.numerator], extensive[c][m.denominator])
                   for c in columns}
            # The total is a ratio of totals over the SKUs where the ratio is defined:
            # a weighted average, never a sum of the per-SKU figures.
            defined = [c for c in columns if row[c] is not None]
            num = _sum([extensive[c][m.numerator] for c in defined])
            den = _sum([extensive[c][m.denominator] for c in defined])
            row[TOTAL] = _ratio_of(num, den)
            if defined and len(defined) < len(columns):
                self._partial[m.key] = [c for c in columns if c not in defined]
            made = set(row)  # ratios are new arrays
        return {c: (None if v is None else _in_unit(v, m.unit, inplace=c in made))
                for c, v in row.items()}

    def _total(self, key: str, row: dict[str, pint.Quantity | None]) -> pint.Quantity | None:
        present = [v for v in row.values() if v is not None]
        missing = [c for c, v in row.items() if v is None]
        if missing and present:
            self._partial[key] = missing
        return _sum(present)

    @property
    def all_columns(self) -> list[str]:
        return [*self.columns, TOTAL]

    def get(self, key: str, column: str = TOTAL) -> pint.Quantity | None:
        m = metric(key)
        if column not in self.values[m.key]:
            raise UnknownNameError(
                f"no column {column!r}", hint="columns: " + ", ".join(self.all_columns)
            )
        return self.values[m.key][column]

    def summary(self, key: str, column: str = TOTAL) -> Summary | None:
        # kept: a table, JSON and a DataFrame of one result each read every cell's summary
        if (key, column) not in self._summaries:
            value = self.get(key, column)
            self._summaries[key, column] = (None if value is None
                                            else summarize(value, metric(key).unit))
        return self._summaries[key, column]

    @property
    def sampled(self) -> bool:
        return any(v is not None and not is_point(v)
                   for row in self.values.values() for v in row.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: every quantity as value + unit (+ percentiles if sampled)."""
        rows = []
        for m in METRICS:
            cells = {}
            for c in self.all_columns:
                s = self.summary(m.key, c)
                cells[c] = None if s is None else s.as_dict()
            rows.append({"metric": m.key, "label": m.label, "kind": m.kind, "unit": m.unit,
                         "values": cells, "missing": self.partial.get(m.key, [])})
        out: dict[str, Any] = {
            "name": self.name,
            "columns": self.all_columns,
            "capital_cost": self.capital_cost,
            "metrics": rows,
        }
        if self.assumptions is not None:
            out["assumptions"] = [_input_dict(i, default=n not in self.assumptions.given)
                                  for n, i in self.assumptions.inputs.items()]
        return out

    def to_dataframe(self, stat: str = "mean") -> pd.DataFrame:
        """Metrics as rows, SKUs and Total as columns (``stat``: mean, p5, p50 or p95)."""
        # pandas loads in about a second; only to_dataframe needs it
        import pandas as pd

        data = {}
        for m in METRICS:
            row = {}
            for c in self.all_columns:
                s = self.summary(m.key, c)
                row[c] = None if s is None else getattr(s, stat)
            row["unit"] = m.unit
            data[m.label] = row
        frame = pd.DataFrame.from_dict(data, orient="index")
        frame.index.name = self.name or "metric"
        return frame

    def _repr_html_(self) -> str:
        return self.to_dataframe()._repr_html_()

    def __repr__(self) -> str:
        tco = self.summary("tco_per_year")
        return (f"<FleetResult {self.name!r}: {', '.join(self.columns)}; "
                f"TCO {tco.mean:,.0f} {tco.unit}>" if tco else "<FleetResult>")


class _Rows(Mapping[str, dict[str, "pint.Quantity | None"]]):
    """Metric rows, each made on first read."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._done: dict[str, dict[str, pint.Quantity | None]] = {}

    def __getitem__(self, key: str) -> dict[str, pint.Quantity | None]:
        if key not in self._done:
            if key not in METRIC_BY_KEY:
                raise KeyError(key)
            self._done[key] = self._make(key)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(METRIC_BY_KEY)

    def __len__(self) -> int:
        return len(METRIC_BY_KEY)


def _input_dict(i: Input, default: bool = False) -> dict[str, Any]:
    d = {"name": i.name, **summarize(i.value).as_dict(), "source": i.source, "note": i.note}
    if default:
        d["default"] = True
    return d


def _sum(values: list[pint.Quantity | None]) -> pint.Quantity | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = present[0]
    for i, v in enumerate(present[1:]):
        # the first sum is a new array; the others add into it (no array per SKU)
        inplace = i > 0 and np.size(total.magnitude) >= np.size(v.magnitude)
        total = _add_into(total, v) if inplace else total + v
    return total


def _add_into(total: pint.Quantity, v: pint.Quantity) -> pint.Quantity:
    total += v  # pint converts v to total's unit (or refuses) and adds in place
    return total


def _in_unit(value: pint.Quantity, unit: str, *, inplace: bool) -> pint.Quantity:
    """``value`` in ``unit``; converted in place when it is an array of the row's own."""
    if inplace and value.units != value._REGISTRY.Unit(unit):
        value.ito(unit)
        return value
    return value.to(unit)


def _all_zero(value: pint.Quantity | None) -> bool:
    return value is None or bool(np.all(np.asarray(value.magnitude) == 0))


def _ratio_of(num: pint.Quantity | None, den: pint.Quantity | None) -> pint.Quantity | None:
    if num is None or den is None:
        return None
    d = np.asarray(den.magnitude, dtype=float)
    if np.all(d == 0):
        return None  # a SKU with no GPUs has no per-GPU figure
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


class Fleet:
    """A set of SKUs under shared assumptions."""

    def __init__(
        self,
        skus: Iterable[Sku | Mapping[str, Any]],
        assumptions: Assumptions | Mapping[str, Any] | None = None,
        *,
        name: str = "",
        description: str = "",
    ) -> None:
        self.name = name
        self.description = description
        if assumptions is None:
            assumptions = Assumptions()
        elif not isinstance(assumptions, Assumptions):
            assumptions = Assumptions(**assumptions)
        self.assumptions = assumptions
        self.skus = [s if isinstance(s, Sku) else Sku(**s) for s in skus]
        if not self.skus:
            raise InputError("a fleet needs at least one SKU", field="skus",
                             hint='add e.g. - {chip: H800, count: "10k GPU", '
                                  'server_cost_per_gpu: "35k USD/GPU"}')
        seen: set[str] = set()
        for i, s in enumerate(self.skus):
            if s.name in seen:
                raise InputError(f"two SKUs are named {s.name!r}", field=f"skus[{i}].name",
                                 hint='give each a distinct name, e.g. name: "H100 (hall B)"')
            seen.add(s.name or "")

    def subset(self, only: str | Iterable[str] | None) -> Fleet:
        """The SKUs whose name, chip, alias or architecture matches one of ``only``
        (``"H800,H100"``, ``"Hopper"``)."""
        if only is None:
            return self
        terms = [t.strip() for t in (only.split(",") if isinstance(only, str) else only)]
        terms = [t for t in terms if t]
        if not terms:
            raise InputError("--only names no SKU",
                             hint="give chip ids, SKU names or an architecture, e.g. H800,H100")
        for t in terms:
            if not any(s.matches(t) for s in self.skus):
                raise UnknownNameError(
                    f"--only {t!r} matches no SKU",
                    hint="SKUs here: " + ", ".join(s.name or "" for s in self.skus)
                    + " (a chip, SKU name or architecture such as Hopper)",
                )
        kept = [s for s in self.skus if any(s.matches(t) for t in terms)]
        return Fleet(kept, self.assumptions, name=self.name, description=self.description)

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
            extensive[s.name] = sku_extensives(s, a, shared)
        return FleetResult(
            [s.name or "" for s in fleet.skus],
            extensive,
            name=self.name,
            capital_cost=base.capital_cost,
            assumptions=base,
            skus=fleet.skus,
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
                raise UnknownNameError(f"no input {path!r}",
                                       hint="inputs here: " + ", ".join(known))
            old = known[path]
            quantity = (value.to(old.value.units) if hasattr(value, "units")
                        else Quantity(value, old.value.units))
            replaced = dataclasses.replace(old, value=quantity)
            parts = path.split(".")
            if parts[0] == "assumptions":
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
        """Every input with its place: ``("skus.H800.count", Input)``, assumptions last."""
        rows = [(f"skus.{s.name}.{n}", i) for s in self.skus for n, i in s.inputs.items()]
        rows += [(f"assumptions.{n}", i) for n, i in self.assumptions.inputs.items()]
        return rows
