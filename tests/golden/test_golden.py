"""Every case's and every example's JSON output against tests/golden/ (1e-9 relative).

A figure that moves for a reason belongs in CHANGELOG.md with its old and new value; then
regenerate with ``make golden`` (``python tests/golden/regenerate.py``) and commit the files.
"""

from __future__ import annotations

import json

import pytest
from golden_runs import GOLDEN, all_runs, differences, run_json

RUNS = all_runs()


@pytest.mark.parametrize("stem", list(RUNS))
def test_output_matches_golden(stem: str) -> None:
    path = GOLDEN / f"{stem}.json"
    assert path.exists(), f"no golden file {path.name}: run make golden"
    old = json.loads(path.read_text(encoding="utf-8"))
    moved = differences(old, run_json(RUNS[stem]))
    assert not moved, (
        f"flopbook {' '.join(RUNS[stem])}: {len(moved)} figure(s) moved from "
        f"tests/golden/{path.name} (old -> new):\n  "
        + "\n  ".join(moved[:40])
        + ("\n  …" if len(moved) > 40 else "")
        + "\nIf the move is meant, list it in CHANGELOG.md and run make golden."
    )


def test_differences_name_each_moved_figure() -> None:
    old = {"metrics": [{"metric": "capex", "values": {"Total": {"value": 100.0}}}]}
    new = {"metrics": [{"metric": "capex", "values": {"Total": {"value": 100.5}}}]}
    assert differences(old, old) == []
    assert (
        differences(
            old,
            {"metrics": [{"metric": "capex", "values": {"Total": {"value": 100.0 * (1 + 1e-12)}}}]},
        )
        == []
    )
    assert differences(old, new) == ["/metrics/0:capex/values/Total/value: 100.0 -> 100.5 (+0.005)"]
