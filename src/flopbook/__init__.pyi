# The public API of flopbook: each name once, here. Type checkers read this file; at run time
# flopbook/__init__.py reads it too (lazy_loader) and imports each name on first use.
# Everything else stays importable from its own module (flopbook.models.fleet.FleetResult, …).

__version__: str

# quantities: a value with a unit, and optionally samples
from .quantity import Quantity as Quantity, q as q, sampling as sampling
from .calc import evaluate as evaluate

# errors: every bad input is an InputError with the file, line or field and a hint; a unit
# that does not fit is a UnitError (pint's own errors are mapped to it)
from .errors import (
    DataError as DataError,
    FlopbookError as FlopbookError,
    InputError as InputError,
    UnitError as UnitError,
    WorkbookError as WorkbookError,
)

# the catalog of chips and dated prices
from .catalog import chip as chip

# models
from .models.fleet import Assumptions as Assumptions, Fleet as Fleet, Sku as Sku
from .models.workload import Inference as Inference, Training as Training
from .models.funding import Company as Company, Fund as Fund
from .models.funding_verdict import Spending as Spending, judge_funding as judge_funding
from .models.compare import compare as compare

# reading files of each kind, claims, and the reference cases
from .fleet_file import load_scenario as load_scenario
from .payer_file import load_payer as load_payer
from .workload_file import run_workload as run_workload
from .claims import read_claims as read_claims
from .cases import case as case

# reports
from .report import build_report as build_report
from .render.reports import write_reports as write_reports

# the spreadsheet audit
from .audit import audit as audit
from .audit.findings import AuditResult as AuditResult
