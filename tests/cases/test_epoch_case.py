"""Epoch AI's method (Cottier et al. 2024) done by hand for Llama 2-70B, against the case that
runs it through flopbook's fleet and a training run priced at the fleet's cost per GPU-hour."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from flopbook.cases import case


def epoch_by_hand(start: dt.date) -> float:
    """cost_estimation.py's capex + energy arithmetic, with the case's inputs."""
    price, acquired = 24875.0, dt.date(2021, 2, 14)
    years = (start - acquired).days / 365.25
    value = price * 10 ** (-0.14 * years)
    chip_hours = 1_720_320
    hardware = value * 0.14 * math.log(10) / 8766 * chip_hours
    interconnect = hardware * 0.19 / (1 - 0.19)
    energy = 0.4 * (6.5 / 8) / 0.4 * 0.75 * 1.1 * chip_hours * 0.0806
    return hardware + interconnect + energy


def test_the_case_is_epochs_arithmetic():
    result = case("epoch-llama-2-70b")
    (check,) = result.checks
    # flopbook turns each date into a decimal year by its own year's days, Epoch AI count days
    # / 365.25 between them: 2.0411 against 2.0397 years of decline, 0.05% of the cost
    start = dt.date(2023, 3, 1)
    assert check.model == pytest.approx(epoch_by_hand(start), rel=1e-3)
    assert check.ok and check.category == "restatement"


def test_a_month_of_training_start_moves_the_cost_about_2_percent():
    a, b = epoch_by_hand(dt.date(2023, 3, 1)), epoch_by_hand(dt.date(2023, 4, 1))
    assert 0.02 < 1 - b / a < 0.03


def test_llama_65b_is_epochs_arithmetic_on_the_generic_a100():
    # Epoch AI's data file LLaMA-65B under "NVIDIA A100" (released 2020-03-01): acquired at
    # release + 90 days, 2020-05-30; training start = 2023-02-24 - 21 days - 60 days
    price, acquired, start = 24875.0, dt.date(2020, 5, 30), dt.date(2022, 12, 5)
    years = (start - acquired).days / 365.25
    chip_hours = 1_022_362
    hardware = price * 10 ** (-0.14 * years) * 0.14 * math.log(10) / 8766 * chip_hours
    energy = 0.4 * (6.5 / 8) / 0.4 * 0.75 * 1.1 * chip_hours * 0.0806
    by_hand = hardware / (1 - 0.19) + energy
    (check,) = case("epoch-llama-65b").checks
    assert check.model == pytest.approx(by_hand, rel=1e-3)
    assert check.ok and check.category == "restatement" and check.published == 578026
