"""Scenario files (YAML) -> model inputs, with errors that point at the line.

A fleet scenario (documented field by field in ``docs/scenario.md``)::

    name: DeepSeek's 2,048 H800s
    assumptions:
      useful_life: 4 years
      electricity_price: {value: 0.08 USD/kWh, source: "US EIA 2024", note: industrial}
    skus:
      - chip: H800
        count: 2048
        server_cost_per_gpu: 30k to 40k USD/GPU
    correlations:              # optional: rank correlations between uncertain inputs
      - between: [skus.H800.count, skus.H800.server_cost_per_gpu]
        rank: -0.5

The file is checked in two steps: its shape with pydantic (known fields, required fields), then
every value with the field's units and bounds. Either way a mistake becomes one
:class:`~flopbook.errors.InputError` naming the file, the line and the field.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from flopbook.catalog import Chip
from flopbook.catalog import chip as find_chip
from flopbook.catalog.custom import custom_chip
from flopbook.catalog.schema import date_start
from flopbook.distributions import check_correlation, correlate
from flopbook.errors import InputError, InputWarning
from flopbook.formula.shape import file_shape
from flopbook.models.cash_flow import own_over_fleet, read_financing
from flopbook.models.fleet import (
    ASSUMPTION_FIELDS,
    COHORT_FIELDS,
    SKU_FIELDS,
    Assumptions,
    Fleet,
    Sku,
    cohort_skus,
)
from flopbook.models.registry import refuse_other_kinds
from flopbook.scenario import (
    CorrelationFile,
    Document,
    Path_,
    _dotted,
    _guard,
    _parse_dotted,
    _raw,
)

T = TypeVar("T")

# What to write, for a fleet field that is missing or wrong
EXAMPLES = {
    n: f'write e.g. {n}: "{spec.example}"'
    for n, spec in {**ASSUMPTION_FIELDS, **SKU_FIELDS}.items()
}

# The shapes are made from the fleet's field specs (flopbook.formula.shape): a field added to
# the specs is a field of the files; each value is read once, by the model
AssumptionsFile = file_shape(
    "AssumptionsFile", ASSUMPTION_FIELDS, more={"capital_cost": (str | None, None)}, meta=False
)
# a cohort's own loan or lease, read by flopbook.models.cash_flow.read_financing
CohortFile = file_shape(
    "CohortFile",
    COHORT_FIELDS,
    more={"name": (StrictStr | None, None), "financing": (Any, None)},
    meta=False,
)
SkuFile = file_shape(
    "SkuFile",
    SKU_FIELDS,
    more={
        # a catalog name, or a custom chip's mapping (checked by flopbook.catalog.custom)
        "chip": (StrictStr | dict[str, Any], ...),
        "name": (StrictStr | None, None),
        "assumptions": (AssumptionsFile | None, None),
        "cohorts": (list[CohortFile] | None, None),  # type: ignore[valid-type]
        # a loan or lease for every cohort of the SKU, in place of the fleet's
        "financing": (Any, None),
    },
    meta=False,
)


class FleetFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["fleet"] | None = None  # optional: a file without kind: is a fleet
    name: str = ""
    description: str = ""
    source: str | None = None
    note: str | None = None
    # the date the fleet is costed at: `server_cost_per_gpu: catalog` takes the catalog
    # observation nearest it (the latest without one)
    date: str | None = None
    # the year whose dollars the fleet is stated in: SKU prices_of years are restated to it
    dollars_of: Any = None
    # the index dollars_of restates by: cpi-u (annual, the default) or ppi-hosting (monthly)
    price_index: Any = None
    # the calendar years of the yearly cash flows: {start: 2024, end: 2028}
    period: Any = None
    # a loan on the capex, or a lease: {debt: 60%, debt_rate: 8%, debt_term: 4 years}
    financing: Any = None
    # who runs the data centres: the PUE default is that operator's published figure
    operator: Any = None
    assumptions: AssumptionsFile | None = None  # type: ignore[valid-type]
    skus: list[SkuFile] = Field(min_length=1)  # type: ignore[valid-type]
    correlations: list[CorrelationFile] | None = None


def fleet_from_document(doc: Document, path: Path_ = ()) -> Fleet:
    """The :class:`~flopbook.models.fleet.Fleet` described at ``path`` of the document."""
    spec = doc.validate(FleetFile, path, examples=EXAMPLES)
    _check_date(doc, (*path, "date"), spec.date)
    given = {
        k: _raw(v)
        for k, v in (spec.assumptions or AssumptionsFile()).model_dump(exclude_none=True).items()
    }
    assumptions = _guard(doc, (*path, "assumptions"), lambda: Assumptions(**given))
    # read first: a cohort's own loan takes what it does not give from the fleet's
    financing: dict[str, Any] = (
        {}
        if spec.financing is None
        else _guard(doc, (*path, "financing"), lambda: read_financing(spec.financing))
    )
    skus = []
    sku_at: dict[str, Path_] = {}  # each SKU's place in the file, for errors found later
    given_skus: list[Any] = spec.skus  # pydantic models made at run time: no static type
    for i, sku in enumerate(given_skus):
        fields = {k: _raw(getattr(sku, k)) for k in SKU_FIELDS if getattr(sku, k) is not None}
        overrides = sku.assumptions.model_dump(exclude_none=True) if sku.assumptions else {}
        where = (*path, "skus", i)
        if sku.financing is not None:
            fields["financing"] = _own_financing(
                doc, (*where, "financing"), sku.financing, financing
            )
        chip: Any = sku.chip
        if isinstance(chip, dict):
            chip = custom_chip_of(doc, (*where, "chip"), chip)
            _price_from_chip(chip, fields)
        for field in ("server_cost_per_gpu", "gpu_price"):
            if _is_catalog(fields.get(field)):
                fields[field] = catalog_price_of(doc, (*where, field), chip, field, spec.date)

        def make(
            sku: Any = sku,
            fields: dict[str, Any] = fields,
            overrides: dict[str, Any] = overrides,
            chip: Any = chip,
        ) -> Sku:
            return Sku(chip=chip, name=sku.name, assumptions=overrides, **fields)

        if sku.cohorts is None and "count" not in fields:
            if _given_empty(doc, where, "count"):
                raise doc.error(InputError("is empty", hint=EXAMPLES["count"]), (*where, "count"))
            raise doc.error(
                InputError(
                    "missing required field 'count' (or cohorts)",
                    hint='write e.g. count: "2048 GPU", or list cohorts of purchases',
                ),
                where,
            )
        made_skus = (
            _cohorts_of(doc, where, sku, chip, fields, overrides, financing)
            if sku.cohorts is not None
            else [_guard_sku(doc, where, make)]
        )
        if overrides:
            for made in made_skus:

                def merged(o: dict[str, Any] = overrides, m: Sku = made) -> Assumptions:
                    return assumptions.merged(o, key_prefix=f"skus.{m.name}.assumptions")

                _guard(doc, (*where, "assumptions"), merged)
        skus.extend(made_skus)
        sku_at.update({m.name or "": where[len(path) :] for m in made_skus})

    def make_fleet() -> Fleet:
        try:
            return Fleet(
                skus,
                assumptions,
                name=spec.name,
                description=spec.description,
                dollars_of=spec.dollars_of,
                price_index=spec.price_index,
                period=spec.period,
                financing=financing or None,
                operator=spec.operator,
            )
        except InputError as exc:
            # "skus.<name>.as_of" (a default picked by the use year): the SKU's own line
            for name, at in sku_at.items():
                if (exc.field or "").startswith(f"skus.{name}."):
                    rest = (exc.field or "")[len(f"skus.{name}.") :].split(".")
                    raise InputError(
                        exc.message, field=_dotted((*at, *rest)), hint=exc.hint
                    ) from None
            raise

    fleet = _guard(doc, path, make_fleet)
    if spec.correlations:
        fleet = _correlated(doc, (*path, "correlations"), fleet, spec.correlations)
    return fleet


# registered: model_file.READERS gathers the READERS of every *_file module
READERS = {"fleet": fleet_from_document}


def _given_empty(doc: Document, where: Path_, field: str) -> bool:
    """Whether the mapping at ``where`` writes ``field:`` with nothing after it."""
    node: Any = doc.data
    for part in where:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, dict) and field in node and node[field] is None


def _cohorts_of(
    doc: Document,
    where: Path_,
    sku: Any,
    chip: Any,
    fields: dict[str, Any],
    overrides: dict[str, Any],
    financing: dict[str, Any],
) -> list[Sku]:
    """One SKU per purchase cohort; a mistake in a cohort names the cohort's line."""
    if "count" in fields:
        raise doc.error(
            InputError(
                "gives both count and cohorts",
                hint="the cohorts' counts are the SKU's GPUs: drop count",
            ),
            (*where, "count"),
        )
    if not sku.cohorts:
        raise doc.error(
            InputError(
                "cohorts is empty",
                hint="list each purchase, e.g. cohorts: [{acquired: 2024, count: 1000}]",
            ),
            (*where, "cohorts"),
        )
    out = []
    for j, cohort in enumerate(sku.cohorts):
        given = {
            k: _raw(getattr(cohort, k)) for k in COHORT_FIELDS if getattr(cohort, k) is not None
        }
        for needed in ("count", "acquired"):
            if needed not in given:
                raise doc.error(
                    InputError(
                        f"a cohort needs {needed}", hint="write e.g. {acquired: 2024, count: 1000}"
                    ),
                    (*where, "cohorts", j),
                )
        if "financing" in given:
            given["financing"] = _own_financing(
                doc, (*where, "cohorts", j, "financing"), given["financing"], financing
            )

        def make(c: Any = cohort, given: dict[str, Any] = given) -> Sku:
            own = dict(fields)
            if "gpu_price" in given or "server_cost_per_gpu" in given:
                own.pop("gpu_price", None)
                own.pop("server_cost_per_gpu", None)
            (made,) = cohort_skus(
                chip, [{**given, "name": c.name}], name=sku.name, assumptions=overrides, **own
            )
            return made

        out.append(_guard_sku(doc, (*where, "cohorts", j), make))
    return out


