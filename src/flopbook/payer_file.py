"""Payer files (YAML) -> :class:`~flopbook.models.funding.Fund` or ``Company``, with errors
that name the file, the line and the field (documented field by field in docs/funding.md)::

    kind: fund
    name: High-Flyer
    first_year: 2017
    last_year: 2024
    aum_start: {value: 7B USD, source: "…"}
    returns: {2017: 28%, 2018: 28%, …}
    management_fee: 1%
    performance_fee: 20%
    reinvest_share: 70%

The shape is checked with pydantic (known fields, required fields), every value by the model
with its units and bounds; either way a mistake is one :class:`~flopbook.errors.InputError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from flopbook.errors import InputError
from flopbook.models.funding import COMPANY_FIELDS, FUND_FIELDS, Company, Fund
from flopbook.scenario import Document, _dotted

__all__ = ["load_payer", "payer_from_document"]

T = TypeVar("T")
Path_ = tuple[str | int, ...]

# Values are Any here: the model reads each one (a value, a range, a list, a mapping by year)
# and says precisely what is wrong with it.


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    description: str = ""
    source: str | None = None
    note: str | None = None
    first_year: Any
    last_year: Any
    fx_rate: Any = None


class FundFile(_Common):
    kind: Literal["fund"]
    aum_start: Any = None
    aum: Any = None
    flows: Any = None
    returns: Any
    management_fee: Any
    performance_fee: Any = 0
    operating_costs: Any = 0
    reinvest_share: Any = 1


class RoundFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: Any
    amount: Any
    label: str | None = None
    source: str | None = None
    note: str | None = None


class CompanyFile(_Common):
    kind: Literal["company"]
    revenue: Any
    operating_margin: Any = None
    operating_cash_flow: Any = None
    capex_share: Any = None
    funding_rounds: list[RoundFile] = []


_FILES: dict[str, type[_Common]] = {"fund": FundFile, "company": CompanyFile}
_EXAMPLES = {
    "kind": "write kind: fund or kind: company",
    "first_year": "write e.g. first_year: 2017",
    "last_year": "write e.g. last_year: 2024",
    "year": "write e.g. year: 2024",
    **{n: f'write e.g. {n}: "{s.example}"' for n, s in {**COMPANY_FIELDS, **FUND_FIELDS}.items()},
}
_EXAMPLES["amount"] = 'write e.g. amount: "500M USD"'


def _validate(doc: Document, model: type[T], path: Path_) -> T:
    return doc.validate(model, path, examples=_EXAMPLES)


_INDEX = re.compile(r"\[(\d+)\]")


def _path(field: str | None) -> Path_:
    """``"returns.2019"`` -> ``("returns", "2019")``; ``"flows[2]"`` -> ``("flows", 2)``."""
    if not field:
        return ()
    out: list[str | int] = []
    for part in field.split("."):
        head, *rest = _INDEX.split(part)
        if head:
            out.append(head)
        out.extend(int(r) for r in rest if r)
    return tuple(out)


def _guard(doc: Document, base: Path_, make: Callable[[], T]) -> T:
    try:
        return make()
    except InputError as exc:
        where = (*base, *_path(exc.field))
        raise InputError(
            exc.message, file=doc.file, line=doc.line(where), field=_dotted(where), hint=exc.hint
        ) from None


def payer_from_document(doc: Document, path: Path_ = ()) -> Fund | Company:
    """The payer described at ``path`` of the document."""
    data: Any = doc.data
    for part in path:
        data = data[part]
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping of fields (kind:, first_year:, …)",
            file=doc.file,
            line=doc.line(path),
            field=_dotted(path) or None,
        )
    kind = data.get("kind")
    if kind is None:
        raise InputError(
            "missing required field 'kind'",
            file=doc.file,
            line=doc.line(path),
            field=_dotted((*path, "kind")),
            hint=_EXAMPLES["kind"],
        )
    if kind not in _FILES:
        near = difflib.get_close_matches(str(kind), list(_FILES), n=1)
        raise InputError(
            f"unknown payer kind {kind!r}",
            file=doc.file,
            line=doc.line((*path, "kind")),
            field=_dotted((*path, "kind")),
            hint=f"did you mean {near[0]}?" if near else _EXAMPLES["kind"],
        )
    spec = _validate(doc, _FILES[kind], path)
    fields = spec.model_dump(exclude={"kind", "description", "source", "note"})
    if isinstance(spec, FundFile):
        return _guard(doc, path, lambda: Fund(**fields))
    assert isinstance(spec, CompanyFile)
    fields["funding_rounds"] = [r.model_dump(exclude_none=True) for r in spec.funding_rounds]
    return _guard(doc, path, lambda: Company(**fields))


def load_payer(path: str | Path) -> Fund | Company:
    """Read a payer file; any mistake is an InputError naming file, line and field."""
    return payer_from_document(Document.read(path))
