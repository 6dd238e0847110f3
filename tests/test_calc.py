"""The unit-expression calculator: arithmetic with units, catalog names, errors that point."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.calc import evaluate, parse, to_unit
from flopbook.errors import InputError, UnitMismatchError, UnknownNameError
from flopbook.quantity import magnitudes


def value(expr, unit, at=None):
    return float(magnitudes(evaluate(expr, at=at), unit)[0])


def test_five_h100_seconds_in_watt_hours():
    # published-figures 6.3: 5 H100-seconds at the 700 W TDP ≈ 0.97 Wh
    assert value("5 s * H100.tdp", "Wh") == pytest.approx(5 * 700 / 3600)
    assert float(to_unit(evaluate("5 s * 700 W"), "Wh").magnitude[0]) == pytest.approx(
        0.97222, rel=1e-4
    )


def test_side_by_side_binds_tighter_than_division():
    # "700 W / 8 GPU" is 700 W per 8 GPUs, not (700 W / 8) × GPU
    assert value("700 W / 8 GPU", "W/GPU") == pytest.approx(87.5)
    assert value("10,715 kWh / 365.25 day", "kW") == pytest.approx(1.2223, rel=1e-4)
    assert value("2 USD/GPU/hour * 2.788M GPU*hour", "USD") == pytest.approx(5.576e6)


def test_suffixes_dollars_percent_and_powers():
    assert value("$2", "USD") == 2
    assert value("30k", "") == 30_000
    assert value("14.8T token", "token") == 14.8e12
    assert float(evaluate("15%").to("").magnitude[0]) == pytest.approx(0.15)
    assert value("2 ** 10", "") == 1024
    assert value("(1 + 2) s", "s") == 3
    assert value("-5 s + 10 s", "s") == 5


def test_catalog_figures_and_prices():
    # peaks are per GPU, like prices: GPU-hours × peak is FLOPs
    assert value("H800.bf16_dense", "TFLOP/s/GPU") == 989
    assert value("Ascend910C.bf16_dense", "TFLOP/s/GPU") == 752
    assert evaluate("H100.rental", at="2025-03").check("[currency]/[accelerator]/[time]")


def test_a_catalog_price_far_from_its_date_is_a_warning():
    from flopbook.errors import InputWarning

    with pytest.warns(InputWarning, match="STALE"):
        evaluate("H100.rental", at="2029-01")
    assert value("A100.server_per_gpu", "USD/GPU", at="2021-06") == pytest.approx(37500)


@pytest.mark.parametrize(
    ("expr", "position", "words"),
    [
        ("5 s * * 700 W", 7, "unexpected '*'"),
        ("(5 s", 1, "never closed"),
        ("5 s )", 5, "without a matching"),
        ("5 # 3", 3, "unexpected character '#'"),
        ("5 s +", 6, "ends too early"),
        ("2 ** W", 6, "exponent must be a plain number"),
    ],
)
def test_parse_errors_point_at_the_character(expr, position, words):
    with pytest.raises(InputError) as info:
        evaluate(expr)
    message = str(info.value)
    assert words in message and f"at character {position} " in message
    assert "▸" in message and "\n" not in message


def test_adding_different_kinds_is_an_error_at_the_operator():
    with pytest.raises(
        UnitMismatchError,
        match=r"cannot add 5 s \(a time\) and 700 W "
        r"\(a power\) at character 5",
    ):
        evaluate("5 s + 700 W")


def test_unknown_names_suggest_the_nearest():
    with pytest.raises(UnknownNameError, match="did you mean H100"):
        evaluate("H1000.tdp")
    with pytest.raises(UnknownNameError, match="no catalog figure 'tpd'"):
        evaluate("H100.tpd")
    with pytest.raises(UnknownNameError, match="is a chip"):
        evaluate("H100 * 2")
    with pytest.raises(InputError, match="no fp8_dense for Ascend910C"):
        evaluate("Ascend910C.fp8_dense")


def test_python_is_not_evaluated():
    for expr in ("__import__('os')", "open('x')", "[1, 2]", "lambda: 1", "a if b else c"):
        with pytest.raises(InputError):
            evaluate(expr)


def test_converting_to_another_kind_says_what_each_side_is():
    with pytest.raises(UnitMismatchError, match=r"an energy\), in USD \(an amount of money\)"):
        to_unit(evaluate("5 s * 700 W"), "USD")


def test_parse_keeps_the_names_used():
    assert set(parse("5 s * H100.tdp").names()) >= {"s", "H100.tdp"}


@settings(max_examples=40, deadline=None)
@given(a=st.floats(1e-3, 1e6), b=st.floats(1e-3, 1e6))
def test_arithmetic_matches_plain_numbers(a, b):
    assert value(f"{a!r} s * {b!r} W", "J") == pytest.approx(a * b)
    assert value(f"{a!r} kWh / {b!r} hour", "kW") == pytest.approx(a / b)


@settings(max_examples=30, deadline=None)
@given(share=st.floats(0.01, 500), amount=st.floats(1, 1e12))
def test_a_percentage_is_a_hundredth_in_any_product(share, amount):
    result = evaluate(f"{share!r}% * {amount!r} USD")
    assert f"{result.units:~P}" == "USD"
    assert float(result.magnitude[0]) == pytest.approx(share * amount / 100)


def test_units_of_the_same_kind_cancel():
    assert f"{evaluate('1 FLOP / 1 TFLOP').units:~P}" == ""
    assert value("3 TB / 1 GB", "") == pytest.approx(3000)
    assert f"{evaluate('H100.bf16_dense * 1 GPU*hour').to('PFLOP').units:~P}" == "PFLOP"


@pytest.mark.parametrize(
    "text, words",
    [
        ("annuity_factor(10%, 4 W)", "annuity_factor needs a rate"),
        ("annuity_factor(4 years, 10%)", "annuity_factor needs a rate"),
        ("decline_factor(0.14, 4 USD)", "decline_factor needs a rate"),
    ],
)
def test_a_function_given_the_wrong_units_says_which_it_needs(text, words):
    with pytest.raises(UnitMismatchError, match=words):
        evaluate(text)


def test_decline_factor_is_a_power_of_ten():
    assert float(magnitudes(evaluate("decline_factor(0.14, 4 years)"))[0]) == pytest.approx(
        10**-0.56
    )
