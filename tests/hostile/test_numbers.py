"""Numeric extremes in every kind of input: an error naming the field, never a traceback,
never a wrong answer."""

from __future__ import annotations

import pytest

from hostile.conftest import FLEET, TRAINING

# (what replaces "count: 1k GPU" in the fleet, expected exit code)
COUNTS = {
    "a percentage": ("count: 50%", 2),
    "negative": ("count: -5 GPU", 2),
    "NaN": ("count: .nan", 2),
    "infinite": ("count: .inf", 2),
    "1e999": ("count: 1e999 GPU", 2),
    "5,001 digits": ("count: " + "9" * 5001, 2),
    "a 401-digit string": ('count: "' + "9" * 401 + ' GPU"', 2),
    "a boolean": ("count: yes", 2),
    "a list": ("count: [1, 2]", 2),
    "a mapping of nothing": ("count: {}", 2),
    "a unit of money": ("count: 5 USD", 2),
    "an expression": ('count: "2*35k GPU"', 2),
    "uniform with a NaN bound": ("count: {uniform: {low: .nan, high: 10}}", 2),
    "uniform with an infinite bound": ("count: {uniform: {low: 1, high: .inf}}", 2),
    "uniform the wrong way round": ("count: {uniform: {low: 10, high: 1}}", 2),
    "pert with its mode outside": ("count: {pert: {low: 1, mode: 20, high: 10}}", 2),
    "normal with a negative sd": ("count: {normal: {mean: 10, sd: -1}}", 2),
    "choice not summing to 1": ("count: {choice: {10: 0.5, 20: 0.2}}", 2),
    "choice with a NaN probability": ("count: {choice: {10: .nan, 20: 1}}", 2),
    "lognormal of zero": ("count: {lognormal: {low: 0, high: 10}}", 2),
    "zero GPUs": ("count: 0 GPU", 0),
    "a huge but finite count": ("count: 1e15 GPU", 0),
}

PRICES = {
    "1e308 dollars": ("server_cost_per_gpu: 1e308 USD/GPU", 2),
    "a negative price": ("server_cost_per_gpu: -30k USD/GPU", 2),
    "a price per year": ("server_cost_per_gpu: 30k USD/GPU/year", 2),
    "a decimal comma": ("server_cost_per_gpu: 30,5 USD/GPU", 2),
}

LIVES = {
    "zero years": ("useful_life: 0 years", 2),
    "NaN years": ("useful_life: .nan", 2),
    "a 2,000-character unit": ("useful_life: 4 " + "y" * 2000, 2),
}


@pytest.mark.parametrize("name", list(COUNTS))
def test_fleet_counts(flopbook, name: str) -> None:
    line, code = COUNTS[name]
    path = flopbook.write("fleet.yaml", FLEET.replace("count: 1k GPU", line))
    flopbook.run("fleet", path, "--samples", "200", expect=code)


@pytest.mark.parametrize("name", list(PRICES))
def test_fleet_prices(flopbook, name: str) -> None:
    line, code = PRICES[name]
    path = flopbook.write(
        "fleet.yaml", FLEET.replace("server_cost_per_gpu: 30k to 40k USD/GPU", line)
    )
    flopbook.run("fleet", path, "--samples", "200", expect=code)


@pytest.mark.parametrize("name", list(LIVES))
def test_fleet_lives(flopbook, name: str) -> None:
    line, code = LIVES[name]
    path = flopbook.write("fleet.yaml", FLEET.replace("useful_life: 4 years", line))
    flopbook.run("fleet", path, "--samples", "200", expect=code)


CLAIMS = """\
claims:
  - claim: Two watts
    expression: {expression}
    claimed: {claimed}
    tolerance: {tolerance}
"""

CLAIM_CASES = {
    "a NaN tolerance": ({"tolerance": ".nan"}, 2),
    "an infinite tolerance": ({"tolerance": ".inf"}, 2),
    "a factor of infinity": ({"tolerance": '"infx"'}, 2),
    "a negative tolerance": ({"tolerance": "-5%"}, 2),
    "a tolerance of 5,001 digits": ({"tolerance": "9" * 5001}, 2),
    "a claim of 1e999": ({"claimed": "1e999 W"}, 2),
    "an expression of 10,000 parentheses": ({"expression": "(" * 5000 + "2 W" + ")" * 5000}, 2),
    "kind: [training]": ({}, 2),
}


@pytest.mark.parametrize("name", list(CLAIM_CASES))
def test_claims(flopbook, name: str) -> None:
    fields, code = CLAIM_CASES[name]
    values = {"expression": "2 W", "claimed": "2 W", "tolerance": "10%", **fields}
    text = CLAIMS.format(**{k: v if k == "tolerance" else f'"{v}"' for k, v in values.items()})
    if name == "kind: [training]":
        text = "kind: [training]\n" + text
    flopbook.run("check", flopbook.write("claims.yaml", text), expect=code)


WORKLOADS = {
    "kind: [training]": (TRAINING.replace("kind: training", "kind: [training]"), 2),
    "kind: {a: 1}": (TRAINING.replace("kind: training", "kind: {a: 1}"), 2),
    "an unknown kind": (TRAINING.replace("kind: training", "kind: trianing"), 2),
    "params of 5,001 digits": (TRAINING + "params: " + "9" * 5001 + "\n", 2),
    "params of NaN": (TRAINING + "params: .nan\n", 2),
    "tokens of 1e999": (TRAINING + "params: 37B\ntokens: 1e999 token\n", 2),
}


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_workloads(flopbook, name: str) -> None:
    text, code = WORKLOADS[name]
    flopbook.run("workload", flopbook.write("run.yaml", text), "--samples", "200", expect=code)


CALC = {
    "1.2.3": "1.2.3",
    "401 digits": "9" * 401,
    "10,000 nested parentheses": "(" * 10_000 + "1" + ")" * 10_000,
    "a 100 kB sum": "+".join(["1"] * 50_000),
    "a unit to the 1e10": "1 W ** 1e10",
    "a tower of powers": "2 ** 2 ** 2 ** 2 ** 2 ** 2",
    "1e308 squared": "1e308 * 1e308",
    "division by zero": "1 W / 0 W",
    "a 100,000-character name": "x" * 100_000,
    "an empty expression": "",
    "only spaces": "     ",
    "Python code": "__import__('os').system('true')",
    "an attribute walk": "H100.__class__.__mro__",
    "a lambda": "lambda: 1",
    "a NUL byte": "1\x00+1",
    "adding USD to USD per year": "1 USD + 1 USD/year",
    "a dollar sign alone": "$",
    "a lone operator": "*",
    "unbalanced": "(1 + 2",
}


@pytest.mark.parametrize("name", list(CALC))
def test_calc(flopbook, name: str) -> None:
    flopbook.run("calc", CALC[name], expect=2)


CALC_TO = {
    "a unit of another kind": "USD",
    "nonsense": "zz☃",
    "empty": "",
    "a number": "5",
    "401 digits": "9" * 401,
}


@pytest.mark.parametrize("name", list(CALC_TO))
def test_calc_to(flopbook, name: str) -> None:
    flopbook.run("calc", "5 s * 700 W", "--to", CALC_TO[name], expect=2)


def test_a_unit_error_is_a_flopbook_error_and_pints() -> None:
    import pint

    import flopbook as fb

    with pytest.raises(fb.UnitError) as err:
        fb.q("1 USD") + fb.q("1 USD/year")
    assert isinstance(err.value, pint.DimensionalityError)  # what callers caught before
    assert "[" not in str(err.value)  # the units as written, not pint's dimensions
