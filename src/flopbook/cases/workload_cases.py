"""Runners for workload cases: a training run's cost and implied MFU, a published day of
inference re-costed, claims checked against unit expressions, and cost per FLOP across chips.

Each case file lists its inputs (every one with a source or marked as an assumption) and its
checks: a published figure, the name of the model output it is held against, the source and
the tolerance (``null``: shown as a comparison, not a test).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from flopbook.cases.result import CaseResult, Check, Figure, Grid, Source
from flopbook.cases.spec import CaseFileBase, CheckMeta
from flopbook.catalog import chip as find
from flopbook.claims import ClaimSpec, DefinedValue, check_claims, defined_values
from flopbook.errors import InputError
from flopbook.models.architecture import preset
from flopbook.models.compare import compare
from flopbook.models.fleet import Fleet, Sku
from flopbook.models.serving import ARCHITECTURE_UNITS, declared
from flopbook.models.transformer import Placement, architecture_inputs
from flopbook.models.workload import Training, margin
from flopbook.numbers import quantity_text
from flopbook.quantity import Quantity, magnitudes, q, registry, summarize
from flopbook.workload_file import validate

if TYPE_CHECKING:
    import pint

    from flopbook.scenario import Document


class CheckSpec(CheckMeta):
    model_config = ConfigDict(extra="forbid")
    label: str
    published: str | float | int  # a quantity, e.g. "5.576M USD"
    model: str  # a key of the runner's outputs
    source: str
    tolerance: str | None = "3%"
    derived: bool = False
    note: str | None = None


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    price_kind: str = "owned"
    prices: dict[str, str] = Field(default_factory=dict)
    source: str | None = None
    note: str | None = None


class WorkloadCaseFile(CaseFileBase):
    inputs: dict[str, Any] = Field(default_factory=dict)
    define: dict[str, str | float | int | DefinedValue] = Field(default_factory=dict)
    claims: list[ClaimSpec] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    checks: list[CheckSpec] = Field(default_factory=list)


# ---- shared ----------------------------------------------------------------------------

_Shape = TypeVar("_Shape", bound=WorkloadCaseFile)


def _load(
    doc: Document,
    shape: type[_Shape] = WorkloadCaseFile,
) -> tuple[_Shape, dict[str, Source]]:
    """The case file read in ``shape``, with every check's source a key of its sources."""
    spec = validate(doc, shape)
    sources = spec.source_map()
    for i, c in enumerate(spec.checks):
        if c.source not in sources:
            raise doc.error(
                InputError(f"unknown source {c.source!r}", hint="use a key of sources:"),
                ("checks", i, "source"),
            )
    return spec, sources


def _value(raw: Any) -> Any:
    return raw.get("value") if isinstance(raw, dict) else raw


def _q(doc: Document, key: str, unit: str | None = None) -> pint.Quantity:
    """An input of the case file as a quantity, errors located at its line."""
    raw = doc.data.get("inputs", {}).get(key)
    if raw is None:
        raise doc.error(InputError(f"missing input {key!r}"), ("inputs",))
    try:
        return q(_value(raw), unit, key=f"case.{key}")
    except InputError as exc:
        raise doc.error(InputError(exc.message, hint=exc.hint), ("inputs", key)) from None


def _mean(x: pint.Quantity, unit: str) -> float:
    return float(magnitudes(x, unit).mean())


def _checks(
    spec: WorkloadCaseFile, sources: dict[str, Source], outputs: dict[str, Any], doc: Document
) -> list[Check]:
    out = []
    for i, c in enumerate(spec.checks):
        try:
            published = q(c.published) if isinstance(c.published, str) else q(float(c.published))
        except InputError as exc:
            raise doc.error(exc, ("checks", i, "published")) from None
        if c.model not in outputs:
            raise doc.error(
                InputError(
                    f"no model output {c.model!r}", hint="outputs: " + ", ".join(sorted(outputs))
                ),
                ("checks", i, "model"),
            )
        unit = f"{published.units:~P}"
        model = outputs[c.model]
        try:
            value = _mean(model, unit) if hasattr(model, "units") else float(model)
        except Exception:
            raise doc.error(
                InputError(
                    f"the model's {c.model} is {model.units:~P}, the published figure {unit}"
                ),
                ("checks", i, "published"),
            ) from None
        tol = None if c.tolerance is None else float(q(c.tolerance).to("").magnitude[0])
        out.append(
            Check(
                c.label,
                float(published.magnitude[0]),
                value,
                unit,
                sources[c.source],
                tol,
                c.derived,
                c.note,
                c.category,
                c.tolerance_reason,
            )
        )
    return out


