"""A model kind, declared once: its inputs, its formulas and its outputs.

A formula is a named expression in flopbook's unit expression language (the one ``flopbook
calc`` reads, :mod:`flopbook.calc`) over the kind's inputs, its other formulas, its named
constants and units. Where an item's inputs can take several forms (a server cost or a GPU
price; a networking cost as a share or per GPU), a formula lists one expression per form,
each with the condition under which it applies; the first that holds is the item's formula.
A formula none of whose conditions holds is unknown for that item (shown as "—"), and so is
any formula that reads it.

Outputs are *extensive* formulas (they add across items) or *ratios* of two extensive ones
(intensive: their total is the ratio of the totals, never a sum). Other formulas are steps:
computed, shown in the workbook inside the formulas that use them, not reported.

Conditions are short phrases over the item's *form* (what was given, and how):

- ``"gpu_price given"`` / ``"operating_cost missing"``: an input was given or not;
- ``"networking is share"`` / ``"networking is amount"``: a plain number (a share of
  something) or a quantity with a unit;
- ``"capital_cost is annuity"``: a choice input's value.

Inside a formula's own expression its own name, if it is also an input's, means the input
(``hosting: it_power * hosting`` is the hosting line: IT power times the hosting rent); a
formula cannot read itself.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import pint

from flopbook.calc import AGGREGATES, FUNCTIONS, parse
from flopbook.quantity import registry

if TYPE_CHECKING:
    from flopbook.calc import Expression
    from flopbook.inputs import FieldSpec

__all__ = [
    "Case",
    "Constant",
    "Form",
    "Formula",
    "Kind",
    "Ratio",
    "Total",
    "extensive",
    "ratio",
    "step",
    "total",
]

_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(given|missing|is\s+[A-Za-z_]+)\s*$")


@dataclass(frozen=True)
class Form:
    """What an item was given, and how: the facts conditions are judged on."""

    given: frozenset[str] = frozenset()
    shares: frozenset[str] = frozenset()  # given inputs that are plain numbers (shares)
    choices: tuple[tuple[str, str], ...] = ()  # choice input -> the chosen value

    def holds(self, condition: str | None) -> bool:
        if condition is None:
            return True
        m = _CONDITION.match(condition)
        if m is None:  # checked when the kind is declared; kept for a clear failure
            raise ValueError(f"cannot read the condition {condition!r}")
        name, test = m.group(1), m.group(2)
        if test == "given":
            return name in self.given
        if test == "missing":
            return name not in self.given
        value = test.split()[1]
        if value == "share":
            return name in self.given and name in self.shares
        if value == "amount":
            return name in self.given and name not in self.shares
        return dict(self.choices).get(name) == value


@dataclass(frozen=True)
class Case:
    """One expression of a formula and the condition under which it applies (None: always)."""

    expression: str
    when: str | None = None

    @cached_property
    def parsed(self) -> Expression:

        return parse(self.expression)


@dataclass(frozen=True)
class Formula:
    """A named expression (one per form of the inputs); ``kind`` says how totals treat it."""

    key: str
    unit: str  # the unit the formula's value is expressed in
    cases: tuple[Case, ...]
    kind: Literal["extensive", "step"] = "extensive"
    label: str = ""
    doc: str = ""
    shown: bool = True  # a workbook line of its own (a step without one is written inline)

    def case(self, form: Form) -> Case | None:
        return next((c for c in self.cases if form.holds(c.when)), None)

    def text(self, form: Form | None = None) -> str:
        """The formula as written: the item's own case, or every case with its condition."""
        if form is not None:
            found = self.case(form)
            return found.expression if found else ""
        if len(self.cases) == 1:
            return self.cases[0].expression
        return "; ".join(
            f"{c.expression} if {c.when}" if c.when else c.expression for c in self.cases
        )


@dataclass(frozen=True)
class Ratio:
    """An intensive output: the ratio of two extensive formulas, item by item and in total."""

    key: str
    label: str
    unit: str
    numerator: str
    denominator: str
    doc: str = ""
    kind: Literal["intensive"] = "intensive"

    def text(self, form: Form | None = None) -> str:
        return f"{self.numerator} / {self.denominator}"


