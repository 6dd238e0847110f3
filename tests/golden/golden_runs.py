"""The runs whose JSON output is kept in tests/golden/: every reference case and every example.

Each run is the command a user would type, with ``--format json``; the default seed makes
each repeat exactly. ``python tests/golden/regenerate.py`` rewrites the files (see
tests/golden/README.md).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
CASES = ROOT / "src" / "flopbook" / "cases"
EXAMPLES = ROOT / "examples"


def runs() -> dict[str, list[str]]:
    """Golden file stem -> the flopbook arguments that produce it (paths relative to ROOT)."""
    out: dict[str, list[str]] = {}
    for case in sorted(CASES.glob("*.yaml")):
        out[f"case-{case.stem}"] = ["case", case.stem]
    out["example-fleet"] = ["fleet", "examples/fleet.yaml"]
    out["example-fleet-depreciation"] = [
        "fleet",
        "examples/fleet.yaml",
        "--capital-cost",
        "depreciation",
    ]
    out["example-neocloud"] = ["fleet", "examples/neocloud.yaml"]
    out["example-neocloud-financed"] = ["fleet", "examples/neocloud-financed.yaml"]
    out["example-neocloud-cohort-financing"] = [
        "fleet",
        "examples/neocloud-cohort-financing.yaml",
    ]
    out["example-breakeven"] = ["breakeven", "examples/neocloud.yaml"]
    out["example-training"] = ["workload", "examples/training.yaml"]
    out["example-inference"] = ["workload", "examples/inference.yaml"]
    out["example-inference-moe"] = ["workload", "examples/inference-moe.yaml"]
    out["example-high-flyer"] = [
        "fund",
        "examples/high-flyer.yaml",
        "--capex",
        "1.6B",
        "--year",
        "2023",
    ]
    out["example-company"] = [
        "fund",
        "examples/company.yaml",
        "--fleet",
        "examples/fleet.yaml",
        "--year",
        "2025",
    ]
    out["example-claims"] = ["check", "examples/claims.yaml"]
    out["compare-h100-h20-910c"] = ["compare", "H100", "H20", "Ascend 910C"]
    out["compare-owned"] = ["compare", "H100", "H800", "B200", "--price-kind", "owned"]
    return out


# 2026-12-01 00:00 UTC, the day these files were first written
TODAY = "1796083200"


def run_json(args: list[str]) -> object:
    """The JSON that ``flopbook ARGS --format json`` prints, parsed (run in this process)."""
    import json
    import os

    from typer.testing import CliRunner

    from flopbook.cli import app

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        # prices are judged stale against "today": fix it, so the file does not age
        result = CliRunner().invoke(
            app,
            [*args, "--format", "json"],
            catch_exceptions=False,
            env={"SOURCE_DATE_EPOCH": TODAY},
        )
    finally:
        os.chdir(cwd)
    if result.exit_code not in (0, 1):
        raise RuntimeError(
            f"flopbook {' '.join(args)} exited {result.exit_code}: {result.output[-500:]}"
        )
    return json.loads(result.stdout)


def _extra() -> dict[str, list[str]]:
    return {
        "fixture-fleet-variants": ["fleet", "tests/golden/fleet-variants.yaml"],
        "fixture-fleet-variants-annuity": [
            "fleet",
            "tests/golden/fleet-variants.yaml",
            "--capital-cost",
            "annuity",
        ],
    }


def all_runs() -> dict[str, list[str]]:
    return {**runs(), **_extra()}


# ---- comparing ---------------------------------------------------------------------------

RELATIVE = 1e-9


def differences(old: object, new: object, path: str = "") -> list[str]:
    """Every place where ``new`` differs from ``old``: a number by more than 1e-9 relative,
    any other value at all; each as one line ``path: old -> new``."""
    if isinstance(old, bool) or isinstance(new, bool) or old is None or new is None:
        return [] if old == new else [f"{path or '/'}: {old!r} -> {new!r}"]
    if isinstance(old, int | float) and isinstance(new, int | float):
        if old == new or abs(new - old) <= RELATIVE * max(abs(old), abs(new)):
            return []
        rel = f" ({(new - old) / abs(old):+.3g})" if old else ""
        return [f"{path}: {old!r} -> {new!r}{rel}"]
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in old:
            if key not in new:
                out.append(f"{path}/{key}: removed")
            else:
                out += differences(old[key], new[key], f"{path}/{key}")
        out += [f"{path}/{key}: added" for key in new if key not in old]
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            out += differences(a, b, f"{path}/{_label(a, i)}")
        if len(old) != len(new):
            out.append(f"{path}: {len(old)} items -> {len(new)}")
        return out
    return [] if old == new else [f"{path or '/'}: {old!r} -> {new!r}"]


def _label(item: object, i: int) -> str:
    """A list item's name in a path: its key or metric if it has one (``metrics/capex``)."""
    if isinstance(item, dict):
        for key in ("metric", "key", "name", "figure", "claim"):
            if isinstance(item.get(key), str):
                return f"{i}:{item[key]}"
    return str(i)