def _own_financing(doc: Document, path: Path_, raw: Any, fleet: dict[str, Any]) -> dict[str, Any]:
    """A SKU's or cohort's own loan or lease, read where it is written (a mistake names
    its line and field), as it stands beside the fleet's."""

    def read() -> dict[str, Any]:
        own = read_financing(raw, field="financing", cohort=True)
        return own_over_fleet(own, fleet, "financing")

    return _guard(doc, path, read)


def custom_chip_of(doc: Document, path: Path_, raw: Mapping[str, Any]) -> Any:
    """The custom chip written at ``path``; a mistake names its line and field, a likely
    sparse rate is an :class:`~flopbook.errors.InputWarning` naming them too."""
    try:
        chip, notes = custom_chip(raw, where=doc.file)
    except InputError as exc:
        raise doc.error(
            InputError(exc.message, hint=exc.hint), (*path, *_parse_dotted(exc.field or ""))
        ) from None
    for name, message in notes:
        where = (*path, name)
        warnings.warn(
            InputWarning(f"{doc.file}:{doc.line(where)}: {_dotted(where)}: {message}"), stacklevel=2
        )
    return chip


def _check_date(doc: Document, path: Path_, text: str | None) -> None:

    if text is None:
        return
    try:
        date_start(text)
    except ValueError as exc:
        raise doc.error(InputError(str(exc), hint="e.g. date: 2021-06"), path) from None


