"""Accuracy per sample: random, Latin hypercube and Sobol sampling of an uncertain fleet TCO.

For each sampler and sample count, the fleet of benchmarks/uncertainty_vs_squiggle.py is run
with SEEDS different seeds; the error of the mean and of P5/P95 is measured against a
reference run of 2^20 random samples (root mean square over the seeds, as a share of the
reference). The peer is flopbook's own default (independent random draws): the question is
how many samples each sampler needs for the same accuracy.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from results import machine, update_section  # noqa: E402
from uncertainty_vs_squiggle import SCENARIO  # noqa: E402

SIZES = (1024, 4096, 16384)
SEEDS = 16


def tco(path: Path, n: int, seed: int, sampler: str) -> tuple[float, float, float]:
    from flopbook.fleet_file import load_scenario
    from flopbook.quantity import sampling

    with sampling(n, seed, sampler):
        s = load_scenario(path).run().summary("tco_per_year")
    return s.mean, s.p5, s.p95


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fleet.yaml"
        path.write_text(SCENARIO)
        ref = np.array(tco(path, 1 << 20, 999, "random"))
        rows, errors = [], {}
        for sampler in ("random", "lhs", "sobol"):
            for n in SIZES:
                runs = np.array([tco(path, n, seed, sampler) for seed in range(SEEDS)])
                rms = np.sqrt(np.mean(((runs - ref) / ref) ** 2, axis=0))
                errors[sampler, n] = rms
                rows.append(f"| {sampler} | {n:,} | " + " | ".join(f"{e:.3%}" for e in rms) + " |")
                print(rows[-1], flush=True)
    # Random sampling's error falls as 1/sqrt(n): the random samples needed to match a
    # sampler's error on the mean at n samples is n x (random error / its error)^2.
    notes = []
    for sampler in ("lhs", "sobol"):
        for n in SIZES:
            factor = (errors["random", n][0] / errors[sampler, n][0]) ** 2
            notes.append(
                f"{sampler} at {n:,}: random needs ≈ {factor:.0f}× the samples for "
                "the same error of the mean"
            )
    body = f"""
Error against a 2^20-sample reference, root mean square over {SEEDS} seeds, of the uncertain
fleet TCO in benchmarks/uncertainty_vs_squiggle.py ({machine()}). Run: `python
benchmarks/samplers.py`; choose a sampler with `flopbook fleet … --sampler lhs|sobol`.

| sampler | samples | mean | P5 | P95 |
|---|---|---|---|---|
{chr(10).join(rows)}

{chr(10).join("- " + n for n in notes)}

The tails (P5, P95) gain less than the mean: a percentile is a count of samples below a
value, which quasi-random points spread more evenly but not by as much. The reference has its
own Monte Carlo error (about 0.01% on the mean), so errors near that size — Sobol's — are
upper bounds on the true error and the factors derived from them are rough.
"""
    update_section("Samplers: accuracy per sample", body)


if __name__ == "__main__":
    main()
