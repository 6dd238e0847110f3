"""One reader for a scenario file of any kind, keyed on its ``kind:``.

``kind: fleet`` (or no ``kind:`` at all: every fleet file written before kinds were named),
``training`` or ``inference``, ``fund`` or ``company``. The file is parsed once
(:class:`~flopbook.scenario.Document`); its kind picks the file shape, which stays beside its
model (:mod:`flopbook.fleet_file`, :mod:`flopbook.workload_file`, :mod:`flopbook.payer_file`)
and checks each value once, with the model's field specs. A command that takes a file of any
kind (``flopbook report``) reads it here, and a new kind's reader joins :data:`READERS`.

    >>> from flopbook.model_file import read_model
    >>> kind, model = read_model("examples/high-flyer.yaml")   # ("fund", Fund(...))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flopbook.errors import InputError, suggest
from flopbook.fleet_file import fleet_from_document
from flopbook.payer_file import payer_from_document
from flopbook.scenario import Document
from flopbook.workload_file import workload_from_document

__all__ = ["READERS", "kind_of", "model_from_document", "read_model"]

# kind -> the reader that makes its model (a Fleet, a Training or Inference, a Fund or Company)
READERS: dict[str, Callable[[Document], Any]] = {
    "fleet": fleet_from_document,
    "training": workload_from_document,
    "inference": workload_from_document,
    "fund": payer_from_document,
    "company": payer_from_document,
}


def kind_of(doc: Document) -> str:
    """The file's kind: its ``kind:``, or ``fleet`` when it names none."""
    kind = doc.data.get("kind", "fleet")
    if kind not in READERS:
        raise InputError(
            f"unknown kind {kind!r}",
            file=doc.file,
            line=doc.line(("kind",)),
            field="kind",
            hint=suggest(str(kind), tuple(READERS)),
        )
    return str(kind)


def model_from_document(doc: Document) -> tuple[str, Any]:
    """(kind, the model the document describes, not yet run)."""
    kind = kind_of(doc)
    return kind, READERS[kind](doc)


def read_model(path: str | Path) -> tuple[str, Any]:
    """Read a scenario file of any kind: (kind, its model, not yet run)."""
    return model_from_document(Document.read(path))
