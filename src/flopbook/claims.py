"""Claims checked against unit expressions: holds / off by N× / not comparable.

A claims file (YAML, read with line numbers)::

    title: Energy per ChatGPT query
    define:
      home_power: {value: "10,715 kWh / year", source: "US EIA, 2020 average"}
    claims:
      - claim: "1 query = 5 H100-seconds = 5 seconds of an average US home"
        expression: 5 s * H100.tdp          # what the model computes
        claimed: 5 s * home_power           # what the claim says it equals
        tolerance: 10%                      # or "2x": within a factor of two
        source: Corry Wang, Bluesky, 2025-04-29

A verdict compares the claimed value with the expression's value (by the mean where a figure
is a range): it *holds* within the tolerance; otherwise it is *off by N×*, too high or too
low; and where the two are different kinds of quantity it is *not comparable*, with what
separates them (an energy is not a power: they differ by a time).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

import pint
from pydantic import BaseModel, ConfigDict, Field

from flopbook.calc import describe, difference, evaluate, parse
from flopbook.catalog import catalog
from flopbook.errors import InputError
from flopbook.frames import records_frame
from flopbook.quantity import magnitudes, q, registry, summarize
from flopbook.scenario import Document
from flopbook.workload_file import validate

__all__ = ["ClaimVerdict", "check_claims", "defined_values", "judge", "read_claims", "tolerance"]


class DefinedValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str | float | int
    source: str | None = None
    note: str | None = None


class ClaimSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    claim: str
    expression: str | float | int
    claimed: str | float | int
    tolerance: str | float | None = "10%"
    source: str | None = None
    note: str | None = None


class ClaimsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = ""
    description: str = ""
    define: dict[str, str | float | int | DefinedValue] = Field(default_factory=dict)
    claims: list[ClaimSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Tolerance:
    kind: Literal["relative", "factor"]
    value: float

    def holds(self, ratio: float) -> bool:
        if self.kind == "relative":
            return abs(ratio - 1) <= self.value + 1e-12
        return max(ratio, 1 / ratio) <= self.value + 1e-12

    def __str__(self) -> str:
        if self.kind == "relative":
            return f"±{self.value * 100:.4g}%"
        return f"within {self.value:g}×"

    @property
    def words(self) -> str:
        """``±10%`` or ``a factor of 2``, for sentences."""
        return str(self) if self.kind == "relative" else f"a factor of {self.value:g}"


def tolerance(raw: str | float | None) -> Tolerance:
    """``"10%"`` or ``0.1`` (relative), ``"2x"`` (within a factor of two). A bare number
    above 1 is refused: ``5`` would be ±500%, and was almost certainly meant as 5%."""
    if raw is None:
        return Tolerance("relative", 0.1)
    if isinstance(raw, str) and raw.strip().lower().rstrip("x×").strip() != raw.strip().lower():
        number = raw.strip().lower().rstrip("x×").strip()
        try:
            factor = float(number)
        except ValueError:
            factor = 0.0
        if not (1 <= factor < math.inf):
            raise InputError(
                f"cannot read tolerance {raw!r}",
                field="tolerance",
                hint='a factor is at least 1, e.g. "2x"; or a share, e.g. "10%"',
            )
        return Tolerance("factor", factor)

    try:
        share = q(raw) if isinstance(raw, str) else q(float(raw))
        value = float(share.to("").magnitude[0])
    except Exception:
        raise InputError(
            f"cannot read tolerance {raw!r}",
            field="tolerance",
            hint='write a share such as "10%" or a factor such as "2x"',
        ) from None
    if not math.isfinite(value):  # .nan would make every comparison false: a verdict of nothing
        raise InputError(
            f"tolerance must be a finite number, got {raw!r}",
            field="tolerance",
            hint='write e.g. "10%"',
        )
    if value < 0:
        raise InputError(
            f"tolerance must not be negative, got {raw!r}",
            field="tolerance",
            hint='write e.g. "10%"',
        )
    written = f"{raw:g}" if isinstance(raw, int | float) else str(raw).strip()
    if value > 1 and "%" not in written and "percent" not in written:
        raise InputError(
            f"a tolerance of {written} would be ±{value:.0%}",
            field="tolerance",
            hint=f'did you mean {written}%? (or "{written}x": within a factor)',
        )
    return Tolerance("relative", value)


@dataclass(frozen=True)
class ClaimVerdict:
    """One claim: what the expression gives, what the claim says, and the verdict."""

    claim: str
    expression: str
    claimed_text: str
    model: pint.Quantity[Any]
    claimed: pint.Quantity[Any]
    verdict: Literal["holds", "off", "not comparable"]
    tolerance: Tolerance
    ratio: float | None  # claimed / model
    explanation: str
    source: str | None = None
    note: str | None = None

    @property
    def holds(self) -> bool:
        return self.verdict == "holds"

    @property
    def factor(self) -> float | None:
        """How many times the claim is off (always >= 1), or None when not comparable."""
        if self.ratio is None or self.ratio <= 0:
            return None
        return max(self.ratio, 1 / self.ratio)

    @property
    def direction(self) -> str | None:
        """``too high`` or ``too low`` for a claim that is off."""
        if self.verdict != "off" or self.ratio is None or self.ratio <= 0:
            return None
        return "too high" if self.ratio > 1 else "too low"

    @property
    def label(self) -> str:
        if self.verdict == "off" and self.factor is not None:
            return f"off by {_times(self.factor)} ({self.direction})"
        return self.verdict

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "expression": self.expression,
            "claimed_expression": self.claimed_text,
            "model": summarize(self.model).as_dict(),
            "claimed": summarize(self.claimed).as_dict(),
            "verdict": self.verdict,
            "label": self.label,
            "ratio": self.ratio,
            "factor": self.factor,
            "direction": self.direction,
            "tolerance": {
                "kind": self.tolerance.kind,
                "value": self.tolerance.value,
                "text": str(self.tolerance),
            },
            "explanation": self.explanation,
            "source": self.source,
            "note": self.note,
        }


def claims_frame(verdicts: list[ClaimVerdict]) -> Any:
    """Claim verdicts as a pandas DataFrame: the model's and the claimed figures as floats
    named with their units, the verdict and ratio beside."""

    return records_frame([v.as_dict() for v in verdicts], index="claim")


def _times(x: float) -> str:
    return f"{x:,.0f}×" if x >= 100 else f"{x:,.3g}×"


def judge(
    claim: str,
    model: pint.Quantity[Any],
    claimed: pint.Quantity[Any],
    tol: Tolerance,
    *,
    expression: str = "",
    claimed_text: str = "",
    source: str | None = None,
    note: str | None = None,
) -> ClaimVerdict:
    """The verdict on a claim that ``claimed`` equals ``model``."""
    judged = partial(
        ClaimVerdict,
        claim=claim,
        expression=expression,
        claimed_text=claimed_text,
        model=model,
        claimed=claimed,
        tolerance=tol,
        source=source,
        note=note,
    )
    try:
        c = float(magnitudes(claimed.to(model.units)).mean())
    except pint.DimensionalityError:
        return judged(
            verdict="not comparable",
            ratio=None,
            explanation=f"the claim gives {describe(claimed)}, the expression "
            f"{describe(model)}: {difference(claimed, model)}",
        )
    m = float(magnitudes(model).mean())
    if m == 0 or c == 0:
        same = m == c
        return judged(
            verdict="holds" if same else "off",
            ratio=None,
            explanation="both are zero" if same else "one side is zero",
        )
    ratio = c / m
    if tol.holds(ratio):
        how = "exactly" if abs(ratio - 1) < 1e-9 else f"within {abs(ratio - 1):.1%}"
        return judged(
            verdict="holds", ratio=ratio, explanation=f"the claim matches the expression {how}"
        )
    if ratio < 0:
        return judged(
            verdict="off", ratio=ratio, explanation="the claim and the expression differ in sign"
        )
    # the label already says by how much and which way; say what it was judged against
    return judged(verdict="off", ratio=ratio, explanation=f"outside the tolerance ({tol.words})")


def _expr_text(raw: str | float | int) -> str:
    return raw if isinstance(raw, str) else repr(raw)


# Hints for a claims file's fields when one is missing or wrong.
EXAMPLES = {
    "claims": 'add a list, e.g. claims: [{claim: "…", expression: "5 s * H100.tdp", '
    'claimed: "1 Wh"}]',
    "claim": 'add the claim in words, e.g. claim: "An H100 draws as much as a home"',
    "expression": 'add what the figures give, e.g. expression: "5 s * H100.tdp"',
    "claimed": 'add the value the claim states, e.g. claimed: "5 s * home"',
    "value": 'write e.g. value: "10,715 kWh / year"',
}


def defined_values(doc: Document, define: Mapping[str, Any]) -> dict[str, pint.Quantity[Any]]:
    """The values of a ``define:`` mapping. A definition may use any other (in any order);
    a name that is already a unit or a catalog chip, a cycle, or a name that is not defined
    is an error located at its line."""
    parsed = {}
    for name, raw in define.items():
        where = ("define", name)
        if not name.isidentifier():
            raise doc.error(
                InputError(
                    f"{name!r} cannot be used as a name",
                    hint="use letters, digits and _ (e.g. home_power)",
                ),
                where,
            )
        text = _expr_text(raw.value if isinstance(raw, DefinedValue) else raw)
        try:
            parsed[name] = parse(text)
        except InputError as exc:
            raise doc.error(InputError(exc.message, hint=exc.hint), where) from None
    uses = {name: [n for n in e.names() if n in parsed] for name, e in parsed.items()}
    order = _dependency_order(doc, uses)
    for name in parsed:
        what = None
        if name in catalog():
            what = f"a chip in the catalog ({catalog().get(name).id})"
        else:
            with contextlib.suppress(
                pint.UndefinedUnitError, AttributeError, ValueError, TypeError
            ):
                unit = registry().Unit(name)
                what = f"a unit ({unit:P})"
        if what is not None:
            raise doc.error(
                InputError(
                    f"{name!r} is already {what}; defining it would change "
                    "what it means everywhere",
                    hint=f"choose another name, e.g. my_{name}",
                ),
                ("define", name),
            )
    names: dict[str, pint.Quantity[Any]] = {}
    for name in order:
        try:
            names[name] = evaluate(parsed[name], names)
        except InputError as exc:
            raise doc.error(InputError(exc.message, hint=exc.hint), ("define", name)) from None
    return names


def _dependency_order(doc: Document, uses: Mapping[str, list[str]]) -> list[str]:
    """The defined names, each after the names it uses; a cycle is an error."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            cycle = path[path.index(name) :] + [name]
            message = (
                f"{name!r} is defined in terms of itself"
                if len(cycle) == 2
                else "these names are defined in terms of each other: " + " → ".join(cycle)
            )
            raise doc.error(
                InputError(
                    message,
                    hint='give one of them a number and a unit, e.g. home: "10,715 kWh / year"',
                ),
                ("define", cycle[0]),
            )
        state[name] = "open"
        for used in uses[name]:
            visit(used, [*path, name])
        state[name] = "done"
        order.append(name)

    for name in uses:
        visit(name, [])
    return order


