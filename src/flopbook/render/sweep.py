"""A sweep's tidy table for people (a rich table), for programs (CSV, JSON, Parquet) and as a
chart: the first output's median and 90% band along the first varied input."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.table import Table
from rich.text import Text

from flopbook import numbers
from flopbook.sweep import STATS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

MAX_LINES = 8  # lines on one chart; more groups are left out, and the title says so


def table(frame: pd.DataFrame, varied: list[str]) -> Table:
    t = Table(title="Sweep", title_justify="left")
    for name in ["point", *varied, "output"]:
        t.add_column(name, justify="right" if name == "point" else "left")
    for s in STATS:
        t.add_column(s.upper() if s != "mean" else "mean", justify="right")
    for row in frame.to_dict(orient="records"):
        cells: list[str | Text] = [str(row["point"])]
        cells += [Text(_shown(row[v])) for v in varied]
        cells.append(Text(str(row["output"])))
        cells += [_value(row[s], row["unit"]) for s in STATS]
        t.add_row(*cells)
    return t


def _shown(x: Any) -> str:
    return f"{x:,.6g}" if isinstance(x, float) else str(x)


def _value(x: float, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return numbers.value(float(x), unit)


def csv_text(frame: pd.DataFrame) -> str:
    return str(frame.to_csv(index=False, lineterminator="\n"))


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else _plain(v)) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def write_table(frame: pd.DataFrame, path: Path, tmp: str) -> None:
    """Write the table to ``tmp`` in the format ``path``'s suffix names."""
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(tmp, index=False, engine="pyarrow")
    else:
        frame.to_csv(tmp, index=False, lineterminator="\n")


def figure(frame: pd.DataFrame, varied: list[str], output: str) -> Figure:
    """The median of ``output`` (P5 to P95 shaded) along the first varied input, one line for
    each combination of the others (at most MAX_LINES)."""
    # matplotlib loads in about a second; only charts need it
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    rows = frame[frame["output"] == output]
    unit = str(rows["unit"].iloc[0]) if len(rows) else ""
    typical = float(np.nanmedian(np.abs(rows["p50"]))) if len(rows) else 1.0
    scale, unit_label = numbers.axis(unit, typical if typical > 0 else 1.0)
    x_name, others = varied[0], varied[1:]
    numeric = rows[x_name].map(lambda v: isinstance(v, int | float)).all()
    groups = list(rows.groupby(others, sort=False)) if others else [((), rows)]
    for key, g in groups[:MAX_LINES]:
        g = g.sort_values(x_name, kind="stable") if numeric else g
        xs = g[x_name].to_numpy() if numeric else np.arange(len(g))
        label = ", ".join(f"{n}={_shown(v)}" for n, v in zip(others, _tuple(key), strict=True))
        (line,) = ax.plot(xs, g["p50"] / scale, marker="o", ms=3, label=label or "P50")
        ax.fill_between(xs, g["p5"] / scale, g["p95"] / scale, alpha=0.15, color=line.get_color())
        if not numeric:
            ax.set_xticks(xs, [_shown(v) for v in g[x_name]])
    left_out = len(groups) - MAX_LINES
    title = f"{output}: median, P5 to P95 shaded"
    if left_out > 0:
        title += f" ({left_out} more line(s) left out)"
    ax.set_title(_plain_text(title), loc="left")
    ax.set_xlabel(_plain_text(x_name))
    ax.set_ylabel(_plain_text(f"{output} ({unit_label})"))
    if others:
        ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def _tuple(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def _plain_text(text: str) -> str:
    return text.replace("$", r"\$")  # matplotlib reads $...$ as mathematics