def _is_catalog(raw: Any) -> bool:
    value = raw.get("value") if isinstance(raw, dict) else raw
    return isinstance(value, str) and value.strip().lower() == "catalog"


_KINDS = {"server_cost_per_gpu": "server_per_gpu", "gpu_price": "purchase"}


def catalog_price_of(
    doc: Document, path: Path_, chip: Any, field: str, date: str | None
) -> dict[str, Any]:
    """``server_cost_per_gpu: catalog``: the catalog observation nearest the fleet's ``date``
    (the latest without one), as an input with its source; a price more than 12 months from
    its date is an :class:`~flopbook.errors.InputWarning` naming the line."""

    try:
        found = chip if isinstance(chip, Chip) else find_chip(str(chip))
    except InputError as exc:
        raise doc.error(InputError(exc.message, hint=exc.hint), path[:-1] + ("chip",)) from None
    pick = found.pick_price(_KINDS[field], date)
    if pick is None:
        other = "gpu_price" if field == "server_cost_per_gpu" else "server_cost_per_gpu"
        raise doc.error(
            InputError(
                f"the catalog has no {_KINDS[field]} price for {found.id}",
                hint=f'give one, e.g. {field}: "35k USD/GPU", or try {other}: catalog '
                f"(see flopbook catalog {found.id} --prices)",
            ),
            path,
        )
    if pick.stale:
        warnings.warn(
            InputWarning(
                f"{doc.file}:{doc.line(path)}: {_dotted(path)}: catalog {pick.describe()}"
            ),
            stacklevel=2,
        )
    return {
        "value": pick.value,
        "source": f"flopbook catalog: {pick.source}",
        "note": pick.describe(),
    }


