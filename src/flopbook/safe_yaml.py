"""The one YAML reader: safe types only, and bounded work on hostile files.

Every YAML file flopbook reads (scenarios, workloads, payers, claims, cases, the catalog and
the shipped defaults) goes through :func:`compose` or :func:`load`. PyYAML's safe loader
builds no objects, but it still lets a small file cost a great deal: an alias bomb under 1 KB
names the same mapping billions of times over, and nesting a few hundred deep exhausts
Python's stack. So the reader keeps four budgets, each refused with a one-line
:class:`~flopbook.errors.InputError` that names the limit (documented in ``docs/limits.md``):

- :data:`MAX_BYTES` — the file's size, checked before it is parsed;
- :data:`MAX_DEPTH` — how deep mappings and lists nest;
- :data:`MAX_ALIASES` — how many ``*alias`` references the file makes;
- :data:`MAX_NODES` — values in the file *after* aliases are expanded, which is what every
  later step (validation, the duplicate-key check) would walk.

Dates stay text ("2025-01-31" is a label, not a date), a key given twice is an error at its
second line, and a path that is not a regular file (a FIFO, ``/dev/zero``) is refused before
anything is read from it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from flopbook.errors import InputError

MAX_BYTES = 4 * 1024 * 1024
"""Largest YAML file read, in bytes (4 MiB: a fleet of 3,000 SKUs takes about 0.3 MiB)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a scenario nests at most six deep)."""
MAX_ALIASES = 1_000
"""Most ``*alias`` references in one file."""
MAX_NODES = 1_000_000
"""Most values in one file once aliases are expanded."""
MAX_DIGITS = 100
"""Most digits in a whole number (Python itself refuses past 4,300, with a traceback)."""

_LIMITS_DOC = "see docs/limits.md"

try:  # libyaml's scanner and parser when PyYAML has them: ten times faster, same events
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


class _Resolver(Resolver):
    """YAML 1.1's implicit types without the timestamp."""


_Resolver.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in Resolver.yaml_implicit_resolvers.items()
}


