"""Reference cases of the workload and funding kinds as report blocks, with their checks as
live formulas where the model has a cell for them.

A case runner returns figures; to show them as formulas the report reruns the same model the
runner ran (a training run at each precision; the payer and its verdicts, which the case
result holds) and maps each check's model reference (``cost``, ``mfu_fp8``,
``payer.total.cash_available``, …) to a cell. A check whose figure no block holds is written
as a value, with the reason beside it (see :data:`VALUE_REASONS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flopbook.cases import cases, document
from flopbook.cases.funding_cases import FundingCaseFile
from flopbook.cases.workload_cases import WorkloadCaseFile
from flopbook.catalog import chip as find
from flopbook.errors import InputError
from flopbook.formula.conversions import CONVERSIONS
from flopbook.formula.declaration import Form
from flopbook.formula.excel import Ref, excel_formula
from flopbook.models.architecture import preset
from flopbook.models.compare import COMPARE, compare
from flopbook.models.funding import PayerResult
from flopbook.models.funding_verdict import FundingVerdict
from flopbook.models.inference import ARCHITECTURE_INPUTS, INFERENCE
from flopbook.models.serving import ARCHITECTURE_UNITS
from flopbook.models.transformer import Placement, architecture_inputs
from flopbook.models.workload import Training
from flopbook.quantity import Quantity, is_point, magnitudes, q
from flopbook.quantity import registry as ureg
from flopbook.report.document import Block, Line
from flopbook.report.funding import TOTAL, payer_block, verdict_block
from flopbook.report.kinds import block_for
from flopbook.report.workload import VALUE, _register, workload_block

if TYPE_CHECKING:
    from flopbook.cases.result import CaseResult
    from flopbook.report.inputs import InputBook

# Why the checks of a case kind are values in the workbook, not formulas.
VALUE_REASONS: dict[str, str] = {
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
    # checks kept as values (by label), each with the reason the workbook has no formula
    reasons: dict[str, str] = field(default_factory=dict)


def _check_models(result: CaseResult, model: type) -> list[str] | None:
    """The ``model`` reference of each check, as the case file writes it."""
    info = next((c for c in cases() if c.name == result.name), None)
    if info is None:
        return None
    spec = document(info).validate(model)
    refs = [c.model for c in spec.checks]
    labels = [c.label for c in spec.checks]
    return refs if labels == [c.label for c in result.checks] else None


def _case_inputs(result: CaseResult) -> dict[str, Any]:
    info = next(c for c in cases() if c.name == result.name)
    return dict(document(info).data.get("inputs") or {})


def training_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """deepseek-v3-training: the run at each precision, and the solver run backwards."""
    raw = _case_inputs(result)
    precisions = raw.pop("precisions", ["bf16", "fp8"])
    out = CaseBlocks()
    by_key: dict[str, tuple[int, str]] = {}
    for p in precisions:
        run = Training(**raw, precision=p).run()
        i = len(out.blocks)
        block = workload_block(run, book, f"Training at {p.upper()} dense peak", prefix="training")
        # the implied MFU, given back to the forward model: the GPU-hours it gives
        _, used = _register(run, book, "training")
        back = Training(
            **{k: v for k, v in used.items() if k != "gpu_hours"}, mfu=block.engine.get("mfu")
        ).run()
        value = float(magnitudes(back.get("gpu_hours"), "GPU*hour")[0])
        block.lines.append(
            Line(
                "gpu_hours_from_mfu",
                "GPU-hours from the implied MFU (solver check)",
                "GPU*hour",
                "single",
                "FLOPs / (peak × implied MFU): the forward model run backwards",
                {
                    VALUE: f"{{flops}}/({{peak}}*{book.constant('FLOP_per_TFLOP')}*{{mfu}})"
                    f"/{book.constant('seconds_per_hour')}"
                },
                {VALUE: value},
                {VALUE: None},
            )
        )
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
            out.refs[check.label] = (
                f"{{#{i}:{key}@{VALUE}}}",
                line.values[VALUE] or 0.0,
                line.unit,
            )
    return out


def funding_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """A funding case: the payer's table, then each scenario's verdict."""
    out = CaseBlocks()
    payer = next(s for _, s in result.sections if isinstance(s, PayerResult))
    first = payer_block(payer, book, f"{payer.name or 'The payer'}: cash by year")
    out.blocks.append(first)
    verdicts = [(t, s) for t, s in result.sections if isinstance(s, FundingVerdict)]
    capex_names: list[list[str]] = []
    for n, (title, verdict) in enumerate(verdicts, start=1):
        block = verdict_block(verdict, book, title, first, 0, scenario=f"scenario{n}")
        out.blocks.append(block)
        capex_names.append(
            [
                r.name
                for r in book.rows
                if r.place.startswith(f"spending.scenario{n}.") and r.place.endswith(".capex")
            ]
        )
    models = _check_models(result, FundingCaseFile) or []
    for check, model in zip(result.checks, models, strict=False):
        parts = model.split(".")
        ref: tuple[str, str] | None = None
        if parts == ["payer", "annualised_net_return"]:
            ref = ("annualised_net_return", TOTAL)
        elif len(parts) == 3 and parts[:2] == ["payer", "total"]:
            ref = (parts[2], TOTAL)  # an amount's years added up: its line's Total
        elif len(parts) == 3 and parts[0] == "payer" and parts[2].isdigit():
            ref = (parts[1], parts[2])
        if ref is not None:
            line = first.line(ref[0])
            value = line.values.get(ref[1])
            formula = f"{{#0:{ref[0]}@{ref[1]}}}"
            if line.total_unit is not None and ref[1] == TOTAL and line.formulas.get(TOTAL):
                # an amount's years added up: the Total's own formula over the year cells,
                # so that the check reads as an amount (USD), which a reference to a cell
                # in a row of amounts a year (USD/year) would not
                formula = _in_block(line.formulas[TOTAL] or "", 0)
            if value is not None:
                out.refs[check.label] = (formula, value, line.unit_in(ref[1]))
        elif len(parts) == 3 and parts[0] == "scenario" and parts[2] == "capex":
            names = capex_names[int(parts[1]) - 1]
            out.refs[check.label] = (
                "+".join(names),
                sum(book.named(x).value for x in names),
                "USD",
            )
    return out


def _in_block(template: str, block: int) -> str:
    """A block's formula, its ``{line@column}`` references made references into ``block``
    (``{#block:line@column}``), to be written on another sheet."""
    return re.sub(
        r"\{(?!#)(\w+)(@[^}]+)?\}", lambda m: f"{{#{block}:{m[1]}{m[2] or ''}}}", template
    )


# deepseek-inference-day: each input in one unit, so that the formulas' conversions are fixed
_DAY_UNITS = {
    "gpus_per_node": "GPU/node",
    "average_nodes": "node",
    "peak_nodes": "node",
    "price": "USD/GPU/hour",
    "input_tokens": "token",
    "cache_hit_tokens": "token",
    "output_tokens": "token",
    "price_cache_hit": "USD/Mtoken",
    "price_cache_miss": "USD/Mtoken",
    "price_output": "USD/Mtoken",
    "prefill_per_node": "token/s/node",
    "decode_per_node": "token/s/node",
    "output_speed_per_stream": "token/s",
    "kv_length": "token",
    "active_params": "",
    "total_params": "",
    "bytes_per_param": "byte",
    "kv_bytes_per_token": "byte",
    "decode_unit_gpus": "GPU",
    "scaleout_bandwidth": "TB/s",
    "comm_overlap": "",
}

# output: (label, unit, formula, how) — the runner's steps (cases/workload_cases.py)
_DAY_LINES = [
    (
        "cost",
        "Cost of the day at the rental price",
        "USD",
        "average_nodes*gpus_per_node*HD*price",
        "average nodes x GPUs per node x 24 h x price",
    ),
    (
        "revenue",
        "Revenue at R1 prices",
        "USD",
        "(cache_hit_tokens*price_cache_hit+(input_tokens-cache_hit_tokens)*price_cache_miss"
        "+output_tokens*price_output)/M",
        "cache hits, misses and output tokens at their prices",
    ),
    (
        "margin",
        "Margin on cost (revenue − cost) / cost",
        "",
        "({revenue}-{cost})/{cost}",
        "the cost-profit margin DeepSeek reports",
    ),
    (
        "nodes_from_throughput",
        "Average nodes implied by the per-node throughputs",
        "node",
        "(input_tokens/prefill_per_node*gpus_per_node/SH+output_tokens/decode_per_node"
        "*gpus_per_node/SH)/gpus_per_node/HD",
        "prefill and decode GPU-hours from the published throughputs, over 24 hours",
    ),
    (
        "owned_price",
        "Owned cost per H800-hour (fleet model)",
        "USD/GPU/hour",
        "{#0:cost_per_gpu_hour@Total}",
        "the served fleet's cost per GPU-hour (its own sheet)",
    ),
    (
        "owned_cost",
        "Cost of the day at the owned price",
        "USD",
        "average_nodes*gpus_per_node*HD*{owned_price}",
        "the same GPU-hours at the owned price",
    ),
    (
        "owned_cost_peak_fleet",
        "Cost of the day owning the peak nodes all day",
        "USD",
        "{#0:tco_per_year@Total}/DY",
        "the served fleet's TCO per year, for one day",
    ),
    (
        "owned_margin",
        "Margin on the owned cost",
        "",
        "({revenue}-{owned_cost})/{owned_cost}",
        "(revenue − owned cost) / owned cost",
    ),
    (
        "cost_per_m_input_rental",
        "Cost per million input tokens (rental)",
        "USD/Mtoken",
        "input_tokens/prefill_per_node*gpus_per_node/SH*price/input_tokens*M",
        "prefill GPU-hours x price / input tokens",
    ),
    (
        "cost_per_m_output_rental",
        "Cost per million output tokens (rental)",
        "USD/Mtoken",
        "output_tokens/decode_per_node*gpus_per_node/SH*price/output_tokens*M",
        "decode GPU-hours x price / output tokens",
    ),
    (
        "cost_per_m_input_owned",
        "Cost per million input tokens (owned)",
        "USD/Mtoken",
        "input_tokens/prefill_per_node*gpus_per_node/SH*{owned_price}/input_tokens*M",
        "prefill GPU-hours x owned price / input tokens",
    ),
    (
        "cost_per_m_output_owned",
        "Cost per million output tokens (owned)",
        "USD/Mtoken",
        "output_tokens/decode_per_node*gpus_per_node/SH*{owned_price}/output_tokens*M",
        "decode GPU-hours x owned price / output tokens",
    ),
    (
        "prefill_roofline",
        "Prefill roofline per node",
        "token/s/node",
        "PEAK*T*gpus_per_node/(F*active_params)/((input_tokens-cache_hit_tokens)/input_tokens)",
        "8 x dense peak / (2 x active params) per computed token; cache hits free",
    ),
    (
        "decode_roofline_uniform",
        "Decode roofline per node, weights spread evenly (earlier model)",
        "token/s/node",
        None,
        "a decode step reads the unit's weights and every stream's KV cache at full bandwidth "
        "(or is compute-bound), concurrency from the published speeds (models/inference.py, "
        "parameter counts only)",
    ),
    (
        "decode_roofline",
        "Decode roofline per node (architecture and placement)",
        "token/s/node",
        None,
        "each GPU reads its own attention, dense and shared-expert weights, its share of the "
        "distinct experts E(1-(1-k/E)^B) and its streams' KV cache at full bandwidth, does its "
        "FLOPs at peak, and runs the expert all-to-all beside them (models/inference.py, with "
        "the architecture)",
    ),
]


def inference_day_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """deepseek-inference-day: the day's cost, revenue and margin, the owned price from the
    served fleet (its own block), and the roofline, as formulas of the published inputs."""
    out = CaseBlocks()
    fleet = result.outputs["served_fleet"]
    out.blocks.append(block_for(fleet, book, fleet.name or "Served fleet"))
    raw = _case_inputs(result)
    names: dict[str, str] = {}
    for key, unit in _DAY_UNITS.items():
        given = raw[key]
        value = given.get("value") if isinstance(given, dict) else given
        extra = given if isinstance(given, dict) else {}
        names[key] = book.add(
            f"case.{key}",
            key,
            key.replace("_", " ").capitalize(),
            value=q(value).to(unit) if unit else q(value).to(""),
            raw=value,
            source=extra.get("source"),
            note=extra.get("note"),
        ).name
    c = find(str(raw.get("chip", "H800")))
    precision = str(raw.get("precision", "fp8_dense"))
    for key, spec, unit in (("peak", precision, "TFLOP/s"), ("bandwidth", "hbm_bandwidth", "TB/s")):
        f = c.field(spec)
        names[key] = book.add(
            f"catalog.{c.id}.{spec}",
            f"{key}_{c.id}",
            f"{c.id}: {spec.replace('_', ' ')}",
            value=c.spec(spec).to(unit),
            raw=f.value,
            source=f"flopbook catalog, {c.id}: {f.source} (as of {f.as_of})",
            note=f.note,
        ).name
    k = book.constant
    batch = (
        f"({names['decode_per_node']}/{names['gpus_per_node']}"
        f"*{names['decode_unit_gpus']}/{names['output_speed_per_stream']})"
    )
    swaps = {
        "HD": k("hours_per_day"),
        "SH": k("seconds_per_hour"),
        "M": k("tokens_per_Mtoken"),
        "DY": k("days_per_year"),
        "T": k("FLOP_per_TFLOP"),
        "TB": k("bytes_per_TB"),
        "F": k("forward_FLOP_per_param_token"),
        "PEAK": names["peak"],
        "BW": names["bandwidth"],
        "BATCH": batch,
        **names,
    }
    word = re.compile(r"(?<![{@:#\w])([A-Za-z_]\w*)(?![\w(])")
    declared = _declared_rooflines(raw, c, book, names, batch)
    lines = []
    for key, label, unit, template, how in _DAY_LINES:
        if template is None:
            formula = declared[key]
        else:
            formula = word.sub(lambda m: swaps.get(m.group(1), m.group(1)), template)
        value = float(magnitudes(result.outputs[key], unit or None)[0])
        lines.append(
            Line(
                key,
                label,
                unit,
                "single",
                how,
                {VALUE: formula},
                {VALUE: value},
                {VALUE: None},
                percent=unit == "",
            )
        )
    out.blocks.append(
        Block(
            "The published day, re-costed",
            [VALUE],
            lines,
            [ln.key for ln in lines],
            [
                "Decode concurrency = decode tokens/s per node / GPUs per node x "
                "GPUs per decode unit / tokens/s per stream (inline in the "
                "roofline)."
            ],
            engine=result.outputs,
        )
    )
    models = _check_models(result, WorkloadCaseFile) or []
    by_key = {ln.key: ln for ln in lines}
    for check, model in zip(result.checks, models, strict=False):
        if model in by_key:
            ln = by_key[model]
            out.refs[check.label] = (f"{{#1:{model}@{VALUE}}}", ln.values[VALUE] or 0.0, ln.unit)
    return out


def _declared_rooflines(
    raw: dict[str, Any], c: Any, book: InputBook, names: dict[str, str], batch: str
) -> dict[str, str]:
    """The two decode rooflines as the inference declaration's own workbook formulas
    (models/inference.py): with the weights spread evenly, and from the architecture with
    DeepSeek's placement (tp 1: data-parallel attention, expert-parallel experts), every
    GPU at its peak rates."""
    model = raw["model"]
    p = preset(str(model.get("value") if isinstance(model, dict) else model))
    tp = raw.get("decode_tp", 1)
    if (tp.get("value") if isinstance(tp, dict) else tp) != 1:
        raise InputError(
            "the workbook's decode roofline is written for decode_tp: 1",
            field="decode_tp",
            hint="use decode_tp: 1 (DeepSeek's placement)",
        )
    units = ureg()
    gpus = int(round(float(q(_value_of(raw["decode_unit_gpus"])).to("GPU").magnitude.mean())))
    domain = float(q(_value_of(raw["gpus_per_node"])).to("GPU/node").magnitude.mean())
    refs: dict[str, Ref] = {}
    src = f"flopbook preset {p.id} ({p.file}), placed on {gpus} GPUs (tp 1)"
    for n, v in architecture_inputs(p.architecture, Placement(gpus, 1), domain).items():
        unit = ARCHITECTURE_UNITS.get(n, "")
        row = book.add(
            f"architecture.{p.id}.{gpus}.{n}",
            n,
            f"{p.name}: {ARCHITECTURE_INPUTS[n].label}",
            value=Quantity(v, unit),
            raw=v,
            source=src,
        )
        refs[n] = Ref(row.name, units.Unit(unit))
    for n, value, label, source in (
        ("mfu", 1.0, "Share of peak FLOP/s (the roofline)", "the roofline: every GPU at peak"),
        ("mbu", 1.0, "Share of HBM bandwidth (the roofline)", "the roofline: full bandwidth"),
        ("comm_latency", 0.0, "Latency per collective (the roofline)", "the roofline: none"),
        (
            "routing_imbalance",
            1.0,
            "Routing imbalance",
            "uniform routing (DeepSeek balances its expert load: EPLB)",
        ),
        ("pp", 1.0, "Pipeline stages", "DeepSeek's placement: none"),
    ):
        row = book.add(
            f"roofline.{n}",
            f"roofline_{n}",
            label,
            value=Quantity(value, ""),
            raw=value,
            source=source,
        )
        refs[n] = Ref(row.name, units.Unit("us" if n == "comm_latency" else ""))
    f = c.field("scaleup_bandwidth")
    scaleup = book.add(
        f"catalog.{c.id}.scaleup_bandwidth",
        f"scaleup_{c.id}",
        f"{c.id}: scaleup bandwidth",
        value=c.spec("scaleup_bandwidth").to("TB/s"),
        raw=f.value,
        source=f"flopbook catalog, {c.id}: {f.source} (as of {f.as_of})",
        note=f.note,
    ).name
    given = {
        "params": ("active_params", ""),
        "total_params": ("total_params", ""),
        "bytes_per_param": ("bytes_per_param", "byte"),
        "kv_bytes_per_token": ("kv_bytes_per_token", "byte"),
        "context": ("kv_length", "token"),
        "gpus": ("decode_unit_gpus", "GPU"),
        "scaleout_bandwidth": ("scaleout_bandwidth", "TB/s"),
        "comm_overlap": ("comm_overlap", ""),
        "peak": ("peak", "TFLOP/s"),
        "bandwidth": ("bandwidth", "TB/s"),
    }
    refs |= {n: Ref(names[key], units.Unit(unit)) for n, (key, unit) in given.items()}
    refs["scaleup_bandwidth"] = Ref(scaleup, units.Unit("TB/s"))
    refs["batch"] = Ref(batch, units.Unit(""))

    def rate(inputs: list[str]) -> str:
        chosen = {n: refs[n] for n in inputs}
        text = excel_formula(
            INFERENCE,
            "decode_rate",
            Form(frozenset(chosen)),
            chosen,
            {},
            constant=lambda n: book.kind_constant(INFERENCE.constant[n]),
        )
        assert text is not None, "the roofline has every input it reads"
        for name in CONVERSIONS:  # each conversion a formula uses has its named row
            if re.search(rf"\b{name}\b", text):
                book.constant(name)
        return f"({text})*{names['gpus_per_node']}"

    # parameter counts only (the weights spread evenly), as cases/workload_cases.py runs it
    spread = ["params", "total_params", "bytes_per_param", "kv_bytes_per_token", "context"]
    spread += ["gpus", "peak", "bandwidth", "mfu", "mbu", "batch"]
    return {
        "decode_roofline_uniform": rate(spread),
        "decode_roofline": rate([n for n in refs if n not in ("params", "total_params")]),
    }


def _value_of(given: Any) -> Any:
    return given.get("value") if isinstance(given, dict) else given


# case kind -> the function that makes its blocks
CASE_BLOCKS = {
    "training-run": training_case,
    "funding": funding_case,
    "inference-day": inference_day_case,
}


def cost_per_flop_case(result: CaseResult, book: InputBook) -> CaseBlocks:
    """china-cost-per-flop: each chip's cost per FLOP over the reference's, and the price that
    makes the claimed multiple hold, as formulas of the prices and peaks. A price the fleet
    model derives (owned) enters as a value with that note; its formulas are the fleet's."""
    raw = _case_inputs(result)
    spec = _document_spec(result, WorkloadCaseFile)
    reference = str(raw.get("reference", "H100"))
    chips = [str(x) for x in raw.get("chips", [])]
    precision = str(raw.get("precision", "bf16"))
    claimed_raw = raw["claimed_multiple"]
    claimed = book.add(
        "case.claimed_multiple",
        "claimed_multiple",
        "The claimed multiple",
        value=_plain(claimed_raw),
        raw=None,
        source=claimed_raw.get("source") if isinstance(claimed_raw, dict) else None,
    ).name
    columns: list[str] = []
    inputs: dict[str, dict[str, str]] = {}
    engine: dict[str, dict[str, Any]] = {}
    sampled = False
    for i, sc in enumerate(spec.scenarios, start=1):
        cmp = compare(
            [reference, *chips], prices=sc.prices, precision=precision, price_kind=sc.price_kind
        )
        ref = cmp.row(reference)
        for name in chips:
            row = cmp.row(name)
            key = f"{i}.{row.chip}"
            if f"ratio.{key}" not in result.outputs or ref.price is None or row.price is None:
                continue
            unit = "USD/GPU/hour" if row.hourly else "USD/GPU"
            names = {}
            for who, r in (("ref", ref), ("chip", row)):
                names[f"{who}_price"] = book.add(
                    f"case.scenario{i}.{r.chip}.price",
                    f"price_{i}_{r.chip}",
                    f"{r.chip}: price ({sc.label})",
                    value=r.price.to(unit),
                    source=r.price_source,
                    note=(
                        "a value: the owned cost per GPU-hour from the fleet model (catalog "
                        "price, default assumptions)"
                        if sc.price_kind == "owned"
                        else None
                    ),
                ).name
                f = find(r.chip)
                spec_name = {"bf16": "bf16_dense", "fp8": "fp8_dense"}.get(precision, precision)
                names[f"{who}_peak"] = book.add(
                    f"catalog.{r.chip}.{spec_name}",
                    f"peak_{r.chip}",
                    f"{r.chip}: dense {precision.upper()} peak",
                    value=r.peak.to("TFLOP/s"),
                    source=f"flopbook catalog, {r.chip}: {f.field(spec_name).source}",
                ).name
            names["unit"] = unit
            columns.append(key)
            inputs[key] = names
            # the engine at the values the workbook uses (a sampled price at its median)

            sampled = sampled or not (is_point(ref.price) and is_point(row.price))
            at = {
                ref.chip: Quantity(book.named(names["ref_price"]).value, unit),
                row.chip: Quantity(book.named(names["chip_price"]).value, unit),
            }
            point = compare(
                [reference, name], prices=at, precision=precision, price_kind=sc.price_kind
            )
            target = (
                float(book.named(claimed).value)
                * point.row(reference).cost_per_pflop
                * point.row(name).peak
                / ureg().GPU
            ).to(unit)
            back = compare(
                [reference, name],
                prices={**at, row.chip: target},
                precision=precision,
                price_kind=sc.price_kind,
            )
            engine[key] = {
                "ratio": point.ratio(name),
                "break_even": target,
                "ratio_at_break_even": back.ratio(name),
            }

    def number(x: Any) -> float:
        return float(x) if isinstance(x, int | float) else float(magnitudes(x)[0])

    lines = []
    for key, label, unit, doc in (
        (
            "ratio",
            "Cost per FLOP over the reference's",
            "",
            "(price / peak) / (reference price / reference peak)",
        ),
        (
            "break_even",
            "Price that makes the claimed multiple hold",
            "",
            "claimed multiple x reference price / reference peak x peak",
        ),
        (
            "ratio_at_break_even",
            "Cost per FLOP at that price (solver check)",
            "",
            "(break-even price / peak) / (reference price / reference peak)",
        ),
    ):
        formulas: dict[str, str | None] = {}
        vals: dict[str, float | None] = {}
        for c in columns:
            n = inputs[c]
            per_ref = f"({n['ref_price']}/{n['ref_peak']})"
            # the chip's cost per FLOP over the reference's: the comparison's own formula
            price, peak = ureg().Unit(n["unit"]), ureg().Unit("TFLOP/s")
            refs = {
                "price": Ref(n["chip_price"], price),
                "peak": Ref(n["chip_peak"], peak),
                "reference_price": Ref(n["ref_price"], price),
                "reference_peak": Ref(n["ref_peak"], peak),
            }
            form = Form(frozenset(refs))
            formulas[c] = {
                "ratio": excel_formula(COMPARE, "relative_cost", form, refs),
                "break_even": f"{claimed}*{per_ref}*{n['chip_peak']}",
                "ratio_at_break_even": excel_formula(
                    COMPARE, "relative_cost", form, {**refs, "price": Ref("{break_even}", price)}
                ),
            }[key]
            vals[c] = number(engine[c][key])
        lines.append(
            Line(key, label, unit, "single", doc, formulas, vals, {c: None for c in columns})
        )
    out = CaseBlocks(
        [
            Block(
                "Cost per FLOP against the reference",
                columns,
                lines,
                [ln.key for ln in lines],
                [
                    "Columns: scenario number and chip. Break-even prices are in the "
                    "unit of the reference's price."
                ],
                sampled=sampled,
            )
        ]
    )
    models = _check_models(result, WorkloadCaseFile) or []
    for check, model in zip(result.checks, models, strict=False):
        kind, _, col = model.partition(".")
        if kind in ("ratio", "ratio_at_break_even") and col in columns:
            ln = lines[0] if kind == "ratio" else lines[2]
            out.refs[check.label] = (f"{{#0:{kind}@{col}}}", ln.values[col] or 0.0, "")
    return out


def _plain(raw: Any) -> Any:
    value = raw.get("value") if isinstance(raw, dict) else raw
    return q(value).to("")


def _document_spec(result: CaseResult, model: type) -> Any:
    info = next(c for c in cases() if c.name == result.name)
    return document(info).validate(model)


CASE_BLOCKS["cost-per-flop"] = cost_per_flop_case
VALUE_REASONS.pop("cost-per-flop", None)