def _cell(x: Any, unit: str | None = None) -> str:
    share = hasattr(x, "dimensionless") and x.dimensionless
    text = quantity_text(x, unit, share=share)
    if not hasattr(x, "units"):
        return text
    return Figure(text, summarize(x, unit).as_dict())


def _worked(expression: str, x: Any) -> str:
    """A claim's cell, ``H100.tdp = 700 W``: in JSON its figure as data, with the expression
    beside it (the cell was text, so its 700 W was no number)."""
    shown = _cell(x)
    text = f"{expression} = {shown}"
    if isinstance(shown, Figure):
        return Figure(text, {**shown.data, "expression": expression})
    return text


def _result(spec: WorkloadCaseFile, sources: dict[str, Source]) -> CaseResult:
    return CaseResult(
        spec.name, spec.title, spec.summary.strip(), list(sources.values()), notes=spec.notes
    )


# ---- deepseek-v3-training ----------------------------------------------------------------


def run_training_case(doc: Document) -> CaseResult:
    """A training run's cost, and the MFU its reported GPU-hours imply at each precision."""
    spec, sources = _load(doc)
    ins = {k: v for k, v in spec.inputs.items() if k != "precisions"}
    precisions = spec.inputs.get("precisions", ["bf16", "fp8"])
    outputs: dict[str, Any] = {}
    grid = Grid(
        "What the reported GPU-hours imply",
        ["value", "formula"],
        [],
        caption="MFU = 6·N·D / (GPU-hours × dense peak); attention FLOPs and "
        "recomputation are not counted, so true hardware utilisation is higher.",
    )
    try:
        for p in precisions:
            r = Training(**ins, precision=p).run()
            outputs[f"mfu_{p}"] = r.get("mfu")
            # the solver run backwards: the implied MFU must give back the GPU-hours
            back = Training(
                **{k: v for k, v in ins.items() if k != "gpu_hours"}, mfu=r.get("mfu"), precision=p
            ).run()
            outputs[f"gpu_hours_from_mfu_{p}"] = back.get("gpu_hours")
            grid.rows.append(
                (
                    f"Implied MFU at {p.upper()} dense peak ({_cell(r.get('peak'))})",
                    "",
                    [_cell(r.get("mfu")), "FLOPs / (GPU-hours × peak)"],
                )
            )
        for key in ("flops", "gpu_hours", "cost", "wall_clock", "energy"):
            if r.has(key):
                outputs[key] = r.get(key)
                row = next(x for x in r.rows if x.key == key)
                grid.rows.insert(
                    len(grid.rows) - len(precisions) if key == "flops" else len(grid.rows),
                    (row.label, "", [_cell(row.value, row.unit), row.formula]),
                )
    except InputError as exc:
        field = (exc.field or "").split(".")[0]
        raise doc.error(InputError(exc.message, hint=exc.hint), ("inputs", field)) from None
    out = _result(spec, sources)
    out.outputs = outputs
    out.grids = [grid]
    out.checks = _checks(spec, sources, outputs, doc)
    return out


# ---- deepseek-inference-day --------------------------------------------------------------


