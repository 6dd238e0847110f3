"""High-Flyer as the payer of DeepSeek's compute (Glenn Luk, X, 2025-01-31; FT 2025).

Published: ~$70M a year of management fees (1% of $7B), a lifetime total "of the order of"
$400M for R&D and capex, ~13% a year to investors since 2017 (FT), and three verdicts: the
~10,000 A100s of 2021 (~¥1B) and the 2,048-H800 cluster are within means; the ~$1.6B fleet is
not fundable without outside money. Tolerances: 10% on the fees (AUM $7-8B), 20% on the lifetime
total (a round "≈ $400M" with no published derivation), 10% on the return. The model's lifetime
cash is about 1.34x the critique's figure: the check says so (OFF), and the verdicts still hold.
"""

import pytest
import yaml

from conftest import ROOT
from flopbook import case, sampling
from flopbook.models.funding_verdict import FundingVerdict


@pytest.fixture(scope="module")
def result():
    with sampling(2000, 11):
        return case("high-flyer")


def test_management_fees_are_about_seventy_million_a_year(result):
    check = result.check("Management fees a year on 2024's AUM of $7-8B")
    assert check.published == 70e6 and check.tolerance == pytest.approx(0.10)
    assert check.ok, check.model


def test_lifetime_cash_is_not_reproduced_and_the_check_says_so(result):
    check = result.check("Lifetime cash available for R&D and capex, 2017-2024")
    assert check.published == 400e6 and check.tolerance == pytest.approx(0.20)
    assert check.category == "reproduction" and check.tolerance_reason
    assert 1.2 < check.ratio < 1.5 and check.ok is False
    assert "critique" in check.source.key
    assert f"{check.ratio:.2f}×" in result.conclusion and "not reproduced" in result.conclusion


def test_returns_reproduce_thirteen_percent_a_year(result):
    check = result.check("Net return to investors, a year, 2017-2024")
    assert check.published == 13 and check.ok, check.model


def test_the_three_verdicts_match_the_critique(result):
    claims = {c.label: c for c in result.claims}
    a100 = claims["~10,000 A100s (Fire-Flyer II), about ¥1B in 2021"]
    h800 = claims["The 2,048-H800 cluster that trained DeepSeek-V3, about $70M of servers"]
    fleet = claims["The ~$1.6B fleet of 60,000 GPUs attributed to DeepSeek"]
    assert a100.model == a100.published == "within means"
    assert h800.model == h800.published == "within means"
    assert fleet.model == fleet.published == "implausible without outside funding"
    assert all(c.probability > 0.9 for c in (a100, h800, fleet))
    assert all(c.ok for c in result.claims)


def test_the_fleet_is_the_corrected_semianalysis_fleet_with_its_running_costs(result):
    assert result.check("Capex of the 60,000-GPU fleet").ok
    verdicts = [s for _, s in result.sections if isinstance(s, FundingVerdict)]
    fleet = verdicts[-1]
    assert [s.year for s in fleet.spending] == [2021, 2023, 2023 + 1]
    assert all(s.opex is not None for s in fleet.spending)
    assert fleet.outside_money.mean() > 1e9  # more than $1B from outside


def test_every_source_is_shown(result):
    assert {s.key for s in result.sources} >= {"critique", "ft", "ceo", "fx", "fleet"}
    assert all(c.source.title for c in [*result.checks, *result.claims])


def test_the_example_payer_file_is_the_case_payer():
    example = yaml.safe_load((ROOT / "examples" / "high-flyer.yaml").read_text())
    cased = yaml.safe_load((ROOT / "src" / "flopbook" / "cases" / "high-flyer.yaml").read_text())
    assert cased["payer"] == example
