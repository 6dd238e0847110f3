"""`flopbook catalog CHIP --prices [--date]`: the series, the price used, the stale flag."""

import csv
import io
import json


def test_prices_table_lists_observations_and_the_prices_used(cli):
    run = cli("catalog", "H100", "--prices")
    assert run.code == 0, run.err
    assert "price observations" in run.out and "used" in run.out
    assert "STALE" in run.out or "!" in run.out


def test_a_date_picks_the_nearest_observation_and_says_so(cli):
    data = json.loads(
        cli("catalog", "V100", "--prices", "--date", "2021-06", "--format", "json").out
    )
    used = {(p["kind"], p["term"]): p for p in data["prices_used"]}
    rental = used[("rental", "on_demand")]
    assert "nearest to 2021-06-01" in rental["how"]
    assert rental["stale"] == (rental["age_days"] > 365)
    assert all("age_days" in o for o in data["observations"])


def test_prices_csv_has_one_row_per_observation(cli):
    rows = list(
        csv.DictReader(io.StringIO(cli("catalog", "H800", "--prices", "--format", "csv").out))
    )
    assert rows and {r["kind"] for r in rows} >= {"purchase", "server_per_gpu", "rental"}


def test_a_bad_date_is_one_line_exit_2(cli):
    run = cli("catalog", "H100", "--prices", "--date", "June 2021")
    assert run.code == 2
    assert "--date" in run.err and "2021-06" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_prices_without_a_chip_is_an_error(cli):
    run = cli("catalog", "--prices")
    assert run.code == 2 and "--prices" in run.err