def run_inference_day(doc: Document) -> CaseResult:
    """A published day of serving: cost, revenue and margin reproduced, then re-costed with
    the fleet model's own cost per GPU-hour, and the throughput set against the roofline."""
    u = registry()
    spec, sources = _load(doc)
    c = find(str(_value(spec.inputs.get("chip", "H800"))))
    per_node = _q(doc, "gpus_per_node", "GPU/node")
    avg_nodes, peak_nodes = _q(doc, "average_nodes", "node"), _q(doc, "peak_nodes", "node")
    rental = _q(doc, "price", "USD/GPU/hour")
    day = u.Quantity(1, "day")
    tin, hit, tout = (
        _q(doc, k, "token") for k in ("input_tokens", "cache_hit_tokens", "output_tokens")
    )
    p_hit, p_miss, p_out = (
        _q(doc, k, "USD/Mtoken") for k in ("price_cache_hit", "price_cache_miss", "price_output")
    )
    gpu_hours = (avg_nodes * per_node * day).to("GPU*hour")
    cost = (gpu_hours * rental).to("USD")
    revenue = (hit * p_hit + (tin - hit) * p_miss + tout * p_out).to("USD")
    outputs: dict[str, Any] = {
        "cost": cost,
        "revenue": revenue,
        "margin": margin(revenue, cost),
        "gpu_hours": gpu_hours,
    }

    # GPU time split by phase from the published per-node throughputs
    prefill_node, decode_node = (
        _q(doc, "prefill_per_node", "token/s/node"),
        _q(doc, "decode_per_node", "token/s/node"),
    )
    prefill_hours = (tin / prefill_node * per_node).to("GPU*hour")
    decode_hours = (tout / decode_node * per_node).to("GPU*hour")
    outputs["nodes_from_throughput"] = ((prefill_hours + decode_hours) / per_node / day).to("node")

    # the owned cost per H800-hour: the fleet model, default assumptions, on the served fleet
    # a case may fix the server price (and say why); otherwise the catalog's latest
    server = (
        _q(doc, "server_cost_per_gpu", "USD/GPU")
        if "server_cost_per_gpu" in spec.inputs
        else c.price("server_per_gpu")
    )
    fleet = Fleet(
        [Sku(c.id, count=(peak_nodes * per_node).to("GPU"), server_cost_per_gpu=server)],
        name=f"served fleet: peak nodes x {_mean(per_node, 'GPU/node'):g} {c.id}",
    )
    owned = fleet.run().get("cost_per_gpu_hour")
    outputs["owned_price"] = owned
    outputs["served_fleet"] = fleet.run()  # the fleet behind the owned price, for reports
    outputs["owned_cost"] = (gpu_hours * owned).to("USD")
    outputs["owned_cost_peak_fleet"] = (fleet.run().get("tco_per_year") * day).to("USD")
    outputs["owned_margin"] = margin(revenue, outputs["owned_cost"])
    for name, price in (("rental", rental), ("owned", owned)):
        outputs[f"cost_per_m_output_{name}"] = (decode_hours * price / tout).to("USD/Mtoken")
        outputs[f"cost_per_m_input_{name}"] = (prefill_hours * price / tin).to("USD/Mtoken")

    # roofline per node, each phase at 100% of peak (FP8 compute, HBM bandwidth)
    params = _q(doc, "active_params", "")
    per_token = Quantity(
        declared({"params": params}, ["flops_per_token"])["flops_per_token"], "FLOP/token"
    )
    peak = c.spec(str(_value(spec.inputs.get("precision", "fp8_dense"))))
    miss_share = ((tin - hit) / tin).to("")
    prefill_roof = (peak * per_node / u.GPU / per_token / miss_share).to("token/s/node")
    stream = _q(doc, "output_speed_per_stream", "token/s")
    unit_gpus = _q(doc, "decode_unit_gpus", "GPU")
    batch = (decode_node / per_node * unit_gpus / stream).to("")
    one = u.Quantity(1.0, "")
    bandwidth = c.spec("hbm_bandwidth")
    if peak is None or bandwidth is None:
        raise InputError(
            f"the catalog has no peak or HBM bandwidth for {c.id}",
            field="chip",
            hint="choose a chip with both (see `flopbook catalog`)",
        )
    # the inference declaration with the weights spread evenly (models/inference.py)
    uniform = declared(
        {
            "params": params,
            "total_params": _q(doc, "total_params", ""),
            "bytes_per_param": _q(doc, "bytes_per_param", "byte"),
            "kv_bytes_per_token": _q(doc, "kv_bytes_per_token", "byte"),
            "context": _q(doc, "kv_length", "token"),
            "batch": batch,
            "gpus": unit_gpus,
            "bandwidth": bandwidth,
            "mbu": one,
            "peak": peak,
            "mfu": one,
        },
        ["decode_rate", "t_memory", "t_compute"],
    )
    decode_gpu = Quantity(uniform["decode_rate"], "token/s/GPU")
    t_memory, t_compute = np.broadcast_arrays(uniform["t_memory"], uniform["t_compute"])
    bound = "memory" if np.mean(t_memory >= t_compute) >= 0.5 else "compute"
    outputs["prefill_roofline"] = prefill_roof
    outputs["decode_roofline_uniform"] = (decode_gpu * per_node).to("token/s/node")
    outputs["decode_roofline"] = outputs["decode_roofline_uniform"]
    if "model" in spec.inputs:
        outputs.update(_expert_parallel_roofline(doc, spec, c, batch, unit_gpus, per_node))
        bound = outputs.pop("decode_bound")
    out = _result(spec, sources)
    out.outputs = outputs
    grid = Grid(
        "The day re-costed and set against the roofline",
        ["at $2 rental", "owned (fleet model)"],
        [],
        caption=f"Owned: {fleet.name}, server cost {_cell(server)}"
        + (" (the case's input)" if "server_cost_per_gpu" in spec.inputs else " (catalog)")
        + ", every "
        "other assumption the fleet model's default. '(average nodes)' bills the same "
        "average GPU-hours as the rental figure; '(owning the peak nodes all day)' pays "
        "for every node the day needed at its peak. GPU time is split between prefill "
        "and decode by the published per-node throughputs.",
    )
    grid.rows += [
        ("Price per H800-hour", "", [_cell(rental), _cell(owned)]),
        ("Cost of the day (average nodes)", "", [_cell(cost), _cell(outputs["owned_cost"])]),
        (
            "Cost of the day (owning the peak nodes all day)",
            "",
            ["—", _cell(outputs["owned_cost_peak_fleet"])],
        ),
        (
            "Margin on cost (revenue − cost) / cost",
            "",
            [_cell(outputs["margin"]), _cell(outputs["owned_margin"])],
        ),
        (
            "Cost per million input tokens",
            "",
            [_cell(outputs["cost_per_m_input_rental"]), _cell(outputs["cost_per_m_input_owned"])],
        ),
        (
            "Cost per million output tokens",
            "",
            [_cell(outputs["cost_per_m_output_rental"]), _cell(outputs["cost_per_m_output_owned"])],
        ),
    ]
    roof = Grid(
        f"Per-node throughput against the {c.id} roofline",
        ["published", "roofline", "share"],
        [],
        caption=f"Prefill: 8 × {c.id} dense peak / (2 × active params) per computed "
        "token, cache hits free. Decode: each step reads the FP8 weights of a decode "
        f"unit and every sequence's KV cache at full HBM bandwidth ({bound}-bound); "
        "concurrency from the published per-node and per-stream speeds.",
    )
    rows = [
        ("Prefill input tokens/s per node", prefill_node, prefill_roof),
        ("Decode output tokens/s per node", decode_node, outputs["decode_roofline"]),
    ]
    if "model" in spec.inputs:
        rows.append(
            (
                "Decode, all weights spread evenly over the unit (before)",
                decode_node,
                outputs["decode_roofline_uniform"],
            )
        )
    for label, pub, model in rows:
        share = _mean(pub, "token/s/node") / _mean(model, "token/s/node")
        roof.rows.append((label, "", [_cell(pub), _cell(model), f"{share:.0%}"]))
    if "model" in spec.inputs:
        roof.caption = (
            f"Prefill: 8 × {c.id} dense peak / (2 × active params) per computed token, cache "
            "hits free. Decode, from the DeepSeek-V3 architecture as DeepSeek deploys it: "
            "attention, dense layers and the shared expert copied on every GPU of the "
            f"{_mean(unit_gpus, 'GPU'):g}-GPU unit (data-parallel), the routed experts spread "
            "over it (expert-parallel); each step reads each GPU's copy, its share of the "
            "experts the step uses and its sequences' KV cache at full HBM bandwidth, does its "
            "FLOPs at dense FP8 peak, and runs its all-to-all beside them as DeepSeek's dual "
            f"micro-batches do; the longest of the three sets the step ({bound}-bound). "
            "Concurrency from the published per-node and per-stream speeds."
        )
    out.grids = [grid, roof]
    out.checks = _checks(spec, sources, outputs, doc)
    return out