@dataclass(frozen=True)
class Constant:
    """A number of the model that is not a unit conversion, with its reason."""

    name: str
    value: float
    unit: str
    label: str
    source: str


@dataclass(frozen=True)
class Total:
    """A figure of the whole run that is not a sum of items: an expression over totals of
    the kind's formulas across its items, ``lowest_of(ratio)`` (the lowest over the years),
    ``highest_of``, ``product_of`` and ``count_of`` (the items that have it), with numbers,
    constants, units and the language's functions around them. ``of`` names the output whose
    Total it is (the coverage is the ratio line's), if any."""

    key: str
    label: str
    unit: str
    expression: str
    doc: str = ""
    of: str | None = None

    @cached_property
    def parsed(self) -> Expression:
        return parse(self.expression)

    def aggregated(self) -> list[str]:
        """The formulas the total reads, in the order first read."""
        return list(
            dict.fromkeys(
                a.id
                for n in ast.walk(self.parsed.tree)
                if isinstance(n, ast.Call)
                and isinstance(n.func, ast.Name)
                and n.func.id in AGGREGATES
                for a in n.args
                if isinstance(a, ast.Name)
            )
        )


def total(
    key: str, label: str, unit: str, expression: str, doc: str = "", *, of: str | None = None
) -> Total:
    """A total over the items that is not their sum (``"lowest_of(ratio)"``)."""
    return Total(key, label, unit, expression, doc, of)


Output = Formula | Ratio


def _cases(expression: str | Mapping[str | None, str] | Iterable[Case]) -> tuple[Case, ...]:
    if isinstance(expression, str):
        return (Case(expression),)
    if isinstance(expression, Mapping):
        # {condition: expression}; the key None (or "otherwise") is the case that always holds
        return tuple(
            Case(e, None if w in (None, "otherwise") else w) for w, e in expression.items()
        )
    return tuple(expression)


def extensive(
    key: str, label: str, unit: str, expression: str | Mapping[str | None, str], doc: str = ""
) -> Formula:
    """An output that adds across items (GPUs, dollars, watts)."""
    return Formula(key, unit, _cases(expression), "extensive", label, doc)


def step(
    key: str,
    unit: str,
    expression: str | Mapping[str | None, str],
    doc: str = "",
    *,
    label: str = "",
) -> Formula:
    """A formula other formulas read, not reported on its own. With a ``label`` it has a
    workbook line of its own (a fund's NAV); without, it is written inside the formulas
    that read it."""
    return Formula(key, unit, _cases(expression), "step", label or key, doc, shown=bool(label))


def ratio(
    key: str, label: str, unit: str, numerator: str, denominator: str, doc: str = ""
) -> Ratio:
    """An output that is the ratio of two extensive outputs (per GPU, per hour)."""
    return Ratio(key, label, unit, numerator, denominator, doc or f"{numerator} / {denominator}")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per kind
