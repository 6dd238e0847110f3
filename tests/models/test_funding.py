"""Payer models: fees, the high-water mark, cash available; and their invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.errors import InputError
from flopbook.models.funding import Company, Fund
from flopbook.quantity import magnitudes


def usd(x):
    return float(magnitudes(x).mean())


def fund(**kw):
    base = dict(
        first_year=2017,
        last_year=2019,
        aum_start="7B USD",
        returns="0%",
        management_fee="1%",
        performance_fee="20%",
    )
    if "aum" in kw and "aum_start" not in kw:
        del base["aum_start"]
    return Fund(**{**base, **kw}).run()


def test_management_fee_is_one_percent_of_opening_assets():
    # the critique: 1% of $7B is about $70M a year
    r = fund()
    assert usd(r.at("management_fees", 2017)) == pytest.approx(70e6)


def test_performance_fee_is_on_gains_after_the_management_fee():
    r = fund(returns="11%", last_year=2017)
    # 20% x (11% - 1%) x $7B
    assert usd(r.at("performance_fees", 2017)) == pytest.approx(0.2 * 0.10 * 7e9)


def test_a_year_that_only_recovers_losses_earns_no_performance_fee():
    r = fund(aum="1B USD", returns=["-20%", "+20%", "+30%"], management_fee="0%")
    fees = [usd(r.at("performance_fees", y)) for y in (2017, 2018, 2019)]
    assert fees[0] == 0 and fees[1] == 0  # 0.8 x 1.2 = 0.96, still below the mark of 1
    # 0.96 x 1.3 = 1.248: the fee is on the 0.248 above the mark, per unit of 0.96
    assert fees[2] == pytest.approx(0.2 * (1.248 - 1) / 0.96 * 1e9)


def test_cash_available_is_the_reinvested_share_but_never_the_running_costs():
    r = fund(
        returns="1%",
        management_fee="1%",
        performance_fee="0%",
        reinvest_share="70%",
        operating_costs="50%",
        last_year=2017,
    )
    income = 70e6
    assert usd(r.at("cash_available", 2017)) == pytest.approx(min(0.7, 0.5) * income)
    r = fund(operating_costs="10M USD/year", reinvest_share="70%", last_year=2017)
    assert usd(r.at("cash_available", 2017)) == pytest.approx(0.7 * 70e6)


def test_flows_move_the_assets_and_cannot_take_out_more_than_there_is():
    # a 1% return pays the 1% fee, so the assets move by the flows alone
    r = fund(returns="1%", performance_fee="0%", flows=["0 USD", "-1B USD", "-100B USD"])
    assert [usd(r.at("aum", y)) for y in (2017, 2018, 2019)] == pytest.approx([7e9, 6e9, 0.0])


def test_money_in_cny_needs_an_exchange_rate():
    with pytest.raises(InputError, match="aum_start: is in CNY but no fx_rate"):
        fund(aum_start="¥50B")
    r = fund(aum_start="¥50B", fx_rate="6.45 CNY/USD")
    assert usd(r.at("aum", 2017)) == pytest.approx(50e9 / 6.45)
    r = fund(aum_start="¥50B", fx_rate="0.155 USD/CNY")
    assert usd(r.at("aum", 2017)) == pytest.approx(50e9 * 0.155)


def test_lifetime_total_adds_the_years():
    r = fund(returns="1%", management_fee="1%", performance_fee="0%")
    assert usd(r.total("cash_available")) == pytest.approx(3 * 70e6)
    with pytest.raises(InputError, match="does not add up"):
        r.cumulative("aum")


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(management_fee="120%"), "management_fee: must be at most 1"),
        (dict(performance_fee=1.5), "performance_fee: must be at most 1"),
        (dict(aum_start="-7B USD"), "aum_start: must be at least 0"),
        (dict(aum={2017: "1B USD", 2018: "-1B USD", 2019: "1B USD"}), "aum.2018: must be at least"),
        (dict(first_year=2020, last_year=2017), "years out of order"),
        (dict(returns={2018: "5%", 2017: "5%", 2019: "5%"}), "returns.2017: years out of order"),
        (dict(returns=["5%", "5%"]), "has 2 values for 3 years"),
        (dict(returns={2017: "5%", 2019: "5%"}), "no value for 2018"),
        (dict(returns="5 USD"), "returns: expected a plain number"),
        (dict(aum="1B USD", aum_start="1B USD"), "not both"),
    ],
)
def test_bad_fund_inputs_are_one_clear_error(kw, message):
    with pytest.raises(InputError, match=message):
        fund(**kw)


def test_company_budget_is_capped_by_its_cash_flow_and_rounds_add():
    c = Company(
        first_year=2023,
        last_year=2024,
        revenue=["10B USD", "10B USD"],
        operating_margin=["5%", "30%"],
        capex_share="20%",
        funding_rounds=[{"year": 2024, "amount": "1B USD"}],
    ).run()
    assert usd(c.at("cash_available", 2023)) == pytest.approx(0.5e9)  # margin binds
    assert usd(c.at("cash_available", 2024)) == pytest.approx(2e9 + 1e9)  # budget + round


def test_company_needs_a_way_to_pay():
    with pytest.raises(InputError, match="needs operating_margin, operating_cash_flow"):
        Company(first_year=2023, last_year=2024, revenue="1B USD")
    with pytest.raises(InputError, match=r"funding_rounds\[0\].year"):
        Company(
            first_year=2023,
            last_year=2024,
            revenue="1B USD",
            capex_share="10%",
            funding_rounds=[{"year": 2030, "amount": "1B USD"}],
        )


# ---- invariants ------------------------------------------------------------------------

returns = st.floats(-0.6, 1.0, allow_nan=False)
bump = st.floats(0.0, 0.5, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(returns, bump), min_size=1, max_size=6),
    st.sampled_from(["path", "flows"]),
    st.sampled_from(["30%", "5M USD/year"]),
)
def test_higher_returns_never_lower_available_cash(pairs, assets, costs):
    low = [r for r, _ in pairs]
    high = [r + b for r, b in pairs]
    years = dict(first_year=2000, last_year=2000 + len(pairs) - 1)
    kw = (
        dict(aum=[f"{1 + i}B USD" for i in range(len(pairs))])
        if assets == "path"
        else dict(aum_start="1B USD", flows=[f"{(-1) ** i * 0.2}B USD" for i in range(len(pairs))])
    )
    a, b = (
        Fund(
            **years,
            **kw,
            returns=rs,
            management_fee="1.5%",
            performance_fee="20%",
            operating_costs=costs,
            reinvest_share="70%",
        ).run()
        for rs in (low, high)
    )
    cash_a, cash_b = a.usd("cash_available"), b.usd("cash_available")
    assert np.all(cash_b >= cash_a - 1e-6 * np.maximum(cash_a, 1))


@settings(max_examples=60, deadline=None)
@given(st.lists(returns, min_size=1, max_size=8), st.floats(0, 0.03))
def test_performance_fees_are_zero_in_years_below_the_high_water_mark(rs, mf):
    r = Fund(
        first_year=2000,
        last_year=2000 + len(rs) - 1,
        aum_start="1B USD",
        returns=rs,
        management_fee=mf,
        performance_fee="20%",
    ).run()
    nav, mark = 1.0, 1.0
    for i, year in enumerate(r.years):
        before_fee = nav * (1 + rs[i] - mf)
        fee = usd(r.at("performance_fees", year))
        if before_fee <= mark:
            assert fee == 0
        else:
            assert fee > 0
        nav *= 1 + usd(r.at("net_return", year))
        mark = max(mark, nav)


@settings(max_examples=30, deadline=None)
@given(st.floats(1, 20), st.floats(1, 1e12))
def test_a_rate_in_cny_per_usd_or_usd_per_cny_converts_the_same(rate, yuan):
    from flopbook.models.funding import read_fx_rate, to_usd
    from flopbook.quantity import q

    amount = q(yuan, "CNY")
    one = to_usd(amount, read_fx_rate(f"{rate!r} CNY/USD"), "capex")
    other = to_usd(amount, read_fx_rate(f"{1 / rate!r} USD/CNY"), "capex")
    assert one == pytest.approx(yuan / rate, rel=1e-9)
    assert other == pytest.approx(one, rel=1e-9)