def _expert_parallel_roofline(
    doc: Document,
    spec: WorkloadCaseFile,
    c: Any,
    batch: pint.Quantity,
    unit_gpus: pint.Quantity,
    per_node: pint.Quantity,
) -> dict[str, Any]:
    """Decode per node at 100% of peak rates, from the architecture and the published
    placement (data-parallel attention, expert-parallel routed experts)."""
    arch = preset(str(_value(spec.inputs["model"]))).architecture
    gpus = int(round(_mean(unit_gpus, "GPU")))
    tp = int(round(_mean(_q(doc, "decode_tp", ""), ""))) if "decode_tp" in spec.inputs else 1
    peak = c.spec(str(_value(spec.inputs.get("precision", "fp8_dense"))))
    domain = _mean(per_node, "GPU/node")
    values = {
        n: Quantity(v, ARCHITECTURE_UNITS.get(n, ""))
        for n, v in architecture_inputs(arch, Placement(gpus, tp), domain).items()
    } | {
        "peak": peak,
        "bandwidth": c.spec("hbm_bandwidth"),
        "mfu": Quantity(1.0, ""),
        "mbu": Quantity(1.0, ""),
        "scaleup_bandwidth": c.spec("scaleup_bandwidth"),
        "scaleout_bandwidth": _q(doc, "scaleout_bandwidth", "GB/s"),
        "comm_latency": Quantity(0.0, "s"),
        "comm_overlap": _q(doc, "comm_overlap", ""),
        "routing_imbalance": Quantity(1.0, ""),  # uniform routing
        "batch": batch.to(""),
        "gpus": Quantity(float(gpus), "GPU"),
        "pp": Quantity(1.0, ""),
        "context": _q(doc, "kv_length", "token"),
        "bytes_per_param": _q(doc, "bytes_per_param", "byte"),
        "kv_bytes_per_token": _q(doc, "kv_bytes_per_token", "byte"),
    }
    # the inference declaration's own decode step (models/inference.py)
    keys = ["decode_step", "step_bytes", "weights_read", "comm_time", "t_memory", "t_compute"]
    step = declared(values, keys)
    times = {
        "memory": step["t_memory"],
        "compute": step["t_compute"],
        "communication": Quantity(step["comm_time"], "ms").to("s").magnitude,
    }
    longest = np.argmax(np.stack(np.broadcast_arrays(*times.values())), axis=0)
    bound = list(times)[int(np.bincount(np.ravel(longest), minlength=3).argmax())]
    per_gpu = Quantity(magnitudes(batch, "") / step["decode_step"] / gpus, "token/ms/GPU")
    return {
        "decode_roofline": (per_gpu * per_node).to("token/s/node"),
        "decode_step_bytes": Quantity(step["step_bytes"], "GB"),
        "decode_weight_bytes": Quantity(step["weights_read"], "byte").to("GB"),
        "decode_comm_time": Quantity(step["comm_time"], "ms"),
        "decode_step_time": Quantity(step["decode_step"], "ms"),
        "decode_bound": bound,
    }