class Kind:
    """A model kind: inputs per item and shared, formulas, outputs in the order shown."""

    name: str
    label: str
    item_inputs: Mapping[str, FieldSpec]
    shared_inputs: Mapping[str, FieldSpec]
    outputs: tuple[Output, ...]
    steps: tuple[Formula, ...] = ()
    constants: tuple[Constant, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    headlines: tuple[str, ...] = ()  # outputs a report draws the distribution of
    doc: str = ""
    # items in order (a payer's years): input -> the formula whose value in the item before
    # it takes (``nav_prev`` is last year's ``nav``); absent in the first item
    carried: Mapping[str, str] = field(default_factory=dict)
    # figures of the whole run that are not sums of items (the lowest ratio over the years)
    totals: tuple[Total, ...] = ()
    # whether an extensive output without a declared Total is the sum of its items (False:
    # a payer's years, where a stock or a share does not add up; its flows declare theirs)
    sums: bool = True
    # a file may name it (``kind: <name>``) and be run from the declaration alone, with no
    # reader, report block or sensitivity of its own (flopbook.models.declared)
    readable: bool = False
    # the command that runs a file of this kind, when it has one of its own (``workload``):
    # a file of it given to another such command is sent there
    command: str | None = None

    def __repr__(self) -> str:
        return f"<Kind {self.name}: {len(self.outputs)} outputs, {len(self.inputs)} inputs>"

    @cached_property
    def formulas(self) -> dict[str, Formula]:
        """Every formula by key: the extensive outputs and the steps."""
        return {f.key: f for f in [*self.outputs, *self.steps] if isinstance(f, Formula)}

    @cached_property
    def output(self) -> dict[str, Output]:
        return {o.key: o for o in self.outputs}

    @cached_property
    def total(self) -> dict[str, Total]:
        """The declared totals by key."""
        return {t.key: t for t in self.totals}

    def total_of(self, output: str) -> Total | None:
        """The declared total that is ``output``'s Total (None: the default one)."""
        return next((t for t in self.totals if t.of == output), None)

    @cached_property
    def constant(self) -> dict[str, Constant]:
        return {c.name: c for c in self.constants}

    @property
    def inputs(self) -> dict[str, FieldSpec]:
        return {**self.item_inputs, **self.shared_inputs}

    def reads(self, key: str, form: Form) -> list[str]:
        """The names the formula ``key``'s case for ``form`` reads (inputs, formulas,
        constants; units and functions left out)."""
        case = self.formulas[key].case(form)
        if case is None:
            return []
        known = {*self.inputs, *self.formulas, *self.constant}
        return [n for n in dict.fromkeys(case.parsed.names()) if n in known]

    def formula_reads(self, key: str, name: str) -> bool:
        """Whether a name in ``key``'s expression means the formula ``name`` (not an input
        of the same name: in its own expression a formula's name is the input's)."""
        return name in self.formulas and name != key

    def check(self) -> None:
        """Fail early on a declaration that cannot work: a condition that cannot be read, a
        name that is nothing, a ratio of unknown outputs (checked once, when the kind is
        first compiled; formulas that read each other are refused per form, when compiled)."""
        if not self._checked:
            raise AssertionError("unreachable")  # _checked raises on a bad declaration

    @cached_property
    def _checked(self) -> bool:

        known = {*self.inputs, *self.formulas, *self.constant}
        for f in self.formulas.values():
            for c in f.cases:
                if c.when is not None and not _CONDITION.match(c.when):
                    raise ValueError(f"{self.name}.{f.key}: cannot read the condition {c.when!r}")
                for n in c.parsed.names():
                    if n not in known and n not in FUNCTIONS and not _is_unit(n):
                        raise ValueError(
                            f"{self.name}.{f.key}: {n!r} is not an input, a "
                            f"formula, a constant or a unit"
                        )
        for t in self.totals:
            self._check_total(t)
        for name, formula in self.carried.items():
            if name not in self.inputs or formula not in self.formulas:
                raise ValueError(f"{self.name}: {name} carries {formula!r}, not a formula")
        for o in self.outputs:
            if isinstance(o, Ratio):
                for n in (o.numerator, o.denominator):
                    if n not in self.formulas or self.formulas[n].kind != "extensive":
                        raise ValueError(f"{self.name}.{o.key}: {n!r} is not an extensive output")
        # formulas that read each other are refused when a form is compiled: a solver reads
        # its unknown from the others, and which one is unknown depends on the form
        return True

    def _check_total(self, t: Total) -> None:
        """A total reads formulas only inside an aggregate (one formula each), and else
        constants, units and functions."""
        inside = set()
        for n in ast.walk(t.parsed.tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in AGGREGATES:
                arg = n.args[0]
                if not isinstance(arg, ast.Name) or arg.id not in self.formulas:
                    raise ValueError(f"{self.name}.{t.key}: {n.func.id} takes one formula's name")
                inside.add(id(arg))
        for n in ast.walk(t.parsed.tree):
            if isinstance(n, ast.Name) and id(n) not in inside:
                called = n.id in FUNCTIONS
                if not called and n.id not in self.constant and not _is_unit(n.id):
                    raise ValueError(
                        f"{self.name}.{t.key}: {n.id!r} outside an aggregate "
                        "(sum_of, lowest_of, highest_of, product_of, count_of)"
                    )
        if t.of is not None and t.of not in self.output:
            raise ValueError(f"{self.name}.{t.key}: totals {t.of!r}, not an output")


def _is_unit(name: str) -> bool:

    try:
        registry().Unit(name)
    except (pint.UndefinedUnitError, AttributeError, ValueError, TypeError):
        return False
    return True
