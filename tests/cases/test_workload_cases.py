"""The workload reference cases: each published figure, its source, the model's answer and the
tolerance are in the case files; here each case must pass and the key answers are pinned."""

import pytest

from flopbook.cases import case
from flopbook.quantity import sampling

CASES = [
    "deepseek-v3-training",
    "deepseek-inference-day",
    "query-energy",
    "flops-per-token",
    "china-cost-per-flop",
]


@pytest.fixture(scope="module")
def results():
    with sampling(400, 7):
        return {name: case(name) for name in CASES}


@pytest.mark.parametrize("name", CASES)
def test_case_passes_with_sourced_checks(results, name):
    result = results[name]
    assert result.ok, [c.as_dict() for c in result.checks if c.ok is False]
    assert result.checks and all(c.source.title for c in result.checks)


def test_deepseek_v3_cost(results):
    # DeepSeek-V3 report (arXiv 2412.19437): 2.788M H800 GPU-hours × $2 = $5.576M, ±0.1%
    c = results["deepseek-v3-training"].check("Cost of the run at $2 per GPU-hour")
    assert c.published == 5.576e6 and c.model == pytest.approx(5.576e6, rel=1e-3)


def test_deepseek_v3_implied_mfu_grid(results):
    rows = {r[0]: r[2][0] for r in results["deepseek-v3-training"].grids[0].rows}
    assert rows["Implied MFU at BF16 dense peak (989 TFLOP/s)"] == "33.10%"
    assert rows["Implied MFU at FP8 dense peak (1,979 TFLOP/s)"] == "16.54%"


def test_deepseek_inference_day(results):
    r = results["deepseek-inference-day"]
    # DeepSeek, 2025-03-01: $87,072 cost (±0.1%), $562,027 revenue (±0.5%), 545% margin (±1%)
    assert r.check("Cost of the day at $2 per H800-hour").model == pytest.approx(87072)
    assert r.check("Theoretical revenue at R1 prices").model == pytest.approx(562027, rel=5e-3)
    assert r.check("Cost-profit margin (revenue − cost) / cost").model == pytest.approx(
        545, rel=0.01
    )
    owned = r.check("Owned cost per H800-hour (fleet model) against the $2 rental")
    assert owned.tolerance is None and 1 < owned.model < 3
    decode = r.check("Decode tokens/s per node against the bandwidth roofline")
    assert decode.model > decode.published  # served below the roofline


def test_query_energy(results):
    r = results["query-energy"]
    # 5 H100-seconds ≈ 0.97 Wh at the GPU's TDP; EIA 10,715 kWh/yr ≈ 1.22 kW
    gpu_only = r.check("Energy of 5 H100-seconds at the 700 W TDP (GPU only)")
    assert gpu_only.model == pytest.approx(0.9722, rel=1e-3)
    home = r.check("Seconds of a home's electricity in 5 H100-seconds (claimed 5 s; GPU only)")
    assert home.model == pytest.approx(0.97222 / 1.22234 * 3600 / 1000, rel=1e-3)  # ≈ 2.86 s
    verdicts = [row[2][2] for row in r.grids[0].rows]
    assert verdicts[0].startswith("off by 1.75× (too high)")


def test_query_energy_compares_epoch_like_for_like(results):
    # Epoch's 0.3 Wh counts server and facility: 1,275 W x 0.7 x PUE 1.2 = 1,071 W per GPU,
    # so 5 H100-seconds on that boundary are ~5x Epoch's figure, not 3x
    r = results["query-energy"]
    assert r.check("Epoch AI's power per GPU (GPU, server and facility)").model == (
        pytest.approx(1071, rel=1e-3)
    )
    five = r.check("5 H100-seconds over Epoch's 0.3 Wh, both on Epoch's boundary (\"≈ 5×\")")
    assert five.model == pytest.approx(4.96, rel=0.01)
    assert "5.0×" in r.conclusion


def test_query_energy_names_the_energy_boundary_of_every_energy_figure(results):
    r = results["query-energy"]
    for c in r.checks:
        if c.unit in ("Wh", "W", "kW") and "home" not in c.label.lower():
            text = f"{c.label} {c.note or ''} {c.source.title}".lower()
            assert (
                "gpu only" in text
                or "facility" in text
                or "not stated" in text
                or "boundary" in text
            ), c.label


def test_flops_per_token_is_off_by_a_thousand(results):
    # Corry Wang, 2025-07-06: 500M parameters → ~1 GFLOP per token, "not 1 tflop"
    r = results["flops-per-token"]
    assert r.check("The claimed 1 TFLOP is off by").model == pytest.approx(1000)
    verdicts = [row[2][2] for row in r.grids[0].rows]
    assert verdicts[0].startswith("off by 1,000× (too high)")
    assert verdicts[1].startswith("off by 1,000,000× (too low)")
    assert verdicts[2].startswith("holds")


def test_china_cost_per_flop(results):
    r = results["china-cost-per-flop"]
    h20 = r.check("H20 cost per FLOP over H100's, owned at catalog prices").model
    ascend = r.check("Ascend 910C cost per FLOP over H100's, owned at catalog prices").model
    assert 2 < h20 < 4 and 0.4 < ascend < 1.2  # neither near the claimed 6×
    rows = {row[0]: row[2] for row in r.grids[0].rows}
    assert all(cells[2].startswith("no") for cells in rows.values())


def test_cases_are_listed(cli):
    listing = cli("case").out
    for name in CASES:
        assert name in listing
