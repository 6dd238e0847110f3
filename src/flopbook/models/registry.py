"""The declared model kinds, by name. Callers look a kind up here (``kind("fleet")``) or read
it from a result (``result.kind``) instead of branching on class names; adding a kind is
adding its declaration to :data:`KINDS`."""

from __future__ import annotations

from flopbook.errors import UnknownNameError, suggest
from flopbook.formula.declaration import Kind
from flopbook.models.cash_flow import CASH_FLOW
from flopbook.models.fleet import FLEET
from flopbook.models.workload import TRAINING

__all__ = ["KINDS", "kind"]

KINDS: dict[str, Kind] = {k.name: k for k in (FLEET, CASH_FLOW, TRAINING)}


def kind(name: str) -> Kind:
    """The kind called ``name``, or an error naming the nearest."""
    if name not in KINDS:
        raise UnknownNameError(f"unknown model kind {name!r}", hint=suggest(name, tuple(KINDS)))
    return KINDS[name]
