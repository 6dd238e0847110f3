"""Reference cases of the workload and funding kinds as report blocks, with their checks as
live formulas where the model has a cell for them.

A case runner returns figures; to show them as formulas the report reruns the same model the
runner ran (a training run at each precision; the payer and its verdicts, which the case
result holds) and maps each check's model reference (``cost``, ``mfu_fp8``,
``payer.total.cash_available``, …) to a cell. A check whose figure no block holds is written
as a value, with the reason beside it (see :data:`VALUE_REASONS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flopbook.report.document import Block, Line

if TYPE_CHECKING:
    from flopbook.cases.result import CaseResult
    from flopbook.report.inputs import InputBook

# Why the checks of a case kind are values in the workbook, not formulas.
VALUE_REASONS: dict[str, str] = {
    "inference-day": "a value: the case's own arithmetic on the published day (tokens, "
                     "node-hours, prices) and the fleet model's owned cost; run `flopbook "
                     "case deepseek-inference-day` to see each step",
    "claims": "a value: a unit expression evaluated by flopbook's calculator (`flopbook "
              "calc`), whose unit conversions have no spreadsheet equivalent",
    "cost-per-flop": "a value: a cost per FLOP from the chip comparison (`flopbook compare`), "
                     "which prices each chip with the fleet model or the catalog",
}


@dataclass
class CaseBlocks:
    """Blocks of a case, and for each check (by label) its formula and the engine's answer
    at the values the report uses, in ``unit``."""

    blocks: list[Block] = field(default_factory=list)
    refs: dict[str, tuple[str, float, str]] = field(default_factory=dict)


def _check_models(result: CaseResult, model: type) -> list[str] | None:
    """The ``model`` reference of each check, as the case file writes it."""
    from flopbook.cases import _document, cases

    info = next((c for c in cases() if c.name == result.name), None)
    if info is None:
        return None
    spec = _document(info).validate(model)
    refs = [c.model for c in spec.checks]
    labels = [c.label for c in spec.checks]
    return refs if labels == [c.label for c in result.checks] else None


def _case_inputs(result: CaseResult) -> dict[str, Any]:
    from flopbook.cases import _document, cases

    info = next(c for c in cases() if c.name == result.name)
    return dict(_document(info).data.get("inputs") or {})


def training_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """deepseek-v3-training: the run at each precision, and the solver run backwards."""
    from flopbook.cases.workload_cases import WorkloadCaseFile
    from flopbook.models.workload import Training
    from flopbook.quantity import magnitudes
    from flopbook.report.workload import VALUE, _register, workload_block

    raw = _case_inputs(result)
    precisions = raw.pop("precisions", ["bf16", "fp8"])
    out = CaseBlocks()
    by_key: dict[str, tuple[int, str]] = {}
    for p in precisions:
        run = Training(**raw, precision=p).run()
        i = len(out.blocks)
        block = workload_block(run, book, f"Training at {p.upper()} dense peak",
                               prefix="training")
        # the implied MFU, given back to the forward model: the GPU-hours it gives
        _, used = _register(run, book, "training")
        back = Training(**{k: v for k, v in used.items() if k != "gpu_hours"},
                        mfu=block.engine.get("mfu")).run()
        value = float(magnitudes(back.get("gpu_hours"), "GPU*hour")[0])
        block.lines.append(Line(
            "gpu_hours_from_mfu", "GPU-hours from the implied MFU (solver check)", "GPU*hour",
            "single", "FLOPs / (peak × implied MFU): the forward model run backwards",
            {VALUE: f"{{flops}}/({{peak}}*{book.constant('FLOP_per_TFLOP')}*{{mfu}})"
                    f"/{book.constant('seconds_per_hour')}"}, {VALUE: value}, {VALUE: None}))
        block.highlights.append("gpu_hours_from_mfu")
        out.blocks.append(block)
        by_key[f"mfu_{p}"] = (i, "mfu")
        by_key[f"gpu_hours_from_mfu_{p}"] = (i, "gpu_hours_from_mfu")
        for line in block.lines:
            by_key.setdefault(line.key, (i, line.key))  # shared outputs: the first block's
    models = _check_models(result, WorkloadCaseFile) or []
    for check, model in zip(result.checks, models, strict=False):
        if model in by_key:
            i, key = by_key[model]
            line = out.blocks[i].line(key)
            out.refs[check.label] = (f"{{#{i}:{key}@{VALUE}}}", line.values[VALUE] or 0.0,
                                     line.unit)
    return out


def funding_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """A funding case: the payer's table, then each scenario's verdict."""
    from flopbook.cases.funding_cases import FundingCaseFile
    from flopbook.models.funding import PayerResult
    from flopbook.models.funding_verdict import FundingVerdict
    from flopbook.report.funding import TOTAL, payer_block, verdict_block

    out = CaseBlocks()
    payer = next(s for _, s in result.sections if isinstance(s, PayerResult))
    first = payer_block(payer, book, f"{payer.name or 'The payer'}: cash by year")
    out.blocks.append(first)
    verdicts = [(t, s) for t, s in result.sections if isinstance(s, FundingVerdict)]
    capex_names: list[list[str]] = []
    for n, (title, verdict) in enumerate(verdicts, start=1):
        block = verdict_block(verdict, book, title, first, 0, scenario=f"scenario{n}")
        out.blocks.append(block)
        capex_names.append([r.name for r in book.rows
                            if r.place.startswith(f"spending.scenario{n}.")
                            and r.place.endswith(".capex")])
    models = _check_models(result, FundingCaseFile) or []
    for check, model in zip(result.checks, models, strict=False):
        parts = model.split(".")
        ref: tuple[str, str] | None = None
        if parts == ["payer", "annualised_net_return"]:
            ref = ("annualised_net_return", TOTAL)
        elif len(parts) == 3 and parts[:2] == ["payer", "total"]:
            ref = (f"{parts[2]}_total", TOTAL)
        elif len(parts) == 3 and parts[0] == "payer" and parts[2].isdigit():
            ref = (parts[1], parts[2])
        if ref is not None:
            line = first.line(ref[0])
            value = line.values.get(ref[1])
            if value is not None:
                out.refs[check.label] = (f"{{#0:{ref[0]}@{ref[1]}}}", value, line.unit)
        elif len(parts) == 3 and parts[0] == "scenario" and parts[2] == "capex":
            names = capex_names[int(parts[1]) - 1]
            out.refs[check.label] = ("+".join(names),
                                     sum(book.named(x).value for x in names), "USD")
    return out


# case kind -> the function that makes its blocks
CASE_BLOCKS = {
    "training-run": training_case,
    "funding": funding_case,
}
