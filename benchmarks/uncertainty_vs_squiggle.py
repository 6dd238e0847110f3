"""Monte Carlo speed: the same uncertain fleet TCO in flopbook and in Squiggle.

The peer is Squiggle (npm @quri/squiggle-lang 0.10.0, run by Node), installed by this script
into benchmarks/node_peers/ (git-ignored). Both sides read the same inputs — ten uncertain
ones, each a 90% range drawn as a lognormal in both tools — compute the yearly TCO of a
four-SKU fleet with the same formulas (flopbook: the fleet model; Squiggle: the formulas
written out, with every input drawn once as a sample set so that it is shared across SKUs as
in flopbook), and report the mean and P5/P50/P95. Each side is timed from model text to
percentiles (flopbook: scenario YAML -> Fleet -> run -> summary; Squiggle: `run(code)` with
`environment.sampleCount`), best of REPEATS after a warm-up, in one run of this script.

Targets: flopbook >= 20x Squiggle's samples per second at 10^6 samples, and a 10^6-sample
fleet TCO with percentiles in under 0.25 s on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from results import machine, update_section  # noqa: E402

HERE = Path(__file__).parent
PEER_DIR = HERE / "node_peers" / "squiggle"
SIZES = (10_000, 100_000, 1_000_000)
REPEATS = 3  # Squiggle: several seconds a run at 10^6 samples
OUR_REPEATS = 7  # flopbook: a fraction of a second; more runs, less noise from other load
SEED = 1

# (name, chip, count, server cost per GPU); a range is a 90% interval (lognormal)
SKUS = [
    ("H800", "H800", "8k to 12k", "30k to 42k"),
    ("H100", "H100", "7k to 13k", "32k to 45k"),
    ("H20", "H20", "20k to 40k", "18k to 30k"),
    ("A100", "A100", "10k", "15k to 25k"),
]
PUE = "1.25 to 1.45"
ELECTRICITY = "0.05 to 0.12"  # USD/kWh
TDP_SHARE = "0.6 to 0.9"

SCENARIO = f"""
name: Uncertain fleet (benchmark)
assumptions:
  useful_life: 4 years
  pue: {PUE}
  electricity_price: {ELECTRICITY} USD/kWh
  tdp_share: {TDP_SHARE}
