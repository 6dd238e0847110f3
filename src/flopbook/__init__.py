"""flopbook: AI compute economics, right by construction.

    >>> import flopbook as fb
    >>> fb.q("30k USD/GPU") * fb.q("10k GPU")
    >>> fleet = fb.Fleet.from_file("scenario.yaml"); fleet.run().to_dataframe()
    >>> fb.case("deepseek-semianalysis")

Names are imported on first use, so that ``import flopbook`` (and ``flopbook --help``) stay
fast: pint, NumPy and pandas load only when a quantity is first made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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
    "Catalog": "flopbook.catalog",
    "chip": "flopbook.catalog",
    "catalog": "flopbook.catalog",
    "Fleet": "flopbook.models.fleet",
    "Sku": "flopbook.models.fleet",
    "Assumptions": "flopbook.models.fleet",
    "FleetResult": "flopbook.models.fleet",
    "load_scenario": "flopbook.scenario",
    "Distribution": "flopbook.distributions",
    "correlate": "flopbook.distributions",
    "fleet_sensitivity": "flopbook.sensitivity",
    "tornado": "flopbook.sensitivity",
    "sobol_indices": "flopbook.sensitivity",
    "case": "flopbook.cases",
    "cases": "flopbook.cases",
}

__all__ = [
    "Assumptions",
    "Catalog",
    "Distribution",
    "Fleet",
    "FleetResult",
    "FlopbookError",
    "InputError",
    "Quantity",
    "Sku",
    "UnitMismatchError",
    "UnknownNameError",
    "case",
    "cases",
    "catalog",
    "chip",
    "correlate",
    "fleet_sensitivity",
    "load_scenario",
    "q",
    "registry",
    "sampling",
    "sobol_indices",
    "summarize",
    "tornado",
]

if TYPE_CHECKING:  # pragma: no cover
    from flopbook.cases import case, cases
    from flopbook.catalog import Catalog, catalog, chip
    from flopbook.distributions import Distribution, correlate
    from flopbook.errors import FlopbookError, InputError, UnitMismatchError, UnknownNameError
    from flopbook.models.fleet import Assumptions, Fleet, FleetResult, Sku
    from flopbook.quantity import Quantity, q, registry, sampling, summarize
    from flopbook.scenario import load_scenario
    from flopbook.sensitivity import fleet_sensitivity, sobol_indices, tornado


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'flopbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
