"""`flopbook fund` as a user meets it: tables, JSON, CSV, and one-line errors (exit 2).

Most runs are in-process through the real entry point (``main``), which is fast; two go
through a new process as a user's shell would.
"""

import csv
import io
import json
import sys

import pytest

from conftest import ROOT, Run
from flopbook.cli import main

HIGH_FLYER = str(ROOT / "examples" / "high-flyer.yaml")
COMPANY = str(ROOT / "examples" / "company.yaml")
FLEET = str(ROOT / "examples" / "fleet.yaml")

FUND = """\
kind: fund
name: A fund
first_year: 2020
last_year: 2022
aum_start: 7B USD
returns: 5%
management_fee: 1%
performance_fee: 20%
reinvest_share: 70%
"""


@pytest.fixture
def run(monkeypatch, capsys):
    """`flopbook ARGS` in this process: the exit code and what was printed."""

    def _run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["flopbook", *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return _run


def test_in_a_new_process(cli, write):
    ok = cli("fund", HIGH_FLYER, "--capex", "70M", "--year", "2023", "--samples", "200")
    assert ok.code == 0 and "within means" in ok.out, ok.err
    payer = write(FUND.replace("management_fee: 1%", "management_fee: 120%"), "payer.yaml")
    failed = cli("fund", str(payer))
    assert failed.code == 2 and failed.err.count("\n") == 1
    assert failed.err.startswith(f"flopbook: error: {payer}:7: management_fee: must be at most")


def test_payer_alone_shows_its_cash_by_year(run):
    run = run("fund", HIGH_FLYER, "--samples", "300")
    assert run.code == 0, run.err
    assert "Cash available" in run.out and "2024" in run.out and "Verdict" not in run.out


def test_capex_verdict_in_a_table(run):
    run = run("fund", HIGH_FLYER, "--capex", "1.6B", "--year", "2023", "--samples", "300")
    assert run.code == 0, run.err
    assert "implausible without outside funding" in run.out
    assert "The cash runs out in 2023" in run.out


def test_capex_in_cny_with_an_exchange_rate(run):
    run = run(
        "fund",
        HIGH_FLYER,
        "--capex",
        "¥1B",
        "--year",
        "2021",
        "--fx",
        "6.45 CNY/USD",
        "--format",
        "json",
        "--samples",
        "300",
    )
    data = json.loads(run.out)["verdict"]
    assert data["verdict"] == "within means"
    assert data["total_capex"]["value"] == pytest.approx(1e9 / 6.45)


def test_fleet_file_json(run):
    run = run("fund", COMPANY, "--fleet", FLEET, "--format", "json", "--samples", "200")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    verdict = data["verdict"]
    assert verdict["spending"][0]["tco_per_year"]["unit"] == "USD/year"
    assert sum(verdict["band_probabilities"].values()) == pytest.approx(1)
    assert [t["words"] for t in verdict["thresholds"]][0] == "within means"
    assert data["payer"]["kind"] == "company"


def test_csv_has_every_year_and_the_verdict(run):
    run = run(
        "fund",
        HIGH_FLYER,
        "--capex",
        "70M",
        "--year",
        "2023",
        "--format",
        "csv",
        "--samples",
        "200",
    )
    rows = list(csv.DictReader(io.StringIO(run.out)))
    years = {r["year"] for r in rows if r["row"] == "cash_available" and r["section"] == "payer"}
    assert {str(y) for y in range(2017, 2025)} <= years
    assert any(r["row"] == "verdict" and r["mean"] == "within means" for r in rows)


def test_same_seed_same_output(run):
    args = (
        "fund",
        HIGH_FLYER,
        "--capex",
        "1B",
        "--format",
        "json",
        "--samples",
        "200",
        "--seed",
        "4",
    )
    assert run(*args).out == run(*args).out


def test_help_has_an_example(run):
    run = run("fund", "--help")
    assert run.code == 0 and "Example: flopbook fund" in run.out


def bad(run, *args):
    result = run(*args)
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flopbook: error: "), result.err
    assert "Traceback" not in result.err and not result.out
    return lines[0]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("management_fee: 1%", "management_fee: 120%", ":7: management_fee: must be at most 1"),
        ("performance_fee: 20%", "performance_fee: 2", ":8: performance_fee: must be at most 1"),
        ("aum_start: 7B USD", "aum_start: -7B USD", ":5: aum_start: must be at least 0"),
        ("last_year: 2022", "last_year: 2019", ":4: last_year: years out of order"),
        (
            "returns: 5%",
            "returns: {2021: 5%, 2020: 5%, 2022: 5%}",
            ":6: returns.2020: years out of order: 2020 comes after 2021",
        ),
        ("returns: 5%", "returns: [5%, 5%]", ":6: returns: has 2 values for 3 years"),
        ("reinvest_share: 70%", "reinvest_share: 70%\nfees: 1%", ":10: fees: unknown field 'fees'"),
        ("kind: fund", "kind: fnud", ":1: kind: unknown payer kind 'fnud' — did you mean fund?"),
        ("returns: 5%\n", "", "returns: missing required field 'returns'"),
    ],
)
def test_bad_payer_file_is_one_line_naming_file_line_field(run, write, old, new, expected):
    path = write(FUND.replace(old, new), "payer.yaml")
    before = path.read_bytes()
    line = bad(run, "fund", str(path), "--capex", "1B")
    assert str(path) in line and expected in line
    assert path.read_bytes() == before  # input never modified