def _price_from_chip(chip: Any, fields: dict[str, Any]) -> None:
    """A custom chip's own price stands in for the SKU's when the SKU gives none."""
    if "server_cost_per_gpu" in fields or "gpu_price" in fields:
        return
    for field, kind in (("server_cost_per_gpu", "server_per_gpu"), ("gpu_price", "purchase")):
        value = chip.price(kind)
        if value is not None:
            fields[field] = value
            return


def _correlated(
    doc: Document, path: Path_, fleet: Fleet, correlations: list[CorrelationFile]
) -> Fleet:
    """The fleet with its inputs reordered to the rank correlations asked for."""
    samples = {p: i.value.magnitude for p, i in fleet.inputs()}
    uncertain = [p for p, m in samples.items() if m.size > 1]
    pairs = []
    for i, c in enumerate(correlations):
        if len(c.between) != 2 or c.between[0] == c.between[1]:
            raise doc.error(
                InputError(
                    f"between names two different inputs, got {c.between}",
                    hint="write e.g. between: [skus.H800.count, assumptions.pue]",
                ),
                (*path, i, "between"),
            )
        for name in c.between:
            if name not in uncertain:
                why = "has one value" if name in samples else "is not an input here"
                raise doc.error(
                    InputError(
                        f"{name!r} {why}; only uncertain inputs can be correlated",
                        hint="uncertain inputs: "
                        + (", ".join(uncertain) or "none — give some inputs a range first"),
                    ),
                    (*path, i, "between"),
                )
        try:
            rho = check_correlation(c.rank)
        except InputError as exc:
            raise doc.error(InputError(exc.message, hint=exc.hint), (*path, i, "rank")) from None
        pairs.append((c.between[0], c.between[1], rho))
    reordered = _guard(doc, path, lambda: correlate(samples, pairs))
    names = {n for a, b, _ in pairs for n in (a, b)}
    return fleet.with_inputs({n: reordered[n] for n in names})


def _guard_sku(doc: Document, where: Path_, make: Callable[[], T]) -> T:
    try:
        return make()
    except InputError as exc:
        # A SKU reports "count", "skus.<name>" (the whole SKU) or "skus.<name>.<field>…";
        # the catalog reports no field (an unknown chip).
        field = exc.field or ""
        fields = "|".join([*SKU_FIELDS, "assumptions", "chip", "name", "financing"])
        nested = re.match(rf"^skus\..+?\.((?:{fields})(?:\..+)?)$", field)
        if "unknown chip" in exc.message:
            path: Path_ = (*where, "chip")
        elif nested:
            path = (*where, *nested.group(1).split("."))
        elif field.startswith("skus.") or not field:
            path = where
        else:
            path = (*where, *_parse_dotted(field))
        raise doc.error(InputError(exc.message, hint=exc.hint), path) from None


def load_scenario(path: str | Path) -> Fleet:
    """Read a fleet scenario file; any mistake is an InputError naming file, line, field."""
    doc = Document.read(path)
    refuse_other_kinds(doc, "fleet")
    return fleet_from_document(doc)
