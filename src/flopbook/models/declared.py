"""A model of any declared kind, run from its declaration alone.

A kind that needs nothing beyond its declaration (its inputs' field specs, its formulas, its
totals) is run here: each item's inputs, read through their field specs, are evaluated by the
engine into the shared :class:`~flopbook.formula.result.Result`, which carries the inputs so
that reports (:mod:`flopbook.report.declared`) and sensitivity can lay out and rerun any such
kind. A file of the kind is read by :func:`flopbook.model_file.declared_from_document`.

    >>> from flopbook.models.declared import DeclaredModel
    >>> DeclaredModel(COMPARE, {"H20": {"price": "1.2 USD/GPU/hour", ...}}).run()
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flopbook.errors import InputError
from flopbook.formula.result import ItemOutputs, Result
from flopbook.formula.series import form_of, in_order
from flopbook.inputs import Input, read_input

if TYPE_CHECKING:
    import pint

    from flopbook.formula.declaration import Kind

__all__ = ["DeclaredModel", "run_declared"]


class DeclaredModel:
    """Items of a declared kind (name -> input name -> what was written, or an
    :class:`~flopbook.inputs.Input`), with the inputs shared by every item; ``where`` names
    the list the items came from, for errors (``items``: ``items[1].price``)."""

    def __init__(
        self,
        kind: Kind,
        items: Mapping[str, Mapping[str, Any]],
        shared: Mapping[str, Any] | None = None,
        *,
        choices: Mapping[str, Mapping[str, str]] | None = None,
        name: str = "",
        where: str | None = None,
    ) -> None:
        if not items:
            raise InputError(f"a {kind.label.lower()} needs at least one item", field="items")
        self.kind, self.name = kind, name
        self.choices = {str(c): dict(v) for c, v in (choices or {}).items()}
        for chosen in self.choices.values():
            for choice, value in chosen.items():
                if value not in kind.choices.get(choice, ()):
                    raise InputError(
                        f"{choice} is one of {', '.join(kind.choices.get(choice, ()))}",
                        field=choice,
                        hint=f"write e.g. {choice}: {next(iter(kind.choices.get(choice, ('',))))}",
                    )
        shared_read = self._read(shared or {}, "")
        self.inputs: dict[str, dict[str, Input]] = {}
        for i, (column, given) in enumerate(items.items()):
            prefix = "" if where is None else f"{where}[{i}]."
            self.inputs[str(column)] = {**shared_read, **self._read(given, prefix)}

    def _read(self, given: Mapping[str, Any], prefix: str) -> dict[str, Input]:
        """Each value read by its field spec, once; an error names ``prefix`` + the field."""
        kind, read = self.kind, {}
        for key, raw in given.items():
            if raw is None:
                continue
            if key not in kind.inputs:
                raise InputError(
                    f"{kind.label} has no input {key!r}",
                    field=prefix + key,
                    hint="inputs: " + ", ".join(kind.inputs),
                )
            if isinstance(raw, Input):
                read[key] = raw
                continue
            try:
                read[key] = read_input(kind.inputs[key], raw, key=key)
            except InputError as exc:
                raise InputError(exc.message, field=prefix + key, hint=exc.hint) from None
        return read

    def run(self) -> Result:
        return run_declared(self.kind, self.inputs, choices=self.choices, name=self.name)


def run_declared(
    kind: Kind,
    inputs: Mapping[str, Mapping[str, Input]],
    values: Mapping[str, Mapping[str, pint.Quantity]] | None = None,
    *,
    choices: Mapping[str, Mapping[str, str]] | None = None,
    name: str = "",
) -> Result:
    """The kind evaluated for each item (in order, where a year reads the one before);
    ``values`` replaces inputs' values (a sensitivity's draws), item by item."""
    given = [
        {n: (values or {}).get(column, {}).get(n, i.value) for n, i in item.items()}
        for column, item in inputs.items()
    ]
    columns = list(inputs)
    chosen = choices or {}
    if kind.carried:
        items: list[ItemOutputs] = in_order(kind, given)
    else:
        items = [
            ItemOutputs(kind, g, form_of(g, chosen.get(c)))
            for c, g in zip(columns, given, strict=True)
        ]
    result = Result(kind, columns, dict(zip(columns, items, strict=True)), name=name)
    result.inputs = {c: dict(item) for c, item in inputs.items()}
    result.choices = {c: dict(v) for c, v in chosen.items()}
    return result
