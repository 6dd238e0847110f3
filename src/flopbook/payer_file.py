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

The shape is made from the payers' field specs and checked with pydantic (known fields,
required fields), every value once, by the model, with its units and bounds; either way a
mistake is one :class:`~flopbook.errors.InputError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from flopbook.errors import InputError
from flopbook.formula.shape import file_shape
from flopbook.models.funding import COMMON_FIELDS, COMPANY_FIELDS, FUND_FIELDS, Company, Fund
from flopbook.scenario import Document, _dotted

__all__ = ["load_payer", "payer_from_document"]

T = TypeVar("T")
Path_ = tuple[str | int, ...]

# Values are Any here: the model reads each one (a value, a range, a list, a mapping by year)
# and says precisely what is wrong with it. The shapes are made from the models' field specs
# (flopbook.formula.shape): a field added to a payer's specs is a field of its files.
_YEARS: dict[str, Any] = {"first_year": (Any, ...), "last_year": (Any, ...)}

FundFile = file_shape(
    "FundFile",
    {**COMMON_FIELDS, **FUND_FIELDS},
    kind="fund",
    value=Any,
    required=("returns", "management_fee"),
    more=_YEARS,
)

RoundFile = file_shape(
    "RoundFile",
    {"amount": COMPANY_FIELDS["amount"]},
    value=Any,
    required=("amount",),
    more={
        "year": (Any, ...),
        "label": (str | None, None),
        "source": (str | None, None),
        "note": (str | None, None),
    },
    meta=False,
)

CompanyFile = file_shape(
    "CompanyFile",
    {**COMMON_FIELDS, **{k: v for k, v in COMPANY_FIELDS.items() if k != "amount"}},
    kind="company",
    value=Any,
    required=("revenue",),
    more={**_YEARS, "funding_rounds": (list[RoundFile], [])},  # type: ignore[valid-type]
)

_FILES: dict[str, type[BaseModel]] = {"fund": FundFile, "company": CompanyFile}
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
    spec: Any = _validate(doc, _FILES[kind], path)
    # a field left out (or written as null) takes the model's default
    fields = spec.model_dump(exclude={"kind", "description", "source", "note"}, exclude_none=True)
    if kind == "fund":
        return _guard(doc, path, lambda: Fund(**fields))
    fields["funding_rounds"] = [r.model_dump(exclude_none=True) for r in spec.funding_rounds]
    return _guard(doc, path, lambda: Company(**fields))


# registered: model_file.READERS gathers the READERS of every *_file module
READERS = {"fund": payer_from_document, "company": payer_from_document}


def load_payer(path: str | Path) -> Fund | Company:
    """Read a payer file; any mistake is an InputError naming file, line and field."""
    return payer_from_document(Document.read(path))