class _BoundedComposer(Composer):
    """PyYAML's composer with the depth, alias and expanded-size budgets.

    Each node's expanded size (itself plus everything under it, an alias counting as all of
    the node it names) is known when the node is finished, so a bomb is refused while it is
    being read, before anything walks it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}
        self._total = 0
        self.file = "<yaml>"

    def _refuse(self, message: str, node_or_event: Any) -> InputError:
        mark = getattr(node_or_event, "start_mark", None)
        return InputError(
            message, file=self.file, line=mark.line + 1 if mark else None, hint=_LIMITS_DOC
        )

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._refuse(f"more than {MAX_ALIASES:,} aliases (*name)", event)
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), event)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._refuse(f"nested more than {MAX_DEPTH} levels deep", self.peek_event())
        before = self._total
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._total += 1
        self._check(node)
        # an anchored node's expanded size, for the aliases that repeat it later
        self._sizes[id(node)] = self._total - before
        return node

    def _count(self, n: int, where: Any) -> None:
        self._total += n
        if self._total > MAX_NODES:
            raise self._refuse(f"more than {MAX_NODES:,} values once aliases are expanded", where)

    def _check(self, node: Node) -> None:
        if self._total > MAX_NODES:
            raise self._refuse(f"more than {MAX_NODES:,} values once aliases are expanded", node)


class _Constructor(SafeConstructor):
    def construct_yaml_int(self, node: ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_DIGITS:
            raise InputError(
                f"a whole number of {digits:,} digits (at most {MAX_DIGITS} are read)",
                file=getattr(self, "file", None),
                line=node.start_mark.line + 1,
                hint=_LIMITS_DOC,
            )
        return super().construct_yaml_int(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


class _Loader(_BoundedComposer, _Parser, _Constructor, _Resolver):  # type: ignore[misc,valid-type]
    def __init__(self, text: str, file: str) -> None:
        _Parser.__init__(self, text)
        _BoundedComposer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self.file = file


class _ShippedLoader(_Parser, _Constructor, _Resolver):  # type: ignore[misc,valid-type]
    """The same safe types, composed by libyaml: for the files shipped inside flopbook
    (catalog, cases, defaults), which are read at every start and are not hostile."""

    def __init__(self, text: str, file: str) -> None:
        _Parser.__init__(self, text)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self.file = file


def read_text(path: str | Path, *, what: str = "file") -> str:
    """The UTF-8 text of ``path``, refused when it is missing, a folder, not a regular file
    (a FIFO or a device, which would block or never end), larger than :data:`MAX_BYTES`, or
    not UTF-8. ``what`` names the file in the messages ("scenario file")."""
    name = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", file=name, hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", file=name) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"is a folder, not a {what}", file=name)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            f"is not a regular file (a pipe or a device), not a {what}",
            file=name,
            hint="save the input to a file and name that file",
        )
    if st.st_size > MAX_BYTES:
        raise InputError(
            f"is {st.st_size:,} bytes, more than the {MAX_BYTES:,} a {what} may be",
            file=name,
            hint=_LIMITS_DOC,
        )
    try:
        # O_NONBLOCK: should the path be swapped for a FIFO after the check, open never blocks
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise InputError(f"is not a regular file, not a {what}", file=name)
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", file=name) from None
    if len(data) > MAX_BYTES:
        raise InputError(
            f"is more than the {MAX_BYTES:,} bytes a {what} may be", file=name, hint=_LIMITS_DOC
        )
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"is a workbook or zip file, not a {what}",
            file=name,
            hint="to check a workbook, run: flopbook audit " + name,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte 0x{data[exc.start]:02x} is not UTF-8 text",
            file=name,
            line=line,
            hint="save the file as UTF-8",
        ) from None


def compose(text: str, file: str, *, shipped: bool = False) -> tuple[Node | None, Any]:
    """The root node (with the line of every value) and the data built from it.

    Raises :class:`InputError` for text that is not YAML, breaks a budget, or repeats a key.
    ``shipped=True`` is for flopbook's own data files only: composed by libyaml, without the
    budgets (a third faster at start-up).
    """
    if len(text) > MAX_BYTES:
        raise InputError(
            f"is more than the {MAX_BYTES:,} characters a YAML file may be",
            file=file,
            hint=_LIMITS_DOC,
        )
    loader = (_ShippedLoader if shipped else _Loader)(text, file)
    try:
        root = loader.get_single_node()
        _refuse_duplicate_keys(root, file)
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(
            f"not valid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            hint="check the indentation and quoting around this line",
        ) from None
    except RecursionError:  # pragma: no cover - the depth budget stops this first
        raise InputError(
            f"nested too deep to read (over {MAX_DEPTH} levels)", file=file, hint=_LIMITS_DOC
        ) from None
    finally:
        loader.dispose()
    return root, data


def load(text: str, file: str, *, shipped: bool = False) -> Any:
    """The data of one YAML document, read as :func:`compose` reads it."""
    return compose(text, file, shipped=shipped)[1]


def load_path(path: str | Path, *, what: str = "YAML file") -> Any:
    """:func:`load` of the file at ``path``, read with :func:`read_text`'s checks."""
    return load(read_text(path, what=what), str(path))


def _refuse_duplicate_keys(root: Node | None, file: str) -> None:
    """YAML lets a repeated key silently replace the first; in a model that doubles a count
    or drops a price without a word, so a repeated key is an error at its second line.

    Each node is visited once, however many aliases name it: a walk that followed every
    alias would cost as much as the bomb it is meant to survive.
    """
    stack = [root] if root is not None else []
    seen_nodes: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, MappingNode):
            seen: dict[str, int] = {}
            for k, v in n.value:
                key = str(k.value)
                if key in seen:
                    raise InputError(
                        f"{_short(key)!r} is given twice (first on line {seen[key]})",
                        file=file,
                        line=k.start_mark.line + 1,
                        hint="keep one of the two",
                    )
                seen[key] = k.start_mark.line + 1
                stack.append(v)
        elif isinstance(n, SequenceNode):
            stack.extend(n.value)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
