"""Builds deepseek-semianalysis.xlsx: the published DeepSeek fleet table, as printed.

Layout and formulas follow the table in SemiAnalysis, "DeepSeek Debates" (2025-01-31), as
described in shared/reference/published-figures.md section 1: four GPU columns (A100, H20,
H800, H100) and a Total column whose formulas, below the GPU-count row, add only the first
three columns; per-GPU rows added up; the last line labelled "$m/hr". The per-column values
are the fleet inputs of the reference case src/flopbook/cases/deepseek-semianalysis.yaml
(its rows are the case's ``published_table``), so the audit's corrected totals can be held
against the fleet model's.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from flopbook.audit.formula import a1

# How each row of the case's published_table is computed, in the table's own units.
_FORMULAS = {
    "server_capex": "={col}{gpus}*{col}{server_cost_per_gpu}/1000",
    "operation": "={col}{gpus}*{col}{operation_per_gpu}/1000",
    "ownership": "={col}{server_capex}+{col}{operation}",
}


def case_inputs() -> tuple[dict, dict[str, dict[str, float]]]:
    """The case file's published_table, and per column: GPUs, $k capex/GPU, $k 4y opex/GPU."""
    from flopbook.quantity import magnitudes, q

    text = (resources.files("flopbook.cases") / "deepseek-semianalysis.yaml").read_text()
    spec = yaml.safe_load(text)
    life = spec["fleet"]["assumptions"]["useful_life"]
    years = float(magnitudes(q(life["value"] if isinstance(life, dict) else life), "year")[0])
    columns = {}
    for sku in spec["fleet"]["skus"]:

        def val(field: str, unit: str, sku: dict = sku) -> float:
            raw = sku[field]["value"] if isinstance(sku[field], dict) else sku[field]
            return float(magnitudes(q(raw), unit)[0])

        columns[sku["chip"]] = {
            "gpus": val("count", "GPU"),
            "server_cost_per_gpu": val("server_cost_per_gpu", "USD/GPU") / 1e3,
            "operation_per_gpu": val("operating_cost", "USD/GPU/year") * years / 1e3,
        }
    return spec["published_table"], columns


def label(row: dict) -> str:
    unit = row["printed_unit"]
    return row["label"] if unit == "#" else f"{row['label']} {unit}"


def build(path: str | Path) -> Path:
    """Write the workbook, with the values Excel would have saved, and return its path."""
    import xlsxwriter

    table, columns = case_inputs()
    names = table["columns"]
    rows = {row["key"]: 3 + i for i, row in enumerate(table["rows"])}
    values: dict[tuple[int, int], float] = {}
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Fleet")
    ws.write(0, 0, "DeepSeek fleet, as published (SemiAnalysis, 2025-01-31)")
    for j, name in enumerate([*names, "Total"]):
        ws.write(1, 1 + j, name)
    last = 1 + len(names)  # the Total column
    for row in table["rows"]:
        r = rows[row["key"]]
        ws.write(r - 1, 0, label(row))
        for j, name in enumerate(names):
            c = 2 + j
            col = a1(1, c)[:-1]
            if row["key"] in _FORMULAS:
                formula = _FORMULAS[row["key"]].format(col=col, **rows)
                v = _compute(row["key"], values, rows, c)
                ws.write_formula(r - 1, c - 1, formula, None, v)
            else:
                v = columns[name][row["key"]]
                ws.write_number(r - 1, c - 1, v)
            values[(r, c)] = v
        summed = names if row["total"] == "sum_all" else table["total_columns"]
        end = 2 + names.index(summed[-1])
        assert [names.index(s) for s in summed] == list(range(len(summed)))
        total = sum(values[(r, c)] for c in range(2, end + 1))
        ws.write_formula(r - 1, last, f"=SUM({a1(r, 2)}:{a1(r, end)})", None, total)
        values[(r, last + 1)] = total
    wb.close()
    return path


def _compute(key: str, values: dict, rows: dict[str, int], c: int) -> float:
    g = values[(rows["gpus"], c)]
    if key == "server_capex":
        return g * values[(rows["server_cost_per_gpu"], c)] / 1000
    if key == "operation":
        return g * values[(rows["operation_per_gpu"], c)] / 1000
    return values[(rows["server_capex"], c)] + values[(rows["operation"], c)]
