"""flopbook: AI compute economics, right by construction.

    >>> import flopbook as fb
    >>> fb.q("30k USD/GPU") * fb.q("10k GPU")
    >>> fleet = fb.load_scenario("scenario.yaml"); fleet.run().to_dataframe()
    >>> fb.case("deepseek-semianalysis")

Names are imported on first use, so that ``import flopbook`` (and ``flopbook --help``) stay
fast: pint, NumPy and pandas load only when a quantity is first made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from flopbook.version import __version__  # noqa: E402,F401

_EXPORTS = {
    "q": "flopbook.quantity",
    "Quantity": "flopbook.quantity",
    "sampling": "flopbook.quantity",
    "summarize": "flopbook.quantity",
    "registry": "flopbook.quantity",
    "InputError": "flopbook.errors",
    "FlopbookError": "flopbook.errors",
    "UnitMismatchError": "flopbook.errors",
    "UnknownNameError": "flopbook.errors",
    "UnitError": "flopbook.errors",
    "WorkbookError": "flopbook.errors",
    "DataError": "flopbook.errors",
    "Catalog": "flopbook.catalog",
    "chip": "flopbook.catalog",
    "catalog": "flopbook.catalog",
    "Fleet": "flopbook.models.fleet",
    "Sku": "flopbook.models.fleet",
    "Assumptions": "flopbook.models.fleet",
    "FleetResult": "flopbook.models.fleet",
    "load_scenario": "flopbook.fleet_file",
    "Fund": "flopbook.models.funding",
    "Company": "flopbook.models.funding",
    "PayerResult": "flopbook.models.funding",
    "Spending": "flopbook.models.funding_verdict",
    "FundingVerdict": "flopbook.models.funding_verdict",
    "judge_funding": "flopbook.models.funding_verdict",
    "load_payer": "flopbook.payer_file",
    "Distribution": "flopbook.distributions",
    "correlate": "flopbook.distributions",
    "fleet_sensitivity": "flopbook.sensitivity",
    "tornado": "flopbook.sensitivity",
    "sobol_indices": "flopbook.sensitivity",
    "case": "flopbook.cases",
    "cases": "flopbook.cases",
    "Training": "flopbook.models.workload",
    "Inference": "flopbook.models.workload",
    "WorkloadResult": "flopbook.models.workload",
    "solve_training": "flopbook.models.workload",
    "evaluate": "flopbook.calc",
    "compare": "flopbook.models.compare",
    "read_claims": "flopbook.claims",
    "run_workload": "flopbook.workload_file",
    "build_report": "flopbook.report",
    "write_reports": "flopbook.render.reports",
    "audit": "flopbook.audit",
    "AuditResult": "flopbook.audit.findings",
    "Finding": "flopbook.audit.findings",
    "add_sensitivity": "flopbook.report.uncertainty",
}

__all__ = [
    "Assumptions",
    "Inference",
    "Training",
    "WorkloadResult",
    "AuditResult",
    "Catalog",
    "Company",
    "Distribution",
    "Fleet",
    "Finding",
    "FleetResult",
    "FlopbookError",
    "Fund",
    "FundingVerdict",
    "InputError",
    "PayerResult",
    "Quantity",
    "Sku",
    "Spending",
    "UnitMismatchError",
    "UnknownNameError",
    "UnitError",
    "WorkbookError",
    "DataError",
    "build_report",
    "audit",
    "case",
    "cases",
    "catalog",
    "chip",
    "compare",
    "evaluate",
    "judge_funding",
    "load_payer",
    "correlate",
    "fleet_sensitivity",
    "load_scenario",
    "q",
    "read_claims",
    "registry",
    "run_workload",
    "sampling",
    "solve_training",
    "summarize",
    "write_reports",
    "add_sensitivity",
    "sobol_indices",
    "summarize",
    "tornado",
]

if TYPE_CHECKING:  # pragma: no cover
    from flopbook.audit import audit
    from flopbook.audit.findings import AuditResult, Finding
    from flopbook.calc import evaluate
    from flopbook.cases import case, cases
    from flopbook.catalog import Catalog, catalog, chip
    from flopbook.claims import read_claims
    from flopbook.distributions import Distribution, correlate
    from flopbook.errors import (
        DataError,
        FlopbookError,
        InputError,
        UnitError,
        UnitMismatchError,
        UnknownNameError,
        WorkbookError,
    )
    from flopbook.fleet_file import load_scenario
    from flopbook.models.compare import compare
    from flopbook.models.fleet import Assumptions, Fleet, FleetResult, Sku
    from flopbook.models.funding import Company, Fund, PayerResult
    from flopbook.models.funding_verdict import FundingVerdict, Spending, judge_funding
    from flopbook.models.workload import Inference, Training, WorkloadResult, solve_training
    from flopbook.payer_file import load_payer
    from flopbook.quantity import Quantity, q, registry, sampling, summarize
    from flopbook.render.reports import write_reports
    from flopbook.report import build_report
    from flopbook.report.uncertainty import add_sensitivity
    from flopbook.sensitivity import fleet_sensitivity, sobol_indices, tornado
    from flopbook.workload_file import run_workload


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flopbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