# ---- claims ------------------------------------------------------------------------------


def run_claims_case(doc: Document) -> CaseResult:
    """Claims judged against unit expressions (see :mod:`flopbook.claims`)."""
    spec, sources = _load(doc)
    _file, verdicts = check_claims(doc, WorkloadCaseFile)
    outputs: dict[str, Any] = dict(defined_values(doc, spec.define))
    for i, v in enumerate(verdicts):
        outputs[f"claim{i + 1}.expression"] = v.model
        outputs[f"claim{i + 1}.claimed"] = v.claimed
        if v.ratio is not None:
            outputs[f"claim{i + 1}.ratio"] = v.ratio
            outputs[f"claim{i + 1}.factor"] = v.factor
    if "params" in spec.inputs:
        found = declared({"params": _q(doc, "params", "")}, ["flops_per_token"])
        outputs["flops_per_token"] = Quantity(found["flops_per_token"], "FLOP/token")
    grid = Grid(
        "Claims",
        ["expression", "claimed", "verdict"],
        [],
        caption="The expression is what the figures compute to; the claim is what was said.",
    )
    for v in verdicts:
        grid.rows.append(
            (
                v.claim,
                "",
                [
                    _worked(v.expression, v.model),
                    _worked(v.claimed_text, v.claimed),
                    f"{v.label}: {v.explanation}",
                ],
            )
        )
    out = _result(spec, sources)
    out.outputs = outputs
    out.grids = [grid]
    out.checks = _checks(spec, sources, outputs, doc)
    return out


