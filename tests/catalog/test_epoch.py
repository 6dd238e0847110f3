"""The catalog against Epoch AI's "Data on Machine Learning Hardware" (CC BY 4.0).

Every figure Epoch's row also has is within TOLERANCE of it, or the field (or one of its
alternatives) carries a note that names Epoch and says why the catalog differs. The copy of
Epoch's data lives in the flopbook workspace (shared/data/epoch-ai/), not in the package; the
test is skipped where it is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from flopbook.catalog import catalog
from flopbook.quantity import q


def _epoch_csv() -> Path:
    # the workspace's shared/ folder sits beside (or above) the repository
    for parent in Path(__file__).resolve().parents:
        found = parent / "shared" / "data" / "epoch-ai" / "ml_hardware.csv"
        if found.exists():
            return found
    return Path("shared/data/epoch-ai/ml_hardware.csv")


EPOCH = _epoch_csv()

# Datasheet figures are rounded to two to four significant figures (67 against Epoch's
# 66.91 TFLOP/s, 0.9 against 0.898 TB/s): 2% covers rounding and nothing else.
TOLERANCE = 0.02

# catalog field -> (Epoch column, factor from Epoch's unit to the catalog's)
COLUMNS = {
    "fp8_dense": ("FP8 performance (FLOP/s)", 1e-12),
    "bf16_dense": ("Tensor-FP16/BF16 performance (FLOP/s)", 1e-12),
    "tf32_dense": ("TF32 (TensorFloat-32) performance (FLOP/s)", 1e-12),
    "fp32": ("FP32 (single precision) performance (FLOP/s)", 1e-12),
    "hbm_capacity": ("Memory size per board (Byte)", 1e-9),
    "hbm_bandwidth": ("Memory bandwidth (byte/s)", 1e-12),
    "scaleup_bandwidth": ("Intranode bandwidth (byte/s)", 1e-9),
    "tdp": ("TDP (W)", 1.0),
}
UNITS = {
    "fp8_dense": "TFLOP/s",
    "bf16_dense": "TFLOP/s",
    "tf32_dense": "TFLOP/s",
    "fp32": "TFLOP/s",
    "hbm_capacity": "GB",
    "hbm_bandwidth": "TB/s",
    "scaleup_bandwidth": "GB/s",
    "tdp": "W",
}

pytestmark = pytest.mark.skipif(not EPOCH.exists(), reason="Epoch AI's data copy is absent")


def _rows() -> dict[str, dict[str, str]]:
    with EPOCH.open(encoding="utf-8-sig") as fh:
        return {r["Hardware name"]: r for r in csv.DictReader(fh)}


CHIPS = [c for c in catalog() if c.entry.epoch]


def test_most_chips_name_their_epoch_row():
    assert len(CHIPS) >= 35


def test_every_named_row_exists():
    rows = _rows()
    missing = [c.id for c in CHIPS if c.entry.epoch not in rows]
    assert not missing, f"no Epoch row for {missing}"


def _explained(field, theirs: float, unit: str) -> bool:
    """A note names Epoch, or Epoch's figure is kept as an alternative with a note on it."""
    if any("epoch" in (f.note or "").lower() for f in (field, *field.alternatives)):
        return True
    return any(
        a.note and a.value is not None and _close(_value(a.value, unit), theirs)
        for a in field.alternatives
    )


def _value(text: str, unit: str) -> float:
    return float(q(text, unit).magnitude.mean())


def _close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= TOLERANCE * max(abs(theirs), 1e-9)


@pytest.mark.parametrize("c", CHIPS, ids=lambda c: c.id)
def test_shared_fields_agree_with_epoch_or_say_why(c):
    row = _rows()[c.entry.epoch]
    problems = []
    for name, (column, factor) in COLUMNS.items():
        raw = (row.get(column) or "").strip()
        if not raw:
            continue
        theirs = float(raw) * factor
        field = c.field(name)
        if field.value is None:
            if not _explained(field, theirs, UNITS[name]):
                problems.append(f"{name}: empty here, Epoch has {theirs:g}")
            continue
        ours = _value(field.value, UNITS[name])
        if not _close(ours, theirs) and not _explained(field, theirs, UNITS[name]):
            problems.append(f"{name}: {ours:g} here, {theirs:g} in Epoch's row")
    assert not problems, f"{c.id} ({c.entry.epoch}): " + "; ".join(problems)
