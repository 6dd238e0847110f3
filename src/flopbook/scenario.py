"""Scenario files (YAML) read once, with errors that point at the line.

:class:`Document` is the one reader: a safe YAML parse that keeps dates as text, refuses
repeated keys, remembers the line of every value, and turns a pydantic error into one
:class:`~flopbook.errors.InputError` naming the file, the line and the field. The shapes
every kind shares (a value with its source and note, a rank correlation) are here too; each
kind's own file shape is beside it: :mod:`flopbook.fleet_file`, :mod:`flopbook.workload_file`,
:mod:`flopbook.payer_file`. This module knows no model, so the models may read their own
shipped data with it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from flopbook import safe_yaml
from flopbook.errors import InputError, suggest

T = TypeVar("T")
Path_ = tuple[str | int, ...]


# A distribution, ``{pert: {low: …, mode: …, high: …}}``: checked by flopbook.distributions
# when the value is read, so that its errors say what to write.
DistributionMapping = dict[str, Any]


class InputMapping(BaseModel):
    """``{value: …, source: …, note: …}``: a value with its provenance."""

    model_config = ConfigDict(extra="forbid")
    value: StrictStr | StrictFloat | StrictInt | DistributionMapping
    source: StrictStr | None = None
    note: StrictStr | None = None


# Strict: YAML's `yes`, `true` and `on` are booleans, and must not become 1 GPU.
# Left to right: a mapping is read as {value, source, note} when it is one, else it is a
# distribution (whose unknown keys are then reported by the distribution reader).
InputValue = Annotated[
    StrictStr | StrictFloat | StrictInt | InputMapping | DistributionMapping,
    Field(union_mode="left_to_right"),
]


class CorrelationFile(BaseModel):
    """``{between: [input, input], rank: 0.8}``: a rank correlation between two inputs."""

    model_config = ConfigDict(extra="forbid")
    between: list[str]
    rank: float


# ---- reading YAML with line numbers ----------------------------------------------------


class Document:
    """A parsed YAML file that remembers where each value was written."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        # one bounded parse: the nodes (with their lines), then the data built from them
        self.root, self.data = safe_yaml.compose(text, file)
        if self.data is None:
            raise InputError(
                "the file is empty", file=file, hint="see examples/ for a scenario to start from"
            )
        if not isinstance(self.data, dict):
            raise InputError(
                "expected a mapping of fields (name:, skus:, …) at the top",
                file=file,
                line=1,
                hint="see examples/ for a scenario",
            )
        if "kind" in self.data and not isinstance(self.data["kind"], str):
            raise InputError(
                "must be one word, not a list or a mapping",
                file=file,
                line=self.line(("kind",)),
                field="kind",
                hint="e.g. kind: training (or inference, fund, company)",
            )

    @classmethod
    def read(cls, path: str | Path) -> Document:
        """Read a scenario file; a folder, a pipe or device, a workbook, an oversized file or
        non-UTF-8 bytes are refused."""
        return cls(safe_yaml.read_text(path, what="scenario file"), str(path))

    def line(self, path: Path_) -> int | None:
        """The line of the deepest node along ``path`` (1-based)."""
        node = self.root
        found = node.start_mark.line + 1 if node is not None else None
        for part in path:
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(part):
                        nxt = v
                        # a missing or bad value is reported at its key's line
                        found = k.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
                found = nxt.start_mark.line + 1
            if nxt is None:
                break
            node = nxt
        return found

    def error(self, exc: InputError, path: Path_) -> InputError:
        return exc.located(file=self.file, line=self.line(path), field=_dotted(path))

    def validate(
        self, model: type[T], path: Path_ = (), *, examples: Mapping[str, str] | None = None
    ) -> T:
        """``model`` validated against the data at ``path``; the first mistake becomes one
        InputError with its line. ``examples`` maps a field name to the hint shown when that
        field is missing or wrong."""
        data: Any = self.data
        for part in path:
            data = data[part]
        try:
            return model.model_validate(data)  # type: ignore[attr-defined]
        except ValidationError as exc:
            raise self._explain(exc, path, model, examples or {}) from None

    def _explain(
        self, exc: ValidationError, base: Path_, model: type, examples: Mapping[str, str]
    ) -> InputError:
        err = _most_useful([dict(e) for e in exc.errors()])
        loc = [p for p in err["loc"] if not (isinstance(p, str) and _is_type_tag(p))]
        path: Path_ = (*base, *loc)
        kind = err["type"]
        name = str(loc[-1]) if loc else ""
        example = examples.get(name) or _example_hint(name)
        if kind == "missing":
            msg, hint = f"missing required field {name!r}", example
            path_for_line = path[:-1]
        elif kind == "extra_forbidden":
            known = _known_fields(model, loc)
            msg, hint = f"unknown field {name!r}", _nearest_hint(name, known)
            path_for_line = path
        elif kind == "too_short":
            msg, hint = "is empty", "add at least one entry"
            path_for_line = path
        elif err.get("input") is None:
            msg, hint = "is empty", example or "give a value or remove the line"
            path_for_line = path
        else:
            got = err.get("input")
            msg = f"{_type_message(kind)}, got {got!r}"
            hint = example
            path_for_line = path
        return InputError(
            msg, file=self.file, line=self.line(path_for_line), field=_dotted(path), hint=hint
        )