# ---- china-cost-per-flop -----------------------------------------------------------------


def run_cost_per_flop(doc: Document) -> CaseResult:
    """A claimed cost-per-FLOP multiple, against each price scenario, and the prices that
    would make it hold."""
    u = registry()
    spec, sources = _load(doc)
    reference = str(spec.inputs.get("reference", "H100"))
    chips = [str(x) for x in spec.inputs.get("chips", [])]
    precision = str(spec.inputs.get("precision", "bf16"))
    claimed = float(_q(doc, "claimed_multiple", "").magnitude[0])
    tol = float(_q(doc, "tolerance", "").magnitude[0])
    outputs: dict[str, Any] = {}
    grid = Grid(
        f"Cost per dense {precision.upper()} FLOP relative to {reference} (claim: {claimed:g}×)",
        [
            "price",
            "cost per FLOP vs " + reference,
            f"holds (±{tol:.0%})?",
            f"price that makes {claimed:g}× hold",
        ],
        [],
        caption="Holding means within the tolerance of the claimed multiple. The "
        "break-even price keeps the reference's price and solves for the chip's.",
    )
    for i, sc in enumerate(spec.scenarios):
        try:
            result = compare(
                [reference, *chips], prices=sc.prices, precision=precision, price_kind=sc.price_kind
            )
        except InputError as exc:
            raise doc.error(InputError(exc.message, hint=exc.hint), ("scenarios", i)) from None
        ref = result.row(reference)
        for name in chips:
            row = result.row(name)
            ratio = result.ratio(name)
            key = f"{i + 1}.{row.chip}"
            if ratio is None or ref.cost_per_pflop is None:
                grid.rows.append((f"{sc.label}: {row.chip}", "", ["no price", "—", "—", "—"]))
                continue
            outputs[f"ratio.{key}"] = ratio
            # the price per GPU at which this chip costs `claimed` times the reference per FLOP
            target = (claimed * ref.cost_per_pflop * row.peak / u.GPU).to(
                f"{ref.price.units:~P}" if ref.price is not None else "USD/GPU/hour"
            )
            outputs[f"break_even.{key}"] = target
            kept = {k: v for k, v in sc.prices.items() if k in (reference, name, row.chip)}
            back = compare(
                [reference, name],
                prices={**kept, row.chip: target},
                precision=precision,
                price_kind=sc.price_kind,
            )
            outputs[f"ratio_at_break_even.{key}"] = back.ratio(name)
            verdict = (
                "holds"
                if abs(ratio / claimed - 1) <= tol
                else (
                    f"no: {claimed / ratio:.1f}× lower"
                    if ratio < claimed
                    else f"no: {ratio / claimed:.1f}× higher"
                )
            )
            grid.rows.append(
                (
                    f"{sc.label}: {row.chip}",
                    "",
                    [_cell(row.price), f"{ratio:.2f}×", verdict, _cell(target)],
                )
            )
    out = _result(spec, sources)
    out.outputs = outputs
    out.grids = [grid]
    out.checks = _checks(spec, sources, outputs, doc)
    return out
