"""One reader for a scenario file of any kind, keyed on its ``kind:``.

``kind: fleet`` (or no ``kind:`` at all: every fleet file written before kinds were named),
``training`` or ``inference``, ``fund`` or ``company``. The file is parsed once
(:class:`~flopbook.scenario.Document`); its kind picks the file shape, which stays beside its
model (:mod:`flopbook.fleet_file`, :mod:`flopbook.workload_file`, :mod:`flopbook.payer_file`)
and checks each value once, with the model's field specs. A command that takes a file of any
kind (``flopbook report``) reads it here; a kind's reader registers in the ``READERS`` of
its module, which :data:`READERS` gathers.

    >>> from flopbook.model_file import read_model
    >>> kind, model = read_model("examples/high-flyer.yaml")   # ("fund", Fund(...))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from flopbook.errors import InputError, suggest
from flopbook.formula.shape import file_shape
from flopbook.models.declared import DeclaredModel
from flopbook.models.registry import KINDS
from flopbook.models.registry import kind as registry_kind
from flopbook.registered import Gathered
from flopbook.scenario import Document, _guard, _raw

__all__ = ["READERS", "declared_from_document", "kind_of", "model_from_document", "read_model"]

# kind -> the reader that makes its model (a Fleet, a Training or Inference, a Fund or Company):
# the READERS of each reader module (fleet_file.py, workload_file.py, payer_file.py: found by
# the name's ending, _file) and of each module of flopbook.models (a reader beside its kind's
# declaration)
READERS: Gathered[Callable[[Document], Any]] = Gathered(
    "READERS", "flopbook.*_file", "flopbook.models.*"
)


def _readable() -> tuple[str, ...]:
    """Every kind a file may name: those with a reader of their own, and every declared kind
    that needs nothing beyond its declaration (read by :func:`declared_from_document`)."""
    return (*READERS, *(k for k, v in KINDS.items() if k not in READERS and v.readable))


def kind_of(doc: Document) -> str:
    """The file's kind: its ``kind:``, or ``fleet`` when it names none."""
    kind = doc.data.get("kind", "fleet")
    if kind not in _readable():
        raise InputError(
            f"unknown kind {kind!r}",
            file=doc.file,
            line=doc.line(("kind",)),
            field="kind",
            hint=suggest(str(kind), _readable()),
        )
    return str(kind)


def model_from_document(doc: Document) -> tuple[str, Any]:
    """(kind, the model the document describes, not yet run)."""
    kind = kind_of(doc)
    return kind, READERS.get(kind, declared_from_document)(doc)


def declared_from_document(doc: Document) -> DeclaredModel:
    """A file of a declared kind, read from its declaration alone: its inputs at the top
    (one item, named by the file's ``name:``), or shared inputs at the top and ``items:``,
    each with a ``name:`` and its own inputs. The shape is made from the kind's field
    specs; each value is read once, by its spec."""
    kind = registry_kind(str(doc.data.get("kind")))
    item_fields = {n: s for n, s in kind.item_inputs.items() if n not in kind.carried}
    choices: dict[str, Any] = {
        c: (Literal[values] | None, None)  # type: ignore[valid-type]
        for c, values in kind.choices.items()
    }
    item = file_shape(
        f"{kind.name}_item", item_fields, more={"name": (str | None, None), **choices}, meta=False
    )
    shape = file_shape(
        f"{kind.name}_file",
        {**item_fields, **kind.shared_inputs},
        kind=kind.name,
        more={"items": (list[item] | None, None), **choices},  # type: ignore[valid-type]
    )
    spec: Any = doc.validate(shape, ())
    top = {n: _raw(getattr(spec, n)) for n in (*item_fields, *kind.shared_inputs) if n in doc.data}
    chosen = {c: getattr(spec, c) for c in kind.choices if getattr(spec, c) is not None}
    if spec.items is None:
        name = spec.name or kind.label
        return _guard(
            doc,
            (),
            lambda: DeclaredModel(kind, {name: top}, choices={name: chosen}, name=spec.name),
        )
    shared = {n: v for n, v in top.items() if n in kind.shared_inputs}
    items: dict[str, dict[str, Any]] = {}
    choices_of: dict[str, dict[str, str]] = {}
    for i, it in enumerate(spec.items):
        label = it.name or f"item {i + 1}"
        items[label] = {n: _raw(getattr(it, n)) for n in item_fields if getattr(it, n) is not None}
        choices_of[label] = {
            **chosen,
            **{c: getattr(it, c) for c in kind.choices if getattr(it, c) is not None},
        }
    return _guard(
        doc,
        (),
        lambda: DeclaredModel(
            kind, items, shared, choices=choices_of, name=spec.name, where="items"
        ),
    )


def read_model(path: str | Path) -> tuple[str, Any]:
    """Read a scenario file of any kind: (kind, its model, not yet run)."""
    return model_from_document(Document.read(path))
