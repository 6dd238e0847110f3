"""Claim verdicts: holds, off by N× with its direction, not comparable with the reason."""

import pytest

from flopbook.claims import judge, tolerance
from flopbook.errors import InputError
from flopbook.quantity import q
from flopbook.scenario import Document


def test_verdicts():
    tol = tolerance("10%")
    assert judge("x", q("1 GFLOP/token"), q("1 GFLOP/token"), tol).verdict == "holds"
    off = judge("x", q("1 GFLOP/token"), q("1 TFLOP/token"), tol)
    assert off.verdict == "off" and off.factor == pytest.approx(1000)
    assert off.direction == "too high" and off.label == "off by 1,000× (too high)"
    low = judge("x", q("700 W"), q("100 W"), tol)
    assert low.direction == "too low" and low.factor == pytest.approx(7)
    nc = judge("x", q("1 Wh"), q("1 W"), tol)
    assert nc.verdict == "not comparable"
    assert "a power is not an energy; they differ by a time" in nc.explanation


def test_tolerances():
    assert tolerance("2x").holds(1.9) and not tolerance("2x").holds(2.1)
    assert tolerance("2x").holds(1 / 1.9)
    assert tolerance(0.05).holds(1.04) and not tolerance("5%").holds(1.06)
    for bad in ("0.5x", "lots", "-5%"):
        with pytest.raises(InputError):
            tolerance(bad)


def test_claims_file_errors_name_the_line_and_field():
    from flopbook.claims import check_claims

    text = "claims:\n  - claim: a\n    expression: 5 s *\n    claimed: 1 J\n"
    with pytest.raises(InputError) as info:
        check_claims(Document(text, "c.yaml"))
    assert str(info.value).startswith("c.yaml:3: claims[0].expression: the expression ends")
    text = "claims:\n  - claim: a\n    expression: 5 s\n    claimed: 1 J\n    sorce: x\n"
    with pytest.raises(InputError, match="c.yaml:5: .*did you mean source"):
        check_claims(Document(text, "c.yaml"))
