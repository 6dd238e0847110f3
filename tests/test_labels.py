import pytest

from flopbook.labels import LabelUnit, unit_from_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("TCO (4y Ownership) $m/hr", LabelUnit(1e6, "USD/hour")),
        ("Server CapEx ($m)", LabelUnit(1e6, "USD")),
        ("ASP per GPU ($k)", LabelUnit(1e3, "USD")),
        ("Cost $bn/yr", LabelUnit(1e9, "USD/year")),
        ("Price $/GPU/hr", LabelUnit(1, "USD/GPU/hour")),
        ("Power (MW)", LabelUnit(1e6, "W")),
        ("Utilisation %", LabelUnit(0.01, "")),
        ("Opex per year", LabelUnit(1, "1/year")),
    ],
)
def test_units_in_labels(label, expected):
    assert unit_from_label(label) == expected


def test_a_label_without_a_unit():
    assert unit_from_label("Number of GPUs") is None