def test_invalid_fleet_file_gives_its_own_error(run, write):
    payer = write(FUND, "payer.yaml")
    fleet = write(
        "skus:\n  - chip: H800\n    count: 2048\n    server_cost_per_gpu: 35k W\n", "fleet.yaml"
    )
    line = bad(run, "fund", str(payer), "--fleet", str(fleet))
    assert f"{fleet}:4: skus[0].server_cost_per_gpu" in line
    missing = bad(run, "fund", str(payer), "--fleet", str(fleet) + ".nope")
    assert "no such file" in missing


@pytest.mark.parametrize(
    "args, expected",
    [
        (("--capex", "¥1B"), "no exchange rate is given"),
        (("--capex", "1B", "--year", "2030"), "--year 2030 is outside the payer's years"),
        (("--capex", "700 W"), "expected"),
        (("--capex", "-1B"), "capex: must be at least 0"),
        (("--only", "H800"), "--only needs --fleet"),
        (("--capex", "1B", "--fx", "6.45 USD"), "--fx: expected"),
    ],
)
def test_bad_options_are_one_line(run, write, args, expected):
    payer = write(FUND, "payer.yaml")
    assert expected in bad(run, "fund", str(payer), *args)


# ---- the exchange rate's direction, and capex without a unit or a scale -------------------


@pytest.mark.parametrize("fx", ["6.45 CNY/USD", "0.155 USD/CNY"])
def test_an_exchange_rate_either_way_round_is_the_same_rate(run, fx):
    result = run(
        "fund",
        HIGH_FLYER,
        "--capex",
        "¥1B",
        "--year",
        "2021",
        "--fx",
        fx,
        "--format",
        "json",
        "--samples",
        "200",
    )
    assert result.code == 0, result.err
    data = json.loads(result.out)["verdict"]
    assert data["total_capex"]["value"] == pytest.approx(1e9 / 6.45, rel=1e-3)
    assert data["verdict"] == "within means"


@pytest.mark.parametrize(
    "fx, expected",
    [
        # written upside down: ¥1B would be $6.45B and the verdict would flip
        (
            "6.45 USD/CNY",
            "--fx: 6.45 USD/CNY is 0.155 CNY per USD, outside 1–20 CNY per USD "
            "(the range since 1980) — did you mean 6.45 CNY/USD?",
        ),
        ("0.155 CNY/USD", "did you mean 6.45 CNY/USD?"),
        ("645 CNY/USD", "outside 1–20 CNY per USD (the range since 1980) — write CNY per USD"),
    ],
)
def test_an_implausible_exchange_rate_is_refused(run, fx, expected):
    assert expected in bad(run, "fund", HIGH_FLYER, "--capex", "¥1B", "--year", "2021", "--fx", fx)


def test_an_upside_down_rate_in_a_payer_file_is_refused(run, write):
    path = write(FUND + "fx_rate: {value: 6.45 USD/CNY, source: Fed G.5A}\n", "payer.yaml")
    line = bad(run, "fund", str(path))
    assert f"{path}:10: fx_rate: 6.45 USD/CNY is 0.155 CNY per USD" in line
    assert line.endswith("did you mean 6.45 CNY/USD?")