def check_claims(
    doc: Document, model: type[BaseModel] = ClaimsFile
) -> tuple[Any, list[ClaimVerdict]]:
    """Every claim of a claims document, judged. Errors name the file, line and field.

    ``model`` is the document's schema: a claims file, or a case file that has ``define`` and
    ``claims`` among its fields."""
    spec: Any = validate(doc, model, examples=EXAMPLES)
    names = defined_values(doc, spec.define)
    verdicts = []
    for i, c in enumerate(spec.claims):
        values = []
        for key in ("expression", "claimed"):
            try:
                values.append(evaluate(_expr_text(getattr(c, key)), names))
            except InputError as exc:
                raise doc.error(
                    InputError(exc.message, hint=exc.hint), ("claims", i, key)
                ) from None
        try:
            tol = tolerance(c.tolerance)
        except InputError as exc:
            raise doc.error(
                InputError(exc.message, hint=exc.hint), ("claims", i, "tolerance")
            ) from None
        verdicts.append(
            judge(
                c.claim,
                values[0],
                values[1],
                tol,
                expression=_expr_text(c.expression),
                claimed_text=_expr_text(c.claimed),
                source=c.source,
                note=c.note,
            )
        )
    return spec, verdicts


def read_claims(path: str | Path) -> tuple[ClaimsFile, list[ClaimVerdict]]:
    return check_claims(Document.read(path))
