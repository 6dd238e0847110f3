"""The catalog of accelerators, the reference cases, and the claim checker."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from starlette.requests import Request
from starlette.responses import Response

from flopbook import numbers
from flopbook.cases import case, cases
from flopbook.catalog import catalog
from flopbook.catalog.schema import SPEC_LABELS, Sourced
from flopbook.claims import ClaimVerdict, check_claims
from flopbook.errors import InputError
from flopbook.quantity import sampling
from flopbook.scenario import Document
from flopbook.web.pages import compute, page, problem
from flopbook.web.scenarios import SAMPLES, case_scenarios
from flopbook.web.workbench import read_form

__all__ = ["case_page", "cases_page", "catalog_page", "claims_check", "claims_form"]


@dataclass
class Figure:
    label: str
    value: str
    as_of: str
    source: str
    note: str
    estimate: bool


def _figure(label: str, f: Sourced) -> Figure:
    return Figure(label, f.value or "—", f.as_of, f.source, f.note or "", f.estimate)


async def catalog_page(request: Request) -> Response:
    chips = []
    for c in catalog():
        e = c.entry
        figures = [_figure(label, c.field(key)) for key, label in SPEC_LABELS.items()]
        figures += [
            _figure("Announced", e.dates.announced),
            _figure("Available", e.dates.available),
        ]
        chips.append((c, figures))
    return page(request, "catalog.html", chips=chips)


async def cases_page(request: Request) -> Response:
    scenario = {s.name for s in case_scenarios()}
    return page(request, "cases.html", cases=cases(), scenario=scenario)


def _run_case(name: str) -> object:
    with sampling(SAMPLES):
        return case(name)


async def case_page(request: Request) -> Response:
    name = request.path_params["name"]
    try:
        result = await compute(_run_case, name)
    except Exception as exc:  # shown in the page; the server carries on
        return problem(request, exc)
    scenario = {s.name for s in case_scenarios()}
    return page(
        request,
        "case.html",
        result=result,
        has_scenario=name in scenario,
        figures=numbers.check_figures,
        tolerance=numbers.tolerance,
    )


async def claims_form(request: Request) -> Response:
    return page(request, "claims.html", verdicts=None, form={})


def _check(form: dict[str, str]) -> list[ClaimVerdict]:
    claim = {
        "claim": form.get("claim", "").strip() or "the claim",
        "expression": form.get("expression", "").strip(),
        "claimed": form.get("claimed", "").strip(),
        "tolerance": form.get("tolerance", "").strip() or "10%",
    }
    for key in ("expression", "claimed"):
        if not claim[key]:
            raise InputError("is empty", field=key, hint="e.g. 5 s * H100.tdp")
    # the claim becomes a claims file of one claim, read as `flopbook check` reads one: its
    # text stays text (YAML quotes it), and the same reader and evaluator judge it
    text = yaml.safe_dump({"claims": [claim]}, sort_keys=False, allow_unicode=True)
    with sampling(SAMPLES):
        _, verdicts = check_claims(Document(text, "claim"))
    return verdicts


async def claims_check(request: Request) -> Response:
    form = await read_form(request)
    try:
        verdicts = await compute(_check, form)
    except Exception as exc:  # shown in the page; the server carries on
        return problem(request, exc)
    shown = [
        (v, numbers.quantity_text(v.model), numbers.quantity_text(v.claimed)) for v in verdicts
    ]
    return page(request, "_claims_result.html", verdicts=shown)
