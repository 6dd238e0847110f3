"""Tables made from the modules that register in them, found by module name.

A model kind registers each part of itself where that part is written: its declaration in
``models/<kind>.py`` (``KINDS``), its reader beside it (``READERS``), its report block and
the hooks of its sensitivity in ``report/<kind>.py`` (``BLOCKS``, ``UNCERTAINTY``). Each
table that callers read (the registry's :data:`~flopbook.models.registry.KINDS`, the
readers', the report blocks') is a :class:`Gathered`: the union of the tables of that name
in every module of a package, as the audit finds its rules by file name. No table is kept by
hand, and no layer imports the one above it: a table is gathered from the modules of its own
layer.

    >>> READERS = Gathered("READERS", "flopbook.models.*", "flopbook.*_file")  # when first read
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

__all__ = ["Gathered"]

V = TypeVar("V")


class Gathered(MutableMapping[str, V]):
    """The table ``name`` of every module that ``patterns`` match (``flopbook.models.*``:
    the modules of a package; ``flopbook.*_file``: those whose name ends so), in the order
    of the patterns and then of the modules' names, merged into one mapping when first read,
    so that a module may register in a table that imports it. A module's table is a mapping
    (key -> value), or a sequence of values keyed by ``key``. Two modules that register the
    same key are a mistake, named when the table is made."""

    def __init__(
        self,
        name: str,
        *patterns: str,
        key: Callable[[Any], str] | None = None,
    ) -> None:
        self.name, self.patterns, self.key = name, patterns, key
        self._table: dict[str, V] | None = None

    @property
    def table(self) -> dict[str, V]:
        if self._table is None:
            self._table = self._gather()
        return self._table

    def modules(self) -> list[str]:
        """The modules gathered from, by name."""
        found = []
        for pattern in self.patterns:
            package, _, names = pattern.rpartition(".")
            path = importlib.import_module(package).__path__
            found += [
                f"{package}.{m.name}"
                for m in sorted(pkgutil.iter_modules(path), key=lambda m: m.name)
                if not m.ispkg and fnmatch.fnmatchcase(m.name, names)
            ]
        return found

    def _gather(self) -> dict[str, V]:
        table: dict[str, V] = {}
        where: dict[str, str] = {}
        for module_name in self.modules():
            registered = getattr(importlib.import_module(module_name), self.name, None)
            if registered is None or isinstance(registered, Gathered):
                continue  # a module that registers nothing here, or the gathering one
            if isinstance(registered, Mapping):
                pairs = list(registered.items())
            else:
                assert self.key is not None, f"{module_name}.{self.name} needs a key"
                pairs = [(self.key(v), v) for v in registered]
            for k, v in pairs:
                if k in table and table[k] is not v:
                    raise RuntimeError(
                        f"{self.name}: {k!r} is registered by {where[k]} and by {module_name}"
                    )
                table[k], where[k] = v, module_name
        return table

    def __getitem__(self, key: str) -> V:
        return self.table[key]

    def __setitem__(self, key: str, value: V) -> None:
        self.table[key] = value

    def __delitem__(self, key: str) -> None:
        del self.table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def __repr__(self) -> str:
        return f"Gathered({self.name!r}, {', '.join(map(repr, self.patterns))}: {list(self)})"
