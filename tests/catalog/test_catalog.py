import pytest

from flopbook.catalog import catalog, chip
from flopbook.catalog.schema import SPEC_UNITS
from flopbook.errors import UnknownNameError

REQUIRED = [
    "A100", "H100", "H800", "H20", "H200", "B200", "GB200", "MI300X", "MI325X", "Gaudi3",
    "Ascend910B", "Ascend910C", "TPUv5p", "TPUv6e", "Trainium2",
]


def _fields(c):
    yield from (c.field(k) for k in SPEC_UNITS)
    yield c.entry.dates.announced
    yield c.entry.dates.available
    yield c.entry.export_control
    yield from c.entry.prices


def test_every_required_chip_is_in_the_catalog():
    assert set(REQUIRED) <= set(catalog().names())


@pytest.mark.parametrize("name", REQUIRED)
def test_every_field_has_a_source_and_a_date(name):
    c = chip(name)
    for f in _fields(c):
        assert f.source.strip(), f"{name}: a field without a source"
        assert f.as_of.strip(), f"{name}: a field without a date"
        for alt in f.alternatives:
            assert alt.source.strip() and alt.as_of.strip()


@pytest.mark.parametrize("name", REQUIRED)
def test_specs_are_quantities_in_their_units(name):
    c = chip(name)
    for key, unit in SPEC_UNITS.items():
        value = c.spec(key)
        if value is not None:
            assert value.to(unit).magnitude[0] > 0


@pytest.mark.parametrize("name", REQUIRED)
def test_dense_rates_are_ordered_fp8_above_bf16_above_fp32(name):
    c = chip(name)
    fp8, bf16, fp32 = c.spec("fp8_dense"), c.spec("bf16_dense"), c.spec("fp32")
    if fp8 is not None and bf16 is not None:
        assert fp8.magnitude[0] >= bf16.magnitude[0]
    if bf16 is not None and fp32 is not None:
        assert bf16.magnitude[0] > fp32.magnitude[0]


def test_h800_matches_its_datasheet():
    # NVIDIA H800 SXM5: the H100's compute, 400 GB/s NVLink (export-control cut), 700 W
    h800 = chip("H800")
    assert h800.spec("bf16_dense").to("TFLOP/s").magnitude[0] == pytest.approx(989, rel=0.01)
    assert h800.spec("fp8_dense").to("TFLOP/s").magnitude[0] == pytest.approx(1979, rel=0.01)
    assert h800.spec("tdp").to("W").magnitude[0] == 700
    assert h800.spec("scaleup_bandwidth").to("GB/s").magnitude[0] == 400
    assert h800.architecture == "Hopper"


def test_a100_has_no_fp8():
    assert chip("A100").spec("fp8_dense") is None


@pytest.mark.parametrize("name", ["h800", "H800 SXM", "h-800", "ascend 910c", "tpu v6e"])
def test_names_match_loosely(name):
    assert chip(name) is not None


def test_unknown_chip_suggests_the_nearest_names():
    with pytest.raises(UnknownNameError) as err:
        chip("H8OO")
    assert "did you mean" in str(err.value) and "H800" in str(err.value)
