"""A kind's file shape, made from its field specs: one field of the YAML file per input.

The shape checks what pydantic checks well (known fields, required fields, the kind of value:
a number, a text, ``{value, source, note}``); the value itself (its unit, its bounds, a range)
is read once, by the model, through :func:`flopbook.inputs.read_input` with the same
:class:`~flopbook.inputs.FieldSpec`. A field added to a kind's specs is a field of its files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, create_model

from flopbook.scenario import InputValue

if TYPE_CHECKING:
    from flopbook.inputs import FieldSpec

__all__ = ["META", "file_shape"]

# what every scenario file may say about itself, whatever its kind
META: dict[str, Any] = {
    "name": (str, ""),
    "description": (str, ""),
    "source": (str | None, None),
    "note": (str | None, None),
}


def file_shape(
    name: str,
    fields: Mapping[str, FieldSpec],
    *,
    kind: str | Iterable[str] | None = None,
    value: Any = InputValue,
    required: Iterable[str] = (),
    more: Mapping[str, Any] | None = None,
    meta: bool = True,
) -> type[BaseModel]:
    """A pydantic model of a file: ``kind:`` (one of ``kind``; any text when None), the
    :data:`META` fields, one field per spec (of type ``value``, required where named in
    ``required``, else optional), and ``more`` (fields that are not inputs: a chip, the
    years)."""
    needed = set(required)
    inputs: dict[str, Any] = {
        n: (value, ...) if n in needed else (value | None, None) for n in fields
    }
    head: dict[str, Any] = {}
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        head["kind"] = (Literal[kinds], ...)  # type: ignore[valid-type]
    made: type[BaseModel] = create_model(  # type: ignore[call-overload]
        name,
        __config__=ConfigDict(extra="forbid"),
        **head,
        **(META if meta else {}),
        **inputs,
        **(more or {}),
    )
    return made
