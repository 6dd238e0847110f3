"""A sweep of the example fleet on Dask: 1,000 points x 10^4 samples, 1 worker against 2.

The grid: assumptions.pue (10 values) x assumptions.electricity_price (10) x skus[0].count
(10) over examples/fleet.yaml, each point a Monte Carlo run of 10,000 samples, the table of
tco_per_year and cost_per_gpu_hour. Each run starts its LocalCluster (processes, loopback)
before the clock starts. Targets: 2 workers at >= 1.7x the throughput of 1, and the two
tables identical, number for number.

    python benchmarks/sweep_dask.py [--samples 10000] [--repeat 2] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))

from dask_cluster import client_of, workers_cpu  # noqa: E402
from results import machine, update_section  # noqa: E402

from flopbook.sweep import CHUNK, Sweep, run_points, vary  # noqa: E402

TITLE = "Sweep on Dask (`benchmarks/sweep_dask.py`)"
VARIES = (
    "assumptions.pue=1.1:1.4:10",
    "assumptions.electricity_price=0.04:0.13:10 USD/kWh",
    "skus[0].count=1k,2k,4k,6k,8k,10k,12k,16k,20k,24k",
)
OUTPUTS = ["tco_per_year", "cost_per_gpu_hour"]


def timed(sweep: Sweep, samples: int, workers: int):  # noqa: ANN201 - (seconds, CPU, frame)
    with client_of(workers) as client:
        # each worker imports the models and reads the catalog once: not part of the sweep
        client.run(run_points, sweep.job(samples), [(0, sweep.points()[0][0])])
        cpu = workers_cpu(client)
        start = time.perf_counter()
        frame = sweep.run(samples=samples, client=client)
        seconds = time.perf_counter() - start
        return seconds, workers_cpu(client) - cpu, frame


def main() -> None:
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    sweep = Sweep.read(ROOT / "examples" / "fleet.yaml", [vary(v) for v in VARIES], OUTPUTS)
    n = len(sweep.points())
    load_before = os.getloadavg()
    best: dict[int, tuple[float, float]] = {}
    tables = {}
    for _ in range(args.repeat):  # alternating, the best of each kept
        for w in (1, 2):
            t, c, tables[w] = timed(sweep, args.samples, w)
            print(f"{w} worker(s): {t:.1f} s, CPU {c:.1f} s", flush=True)
            if t < best.get(w, (float("inf"), 0.0))[0]:
                best[w] = (t, c)
    (t1, c1), (t2, c2) = best[1], best[2]
    one, two = tables[1], tables[2]
    load_after = os.getloadavg()
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    speedup = t1 / t2
    body = f"""
{n:,} points (a grid of {" × ".join(f"`{v}`" for v in VARIES)}) over examples/fleet.yaml,
each a Monte Carlo run of {args.samples:,} samples, {CHUNK} points a task; the table of
{", ".join(OUTPUTS)} ({machine()}; load average {load_before[0]:.1f} before,
{load_after[0]:.1f} after). The machine's 2 cores were shared with other work while this ran,
so the figures are noisy. Best of {args.repeat} alternating runs each, the cluster started
and each worker warmed up (the models imported, the catalog read, one point run) before the
clock. Run:
`python benchmarks/sweep_dask.py --write`.

| workers | seconds | points/s | CPU seconds of the workers | cores they got (CPU / seconds) |
| ---: | ---: | ---: | ---: | ---: |
| 1 | {t1:.1f} | {n / t1:.1f} | {c1:.1f} | {c1 / t1:.2f} |
| 2 | {t2:.1f} | {n / t2:.1f} | {c2:.1f} | {c2 / t2:.2f} |

2 workers give {speedup:.2f}× the throughput of 1 (target ≥ 1.7×:
{"meets" if speedup >= 1.7 else "MISSES"}). The work itself scales: 2 workers spent
{c2 / c1:.2f}× the CPU of one for the same points, so the speed-up is the number of cores
the machine could give them ({c2 / t2:.2f} against {c1 / t1:.2f}). The two tables are
identical, number for number (`pandas.testing.assert_frame_equal(check_exact=True)`):
{len(one):,} rows.
On a machine this busy the verdict may settle nothing: each worker got about a third of a
core, whatever their number. The CPU columns are the steadier measure.
"""
    print(body)
    if args.write:
        update_section(TITLE, body)


if __name__ == "__main__":
    main()