@pytest.mark.parametrize(
    "capex, expected",
    [
        ("1.6", "--capex: 1.6 has no unit — write 1.6M USD or 1.6B USD"),
        ("1600000000", "--capex: 1600000000 has no unit — write 1.60B USD"),
        ("1 to 2", "--capex: 1 to 2 has no unit — write 1M to 2M USD or 1B to 2B USD"),
        (
            "1.6 USD",
            "--capex: 1.6 USD is $1.60, too little for compute capex (under $1,000) — "
            "did you mean 1.6B USD?",
        ),
        ("$1.6", "did you mean 1.6B USD?"),
        ("700 W", "expected USD or CNY, got '700 W'"),
    ],
)
def test_a_capex_without_unit_or_scale_is_refused(run, capex, expected):
    assert expected in bad(run, "fund", HIGH_FLYER, "--capex", capex)


@pytest.mark.parametrize("capex", ["1.6B", "$1.6B", "1.6B USD", "1.4B to 1.6B USD"])
def test_a_capex_with_a_scale_reads_as_dollars(run, capex):
    result = run("fund", HIGH_FLYER, "--capex", capex, "--format", "json", "--samples", "200")
    assert result.code == 0, result.err
    assert json.loads(result.out)["verdict"]["total_capex"]["value"] == pytest.approx(
        1.5e9, rel=0.1
    )


def _flat(text: str) -> str:
    """A table or panel's words on one line: box edges dropped, wrapped lines joined."""
    return " ".join(text.replace("│", " ").split())


def test_capex_to_revenue_is_the_ratio_of_the_printed_means(run):
    from flopbook.models.comparables import percent
    from flopbook.numbers import value

    args = (
        "fund",
        HIGH_FLYER,
        "--capex",
        "1.6B",
        "--year",
        "2023",
        "--samples",
        "500",
        "--seed",
        "3",
    )
    data = json.loads(run(*args, "--format", "json").out)
    revenue = next(r for r in data["payer"]["rows"] if r["row"] == "revenue")["by_year"]["2023"][
        "value"
    ]
    ratio = data["verdict"]["capex_to_revenue"]
    assert data["verdict"]["capex_to_revenue_year"] == 2023
    # a reader dividing the two printed means gets the printed ratio
    assert ratio["value"] == pytest.approx(1.6e9 / revenue, rel=1e-9)
    assert ratio["p5"] < ratio["value"] < ratio["p95"]  # the spread is kept
    table = _flat(run(*args).out)
    assert (
        f"capex / revenue {percent(1.6e9 / revenue)} in 2023 ($1.60B of capex ÷ "
        f"{value(revenue, 'USD')} of revenue that year, the ratio of the means"
    ) in table


def test_cash_running_out_in_a_few_samples_does_not_read_as_the_verdict(run, write):
    # one draw of revenue for all three years: the $200M capex is covered unless revenue is
    # under about $67M a year, which happens in a minority of samples
    payer = write(
        "kind: company\nfirst_year: 2020\nlast_year: 2022\n"
        "revenue: 50M to 200M USD/year\ncapex_share: 100%\n",
        "company.yaml",
    )
    result = run("fund", str(payer), "--capex", "200M USD", "--samples", "1000", "--seed", "1")
    assert result.code == 0, result.err
    text = _flat(result.out)
    assert "Verdict: within means (in " in text
    assert "of samples the cash runs out (most often in 2022)" in text
    assert "in the others the cash lasts" in text
    assert "The cash runs out" not in text and "probability" not in text.split("Verdict")[1]


@pytest.mark.parametrize(
    "option, example",
    [
        ("--fleet", "E.g. --fleet examples/fleet.yaml"),
        ("--only", "E.g. --only H800,H20"),
        ("--year", "E.g. --year 2023"),
        ("--capex", "E.g. --capex 1.6B"),
        ("--fx", 'E.g. --fx "6.45 CNY/USD"'),
    ],
)
def test_help_gives_every_option_an_example(run, option, example):
    from typer.main import get_command

    from flopbook.cli import app

    fund = get_command(app).commands["fund"]  # type: ignore[attr-defined]
    own = next(p.help for p in fund.params if option in p.opts)
    assert example in own, own
    result = run("fund", "--help")
    assert result.code == 0 and example in " ".join(result.out.split())  # help wraps lines
