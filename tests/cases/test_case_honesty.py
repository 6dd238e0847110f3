"""What every reference case says about its own checks (issue 15)."""

from __future__ import annotations

import re

import pytest

from flopbook import case, sampling
from flopbook.cases import cases
from flopbook.cases.result import CHECK_CATEGORIES

NAMES = [c.name for c in cases()]


@pytest.fixture(scope="module")
def results():
    with sampling(500, 3):
        return {n: case(n) for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_every_check_has_a_category_and_every_tolerance_a_reason(results, name):
    for c in results[name].checks:
        assert c.category in CHECK_CATEGORIES, c.label
        if c.tolerance is not None:
            assert c.tolerance_reason and len(c.tolerance_reason) > 15, c.label


@pytest.mark.parametrize("name", NAMES)
def test_the_last_line_is_a_conclusion_not_a_pass_mark(results, name):
    r = results[name]
    assert r.conclusion and "within tolerance" not in r.conclusion
    assert not re.search(r"\{|\}", r.conclusion)  # every field filled in


@pytest.mark.parametrize("name", NAMES)
def test_user_text_cites_no_path_outside_the_package(results, name):
    r = results[name]
    text = " ".join(
        [
            r.summary,
            r.conclusion,
            *r.notes,
            *(s.cite() for s in r.sources),
            *(c.note or "" for c in r.checks),
        ]
    )
    assert "shared/" not in text and "published-figures" not in text


def test_only_reproductions_count_as_reproduced(results):
    r = results["deepseek-semianalysis"]
    tally = r.tally()
    assert tally["reproduced"] == 0 and tally["consistency"] >= 7
    assert "no independent published figure tested" in r.tally_text()


def test_the_deepseek_cases_price_an_h800_server_alike(results):
    from flopbook.quantity import magnitudes

    semi = results["deepseek-semianalysis"].fleets[0][1]
    h800_semi = float(magnitudes(semi.get("server_cost_per_gpu", "H800"), "USD/GPU").mean())
    cluster = results["deepseek-2048-h800"].fleets[0][1]
    h800_cluster = float(magnitudes(cluster.get("server_cost_per_gpu"), "USD/GPU").mean())
    served = results["deepseek-inference-day"].outputs["served_fleet"]
    h800_served = float(magnitudes(served.get("server_cost_per_gpu"), "USD/GPU").mean())
    assert h800_semi == pytest.approx(35000)
    assert h800_cluster == pytest.approx(35000, rel=0.02)
    assert h800_served == pytest.approx(35000)


def test_cloudmatrix_network_is_not_counted_twice(results):
    from flopbook.catalog import chip
    from flopbook.models.compare import owned_cost_per_hour

    _, basis = owned_cost_per_hour(chip("Ascend910C"))
    assert "no networking added" in basis
