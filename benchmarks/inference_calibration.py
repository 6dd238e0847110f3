"""How far flopbook's inference model is from published serving throughputs, and how often
the published figure falls inside flopbook's P5-P95 once efficiency is uncertain.

The measurements (benchmarks/data/inference_measurements.yaml) are published figures, each
row with its source: NVIDIA TensorRT-LLM's throughput tables (static batches of a given
size; continuous batching at maximum load) and DeepSeek's published day of decode. Each is
predicted with the inference workload model (`model:` preset, catalog chip, the row's
placement, batch or latency target).

Efficiency is one number per row, eta: the share of dense peak reached in prefill (MFU) and
of HBM bandwidth in decode (MBU). For every row the eta that reproduces the measurement is
solved (throughput rises with eta, so a bisection finds it; eta is capped at 1). Then, five
folds: a lognormal is fitted to the solved eta of four fifths of the rows, and each row of
the remaining fifth is predicted at the fitted median (the point prediction) and at its 5th
and 95th percentiles (the interval; throughput rises monotonically with eta, so its
percentiles are the model at eta's percentiles, eta capped at 1). Every row is predicted by a
fit that never saw it. Reported: median |error| of the point prediction and the share of
measurements inside P5-P95, over all rows and by source. Targets: median |error| <= 25%,
coverage >= 80%.

Run: python benchmarks/inference_calibration.py
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from results import machine, update_section  # noqa: E402

DATA = Path(__file__).parent / "data" / "inference_measurements.yaml"
FOLDS = 5
SEED = 20250301
Z90 = 1.6448536269514722  # standard normal 95th percentile


def load() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from flopbook import safe_yaml

    data = safe_yaml.load(DATA.read_text(encoding="utf-8"), str(DATA))
    return data["sources"], data["rows"]


GRID = np.geomspace(0.08, 1.0, 15)  # candidate efficiencies (MFU and MBU)

# Expert-parallel MoE rows: routing is not uniform, and the step waits for the busiest GPU.
# Not fitted here: balancing expert-parallel load made gpt-oss-120b about 1.9x faster
# (Nguyen et al. 2026, Least-Loaded Expert Parallelism, arXiv 2601.17111), taken as the
# imbalance of a serving stack without load balancing. A row whose source balances its
# expert load (DeepSeek's EPLB) says `balanced: true` and keeps uniform routing.
ROUTING_IMBALANCE = 1.9
_IMBALANCE = [ROUTING_IMBALANCE]  # the value the current run uses (1: uniform, for comparison)


def _inputs(row: dict[str, Any]) -> dict[str, Any]:
    kw: dict[str, Any] = {
        "model": row["model"],
        "chip": row["chip"],
        "precision": row["precision"],
        "gpus": row["gpus"],
        "tp": row["tp"],
        "tokens_in": f"{row['tokens_in']} token",
        "tokens_out": f"{row['tokens_out']} token",
        "kv_bytes_per_element": f"{row['kv']} byte",
    }
    for key in ("batch",):
        if key in row:
            kw[key] = row[key]
    if "tpot" in row:
        kw["tpot"] = f"{row['tpot']} ms"
    if "context" in row:
        kw["context"] = f"{row['context']} token"
    if "comm_overlap" in row:
        kw["comm_overlap"] = row["comm_overlap"]
    if _expert_parallel(row) and not row.get("balanced", False):
        kw["routing_imbalance"] = _IMBALANCE[0]
    return kw


def _expert_parallel(row: dict[str, Any]) -> bool:
    from flopbook.models.architecture import preset

    arch = preset(row["model"]).architecture
    return arch.moe is not None and row["tp"] < row["gpus"]


def predict(row: dict[str, Any], mfu: np.ndarray, mbu: np.ndarray) -> np.ndarray:
    """Output tokens/s in the row's own scope for each (MFU, MBU) pair: one vectorised run
    of the inference model (for a latency target, one run per pair, since a target that
    no batch meets is an error for that pair only: no output)."""
    from flopbook.errors import InputError
    from flopbook.inputs import Input
    from flopbook.models.workload import Inference
    from flopbook.quantity import Quantity, magnitudes

    mfu, mbu = np.broadcast_arrays(np.atleast_1d(mfu), np.atleast_1d(mbu))
    if "tpot" in row and mfu.size > 1:
        return np.array([predict(row, a, b)[0] for a, b in zip(mfu, mbu, strict=True)])
    kw = _inputs(row)
    kw["mfu"] = Input("mfu", Quantity(mfu.astype(float), ""))
    kw["mbu"] = Input("mbu", Quantity(mbu.astype(float), ""))
    try:
        r = Inference(**kw).run()
    except InputError as exc:
        if exc.field == "tpot":  # no batch meets the target at this efficiency
            return np.zeros(mfu.shape)
        raise
    if row["metric"] == "decode":
        per_gpu = magnitudes(r.get("decode_rate"), "token/s/GPU")
    else:
        per_gpu = row["tokens_out"] / magnitudes(r.get("gpu_seconds"), "GPU*s/request")
    scale = {"total": row["gpus"], "per_node": row.get("per", 1), "per_gpu": 1}[row["scope"]]
    return np.broadcast_to(per_gpu * scale, mfu.shape).astype(float)


def main() -> int:
    sources, rows = load()
    _IMBALANCE[0] = 1.0
    uniform, _ = held_out(rows)
    _IMBALANCE[0] = ROUTING_IMBALANCE
    results, fits = held_out(rows)
    body = report(sources, results, fits, uniform)
    print(body)
    update_section("Inference calibration (`benchmarks/inference_calibration.py`)", body)
    return 0


def held_out(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every row predicted by the fit of the folds it is not in."""
    a, b = np.meshgrid(GRID, GRID, indexing="ij")
    table = np.array([predict(r, a.ravel(), b.ravel()) for r in rows])  # rows x pairs
    measured = np.array([float(r["measured"]) for r in rows])
    with np.errstate(divide="ignore"):
        log_err = np.log(np.maximum(table, 1e-9) / measured[:, None])
    rng = np.random.default_rng(SEED)
    fold = np.empty(len(rows), dtype=int)
    fold[rng.permutation(len(rows))] = np.arange(len(rows)) % FOLDS
    results = []
    fits = []
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        best = int(np.argmin((log_err[train] ** 2).sum(axis=0)))
        sigma = float(np.std(log_err[train, best], ddof=1))
        mfu, mbu = float(a.ravel()[best]), float(b.ravel()[best])
        fits.append((mfu, mbu, sigma))
        lo = np.exp(-Z90 * sigma)
        hi = np.exp(Z90 * sigma)
        for i in np.flatnonzero(test):
            row = rows[i]
            ends = predict(
                row,
                np.minimum(1.0, np.array([mfu * lo, mfu * hi])),
                np.minimum(1.0, np.array([mbu * lo, mbu * hi])),
            )
            point = float(table[i, best])
            m = measured[i]
            results.append(
                {
                    "row": row,
                    "point": point,
                    "low": float(ends[0]),
                    "high": float(ends[1]),
                    "error": point / m - 1,
                    "inside": bool(ends[0] <= m <= ends[1]),
                }
            )
    results.sort(key=lambda r: rows.index(r["row"]))
    return results, fits


