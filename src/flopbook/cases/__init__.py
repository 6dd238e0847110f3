"""Reference cases: published figures reproduced by the model, each with its source.

    >>> from flopbook import case
    >>> result = case("deepseek-semianalysis")
    >>> result.ok, [d.title for d in result.discrepancies]

A case is a YAML file in this folder. Its ``kind`` names the runner that reads it; a runner
returns a :class:`~flopbook.cases.result.CaseResult`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from flopbook import safe_yaml
from flopbook.cases.spec import conclude
from flopbook.errors import UnknownNameError, suggest
from flopbook.scenario import Document

if TYPE_CHECKING:
    from flopbook.cases.result import CaseResult

__all__ = ["CaseInfo", "case", "cases", "document"]

# kind -> "module:function"; a runner takes the parsed Document and returns a CaseResult.
RUNNERS: dict[str, str] = {
    "fleet": "flopbook.cases.fleet_cases:run_fleet_case",
    "published-fleet-table": "flopbook.cases.fleet_cases:run_published_table",
    "training-run": "flopbook.cases.workload_cases:run_training_case",
    "owned-training-run": "flopbook.cases.owned_cases:run_owned_training_case",
    "inference-day": "flopbook.cases.workload_cases:run_inference_day",
    "claims": "flopbook.cases.workload_cases:run_claims_case",
    "cost-per-flop": "flopbook.cases.workload_cases:run_cost_per_flop",
    "funding": "flopbook.cases.funding_cases:run_funding_case",
}


@dataclass(frozen=True)
class CaseInfo:
    name: str
    title: str
    kind: str
    file: str


@cache
def cases() -> list[CaseInfo]:
    """The reference cases shipped with flopbook."""
    found = []
    for item in sorted(resources.files("flopbook.cases").iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            text = item.read_text(encoding="utf-8")
            data = safe_yaml.load(text, f"cases/{item.name}", shipped=True)
            found.append(CaseInfo(data["name"], data.get("title", ""), data["kind"], item.name))
    return found


def document(info: CaseInfo) -> Document:
    """The case's file, read (reports read its inputs and checks from it)."""
    text = (resources.files("flopbook.cases") / info.file).read_text(encoding="utf-8")
    return Document(text, f"cases/{info.file}")


def case(name: str) -> CaseResult:
    """Run the reference case called ``name``."""
    by_name = {c.name: c for c in cases()}
    info = by_name.get(name)
    if info is None:
        raise UnknownNameError(
            f"unknown case {name!r}", hint=suggest(name, list(by_name), cutoff=0.4)
        )
    module, func = RUNNERS[info.kind].split(":")
    runner: Callable[[Document], CaseResult] = getattr(importlib.import_module(module), func)
    doc = document(info)
    return conclude(runner(doc), doc)