def _is_type_tag(p: str) -> bool:
    # pydantic adds the union member tried ("str", "InputMapping") to the location
    return (
        p
        in {"str", "float", "int", "InputMapping", "AssumptionsFile", "SkuFile", "CorrelationFile"}
        or p in _model_names()
        or (p.startswith(("function-", "list[", "dict[")))
    )


def _model_names() -> set[str]:
    """The class names of every pydantic model loaded (each reader's own: DefinedValue, …),
    which pydantic puts in an error's location and a user never wrote."""
    names: set[str] = set()
    stack = list(BaseModel.__subclasses__())
    while stack:
        cls = stack.pop()
        if cls.__name__ not in names:
            names.add(cls.__name__)
            stack.extend(cls.__subclasses__())
    return names


def _most_useful(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The one error worth a line. A misspelt field is reported as unknown before the field
    it was meant to be is reported missing; otherwise the deepest error wins (in a mapping
    ``{value, source}``, the bad ``source``), and a value that fits no member of a union of
    types is one "expected a value" error."""

    def depth(e: dict[str, Any]) -> int:
        return len([p for p in e["loc"] if not (isinstance(p, str) and _is_type_tag(p))])

    for kind in ("extra_forbidden", "missing", "too_short"):
        for e in errors:
            if e["type"] == kind and not (
                kind == "missing"
                and depth(e) > 1
                and any(p == "InputMapping" for p in e["loc"])
                and not isinstance(e.get("input"), dict)
            ):
                return dict(e)
    deepest = max(errors, key=depth)
    same = [e for e in errors if depth(e) == depth(deepest)]
    if len(same) > 1:
        return {**deepest, "type": "value_type"}
    return dict(deepest)


def _type_message(kind: str) -> str:
    return {
        "string_type": "expected text",
        "value_type": 'expected a number or a quantity such as "10k GPU"',
        "float_type": "expected a number or a quantity",
        "int_type": "expected a number",
        "model_type": "expected a mapping of fields",
        "list_type": "expected a list (lines starting with '- ')",
        "dict_type": "expected a mapping of fields",
    }.get(kind, "has the wrong type")


def _example_hint(name: str) -> str | None:
    return {
        "skus": 'add e.g. skus: [{chip: H800, count: 2048, server_cost_per_gpu: "35k USD/GPU"}]',
        "chip": "add e.g. chip: H800 (see `flopbook catalog`)",
        "capital_cost": "write depreciation or annuity",
        "value": 'write e.g. value: "35k USD/GPU"',
    }.get(name)


def _known_fields(model: type, loc: Sequence[Any]) -> list[str]:
    """The fields of the (sub)model that holds ``loc``'s last part, read from the pydantic
    model itself, so every file format gets its own suggestions."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        found = _submodels(fields[part].annotation)
        if not found:
            return []
        # an input written as a mapping is {value, source, note} before it is a distribution
        current = found[0]
    return list(getattr(current, "model_fields", {}))


def _submodels(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models inside an annotation (``X | None``, ``list[X]``, ``A | B``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _submodels(arg)
    return found


def _nearest_hint(name: str, known: list[str]) -> str | None:
    return suggest(name, known) if known else None


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _raw(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value


def _guard(doc: Document, path: Path_, make: Callable[[], T]) -> T:
    try:
        return make()
    except InputError as exc:
        parts = _parse_dotted(exc.field or "")
        if parts and path and parts[0] == path[-1]:
            parts = parts[1:]  # "assumptions.pew" reported inside assumptions:
        raise doc.error(InputError(exc.message, hint=exc.hint), (*path, *parts)) from None


def _parse_dotted(field: str) -> Path_:
    """``"skus[1].name"`` -> ``("skus", 1, "name")``."""
    parts: list[str | int] = []
    for piece in filter(None, field.split(".")):
        name, *indices = re.split(r"\[(\d+)\]", piece)
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indices if i)
    return tuple(parts)