def _summary(rs: list[dict[str, Any]]) -> tuple[float, float]:
    return (statistics.median(abs(r["error"]) for r in rs), sum(r["inside"] for r in rs) / len(rs))


def report(
    sources: dict[str, Any],
    results: list[dict[str, Any]],
    fits: list[tuple[float, float, float]],
    uniform: list[dict[str, Any]],
) -> str:
    med, cov = _summary(results)
    u_med, u_cov = _summary(uniform)
    ep = sum(1 for r in results if _expert_parallel(r["row"]) and not r["row"].get("balanced"))
    lines = [
        f"{len(results)} published throughput measurements, each predicted by a fit that "
        f"did not see it ({FOLDS} folds, seed {SEED}). Fitted per fold: MFU (prefill and "
        "compute-bound steps) and MBU (memory-bound steps) minimising the squared log error "
        "on the other folds, each lognormal around its fit with the spread of the residuals. "
        "Fits: " + "; ".join(f"MFU {m:.0%}, MBU {b:.0%}, sigma {s:.2f}" for m, b, s in fits) + ".",
        "",
        f"**Held out: median |error| {med:.1%}, P5–P95 coverage {cov:.0%}** "
        "(targets: ≤ 25%, ≥ 80%).",
        "",
        f"Routing: the {ep} expert-parallel MoE rows whose source does not balance expert "
        f"load are predicted with routing_imbalance {ROUTING_IMBALANCE:g}, a value taken from "
        "outside this set (balancing expert-parallel load made gpt-oss-120b about 1.9x faster: "
        "Nguyen et al. 2026, arXiv 2601.17111), not fitted to it; it was chosen after seeing "
        "those rows overpredicted about 2x. With uniform routing (routing_imbalance 1) the "
        f"same procedure gives median |error| {u_med:.1%}, coverage {u_cov:.0%}.",
        "",
        "| source | rows | median abs error | P5–P95 coverage |",
        "|---|---:|---:|---:|",
    ]
    for key in sources:
        rs = [r for r in results if r["row"]["source"] == key]
        if rs:
            m, c = _summary(rs)
            lines.append(f"| {key} | {len(rs)} | {m:.1%} | {c:.0%} |")
    lines += [
        "",
        "| model | chip | GPUs (tp) | in/out | batch | measured | predicted (P5–P95) | error |",
        "|---|---|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        row = r["row"]
        batch = row.get("batch", f"tpot {row.get('tpot')} ms")
        unit = {"per_gpu": "/GPU", "total": "", "per_node": "/node"}[row["scope"]]
        lines.append(
            f"| {row['model']} | {row['chip']} {row['precision'].upper()} | {row['gpus']} "
            f"({row['tp']}) | {row['tokens_in']}/{row['tokens_out']} | {batch} | "
            f"{row['measured']:,.0f}{unit} | {r['point']:,.0f} ({r['low']:,.0f}–"
            f"{r['high']:,.0f}) | {r['error']:+.0%} |"
        )
    lines += ["", "Sources:"] + [f"- `{k}`: {v['title']}, {v['url']}" for k, v in sources.items()]
    lines += ["", f"Machine: {machine()}. Run: `python benchmarks/inference_calibration.py`."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
