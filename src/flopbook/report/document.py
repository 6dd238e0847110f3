"""What a report holds, whatever model it comes from: inputs, calculation blocks with their
formulas, checks against published figures, tables as published, charts.

A model kind turns its result into these objects once (see :mod:`flopbook.report`); the
workbook writer (:mod:`flopbook.render.excel`) and the HTML writer
(:mod:`flopbook.render.html`) render any of them without knowing the model.

Formulas are Excel formulas (without the leading ``=``) in which a cell of the report is
written in braces and resolved by the workbook writer:

- ``{capex}``: the line ``capex`` of the same block, same column;
- ``{capex@Total}``: the line ``capex`` of the same block, column ``Total``;
- ``{#1:capex@Total}``: the same in block 1 (checks refer to blocks this way).

Anything else in a formula is a defined name (an input or a unit conversion) or an Excel
function; there are no bare numbers, so that each constant has a name and a source.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from flopbook.formula.result import TOTAL

if TYPE_CHECKING:
    from flopbook.cases.result import Claim, Discrepancy, Grid, Source
    from flopbook.quantity import Summary
    from flopbook.sensitivity import Sensitivity


@dataclass
class InputRow:
    """One input as the workbook shows it: the value used, and where it came from."""

    name: str  # the workbook's defined name, e.g. count_H800
    place: str  # where it was written, e.g. skus.H800.count
    label: str
    value: float  # the value the calculations use (the median of a range)
    unit: str  # the unit of ``value``; "" for a share or plain number
    low: float | None = None  # the ends of a range (5th and 95th percentile)
    high: float | None = None
    distribution: str = "point"  # point, or how a range is sampled
    source: str | None = None
    note: str | None = None
    default: bool = False  # a flopbook default rather than a value from the scenario
    percent: bool = False  # show as a percentage (the user wrote one)

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None


# input: brings an input into a column; single: one value (a block without a Total)
LineKind = Literal["extensive", "intensive", "input", "single"]


@dataclass
class Line:
    """One row of a calculation block: a formula and the engine's value in each column."""

    key: str
    label: str
    unit: str
    kind: LineKind
    doc: str
    formulas: dict[str, str | None] = field(default_factory=dict)  # column -> formula
    values: dict[str, float | None] = field(default_factory=dict)  # at the values used
    summaries: dict[str, Summary | None] = field(default_factory=dict)  # with uncertainty
    percent: bool = False  # a share, shown as a percentage
    # the Total column's unit where it is not the line's: a yearly amount's years added up
    # are an amount (USD), not an amount a year
    total_unit: str | None = None

    def unit_in(self, column: str) -> str:
        """The unit of the line's figure in ``column``."""
        return self.total_unit if column == TOTAL and self.total_unit is not None else self.unit


@dataclass
class Block:
    """A table of calculations: lines by columns (SKUs and a Total)."""

    title: str
    columns: list[str]
    lines: list[Line]
    highlights: list[str]  # line keys shown in the results
    notes: list[str] = field(default_factory=list)
    sampled: bool = False  # summaries carry an interval
    engine: Any = None  # the model's own result at the values used (what the cells must equal)

    def line(self, key: str) -> Line:
        for ln in self.lines:
            if ln.key == key:
                return ln
        raise KeyError(key)


@dataclass
class CheckRow:
    """A published figure beside the model's answer (a formula when the model has a cell)."""

    label: str
    published: float
    unit: str
    model: float  # the engine's answer at the values used
    formula: str | None  # None: the answer is written as a value
    tolerance: float | None
    source: Source
    derived: bool = False
    note: str | None = None
    model_sampled: float | None = None  # the mean over samples, where inputs are ranges
    category: str | None = None  # reproduction, restatement or consistency (cases)
    tolerance_reason: str | None = None

    @property
    def ratio(self) -> float:
        return self.model / self.published if self.published else float("inf")

    @property
    def ok(self) -> bool | None:
        return None if self.tolerance is None else abs(self.ratio - 1) <= self.tolerance


@dataclass
class Chart:
    """A chart in a report: what to draw, or a figure already drawn.

    ``drawing`` names one of the figures in :data:`flopbook.render.charts.DRAWINGS` and
    ``data`` holds its arguments; the page draws it when it is rendered, so building a report
    decides which charts it has and the renderers draw them. A figure made elsewhere joins as
    inline SVG (preferred) or PNG bytes, through :meth:`from_figure`."""

    title: str
    svg: str | None = None
    png: bytes | None = None
    caption: str = ""
    drawing: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_figure(cls, figure: Any, title: str, caption: str = "") -> Chart:
        """Any matplotlib figure as an embeddable chart (text kept as text, so the page can
        be searched and read by screen readers)."""
        # matplotlib loads in about a second; only charts need it
        import matplotlib

        buf = io.StringIO()
        # the salt is the title, so two charts on one page never share an element id
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": title}):
            figure.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        text = buf.getvalue()
        start = text.find("<svg")
        return cls(title, svg=text[start:] if start >= 0 else text, caption=caption)


@dataclass
class Report:
    """Everything a report shows, in the order it is shown."""

    title: str
    kind: str  # "fleet scenario", "reference case", …
    summary: str = ""
    conclusion: str = ""  # what a case concludes, in words (its last line)
    inputs: list[InputRow] = field(default_factory=list)
    constants: list[InputRow] = field(default_factory=list)  # unit conversions
    blocks: list[Block] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)  # tables as published, and corrected
    discrepancies: list[Discrepancy] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)  # claims in words, and the model's
    sensitivity: list[Sensitivity] = field(default_factory=list)  # on request
    origin: str = ""  # the scenario file or case the report was made from
    # the model results behind the report (not shown; sensitivity reruns their models)
    subjects: list[Any] = field(default_factory=list, repr=False)

    @property
    def sampled(self) -> bool:
        return any(b.sampled for b in self.blocks) or any(i.is_range for i in self.inputs)

    def input(self, name: str) -> InputRow:
        for i in [*self.inputs, *self.constants]:
            if i.name == name:
                return i
        raise KeyError(name)
