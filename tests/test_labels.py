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


@pytest.mark.parametrize(
    ("label", "scale", "unit"),
    [
        # as the published-table case uses them
        ("$m/hr", 1e6, "USD/hour"),
        ("$k", 1e3, "USD"),
        ("$m", 1e6, "USD"),
        ("TCO (4y Ownership) $m/hr", 1e6, "USD/hour"),
        ("Cost of operation (4y) $m", 1e6, "USD"),
        ("Revenue $bn/yr", 1e9, "USD/year"),
        ("Power (MW)", 1e6, "W"),
        ("Utilisation %", 0.01, ""),
        # a period or a thing written apart from the money sign
        ("Opex per year $m", 1e6, "USD/year"),
        ("Annual opex $m", 1e6, "USD/year"),
        ("Depreciation $m per year", 1e6, "USD/year"),
        ("Server CapEx per GPU $k", 1e3, "USD"),  # a count of things is no unit
        # "$/…" with no scale letter
        ("Rental price $/hr", 1.0, "USD/hour"),
        ("Electricity price ($/kWh)", 1.0, "USD/kWh"),
        ("Price ($/GPU-hr)", 1.0, "USD/GPU/hour"),
        # energy and durations
        ("Energy (MWh)", 1e6, "W*hour"),
        ("Energy per year (GWh)", 1e9, "W*hour/year"),
        ("Hours per year", 1.0, "hour/year"),
        ("GPU-hours per year", 1.0, "hour/year"),  # a count of GPUs is no unit
        ("Useful life (years)", 1.0, "year"),
    ],
)
def test_units_written_in_many_ways(label: str, scale: float, unit: str) -> None:
    assert unit_from_label(label) == LabelUnit(scale, unit)


@pytest.mark.parametrize("label", ["#", "Number of GPUs", "A100", "Notes"])
def test_labels_without_a_unit(label: str) -> None:
    assert unit_from_label(label) is None


def test_units_parse_in_the_registry() -> None:
    from flopbook.quantity import registry

    for label in ("Price ($/GPU-hr)", "Energy per year (GWh)", "Hours per year"):
        lu = unit_from_label(label)
        assert lu is not None
        registry().parse_units(lu.unit)