skus:
""" + "".join(
    f"  - {{chip: {chip}, name: {name}, count: {count} GPU, server_cost_per_gpu: {cost} USD/GPU}}\n"
    for name, chip, count, cost in SKUS
)


def squiggle_code() -> str:
    """The fleet's TCO in Squiggle, with flopbook's default assumptions written out."""
    from flopbook import Assumptions, chip

    a = Assumptions(useful_life="4 years")
    share = sum(float(a[n].to("").magnitude[0]) for n in ("networking", "storage", "facility"))
    overhead = float(a["server_power_overhead"].to("").magnitude[0])
    hosting = float(a["hosting"].to("USD/kW/year").magnitude[0])
    maintenance = float(a["maintenance"].to("").magnitude[0])
    hours = 365.25 * 24

    def dist(text: str) -> str:
        return f"SampleSet.fromDist({text})" if " to " in text else text

    lines = [
        f"pue = {dist(PUE)}",
        f"price = {dist(ELECTRICITY)}",
        f"share = {dist(TDP_SHARE)}",
        "sku(count, cost, tdp) = {",
        f"  capex = count * cost * {1 + share!r}",
        f"  it_kw = count * tdp * share * {1 + overhead!r} / 1000",
        f"  opex = it_kw * pue * {hours!r} * price + it_kw * {hosting!r} + capex * {maintenance!r}",
        "  capex / 4 + opex",
        "}",
    ]
    terms = []
    for name, chip_id, count, cost in SKUS:
        tdp = float(chip(chip_id).spec("tdp").to("W").magnitude[0])
        lines.append(f"{name.lower()}_count = {dist(count)}")
        lines.append(f"{name.lower()}_cost = {dist(cost)}")
        terms.append(f"sku({name.lower()}_count, {name.lower()}_cost, {tdp!r})")
    lines.append("tco = " + " + ".join(terms))
    lines.append("[mean(tco), quantile(tco, 0.05), quantile(tco, 0.5), quantile(tco, 0.95)]")
    return "\n".join(lines)


NODE_RUNNER = r"""
import { run } from "@quri/squiggle-lang";
const [code, sizes, repeats] = JSON.parse(process.argv[2]);
const env = (n) => ({ sampleCount: n, xyPointLength: 1000, seed: "1" });
await run(code, { environment: env(1000) });  // warm-up
const out = [];
for (const n of sizes) {
  let best = Infinity, value = null;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const r = await run(code, { environment: env(n) });
    const dt = (performance.now() - t0) / 1000;
    if (!r.result.ok) { console.error(r.result.value.toString()); process.exit(1); }
    value = JSON.parse(r.result.value.result.toString());
    best = Math.min(best, dt);
  }
  out.push({ n, seconds: best, mean: value[0], p5: value[1], p50: value[2], p95: value[3] });
}
console.log(JSON.stringify(out));
"""


def install_peer() -> None:
    if (PEER_DIR / "node_modules" / "@quri" / "squiggle-lang").exists():
        return
    if not shutil.which("npm"):
        sys.exit("npm is needed to install the peer (@quri/squiggle-lang)")
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    (PEER_DIR / "package.json").write_text('{"private": true, "type": "module"}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "@quri/squiggle-lang@0.10.0"],
        cwd=PEER_DIR,
        check=True,
    )


def run_squiggle(code: str) -> list[dict]:
    runner = PEER_DIR / "run.mjs"
    runner.write_text(NODE_RUNNER)
    done = subprocess.run(
        ["node", str(runner), json.dumps([code, SIZES, REPEATS])],
        cwd=PEER_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def run_flopbook(path: Path) -> list[dict]:
    from flopbook.fleet_file import load_scenario
    from flopbook.quantity import registry, sampling

    def once(n: int) -> tuple[float, object]:
        start = time.perf_counter()
        with sampling(n, SEED):
            s = load_scenario(path).run().summary("tco_per_year")
        return time.perf_counter() - start, s

    registry()
    once(1000)  # warm-up: imports, unit registry, catalog
    out = []
    for n in SIZES:
        runs = [once(n) for _ in range(OUR_REPEATS)]
        seconds, s = min(runs, key=lambda r: r[0])
        out.append(
            {"n": n, "seconds": seconds, "mean": s.mean, "p5": s.p5, "p50": s.p50, "p95": s.p95}
        )
    return out


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main() -> None:
    install_peer()
    scenario = PEER_DIR / "fleet.yaml"
    scenario.write_text(SCENARIO)
    before = _load()
    ours = run_flopbook(scenario)
    peer = run_squiggle(squiggle_code())
    load = f"{before:.1f} before, {_load():.1f} after"
    rows = []
    agree_all = True
    for f, s in zip(ours, peer, strict=True):
        n = f["n"]
        diffs = [abs(f[k] / s[k] - 1) for k in ("p5", "p50", "p95")]
        agree_all &= max(diffs) <= 0.01
        rows.append(
            f"| {n:,} | {f['seconds'] * 1000:,.0f} ms | {n / f['seconds']:,.0f} | "
            f"{s['seconds'] * 1000:,.0f} ms | {n / s['seconds']:,.0f} | "
            f"{s['seconds'] / f['seconds']:.1f}× | "
            + " / ".join(f"{d * 100:.2f}%" for d in diffs)
            + " |"
        )
        print(
            f"n={n:>9,}: flopbook {f['seconds']:.3f} s, Squiggle {s['seconds']:.3f} s, "
            f"ratio {s['seconds'] / f['seconds']:.1f}x, P5/P50/P95 differ by "
            + ", ".join(f"{d:.2%}" for d in diffs)
        )
    big_f, big_s = ours[-1], peer[-1]
    ratio = big_s["seconds"] / big_f["seconds"]
    body = f"""
The same uncertain fleet TCO (4 SKUs, 10 uncertain inputs, each a 90% range drawn as a
lognormal) in flopbook and in Squiggle (@quri/squiggle-lang 0.10.0 on Node
{subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()}),
from model text to mean and P5/P50/P95; best of {OUR_REPEATS} (flopbook) and {REPEATS}
(Squiggle) after a warm-up ({machine()}; load average {load} the runs). Run: `python
benchmarks/uncertainty_vs_squiggle.py`.

| samples | flopbook | samples/s | Squiggle | samples/s | speed-up | P5 / P50 / P95 diff. |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

At 10^6 samples flopbook is {ratio:.1f}× Squiggle's throughput (target ≥ 20×:
{"meets" if ratio >= 20 else "misses"}) and takes {big_f["seconds"]:.3f} s for the whole
fleet TCO with percentiles (target < 0.25 s: {
        "meets" if big_f["seconds"] < 0.25 else "misses"
    }). Percentiles agree within 1% at every size: {"yes" if agree_all else "no"}
(the differences are Monte Carlo noise of two independent random streams).
"""
    update_section("Uncertainty: flopbook vs Squiggle", body)


if __name__ == "__main__":
    main()
