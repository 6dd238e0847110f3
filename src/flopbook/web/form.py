"""A form over a scenario's text: one field per input the file writes, labelled from the
kind's field specs (label, accepted units, example, what it means).

An edit in the form changes that one value in the text, in place: the rest of the file —
comments, sources, order, layout — stays as the user wrote it, and the text stays the one
source of truth (the YAML editor and the form are two views of it). Values written as a
mapping ``{value: …, source: …}`` are edited at their ``value``; a block of several lines is
left to the editor.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from flopbook import safe_yaml
from flopbook.errors import InputError
from flopbook.inputs import FieldSpec
from flopbook.models.funding import COMPANY_FIELDS, FUND_FIELDS
from flopbook.models.registry import KINDS
from flopbook.models.workload import INFERENCE_FIELDS

__all__ = ["FormField", "edit", "form_fields", "specs_for"]

Path_ = tuple[str | int, ...]

MAX_FIELDS = 300
"""Fields shown at most (a fleet of many SKUs is edited in the text beyond that)."""

_NOT_DECLARED: dict[str, dict[str, FieldSpec]] = {
    "inference": INFERENCE_FIELDS,
    "fund": FUND_FIELDS,
    "company": COMPANY_FIELDS,
}


def specs_for(kind: str) -> dict[str, FieldSpec]:
    """The field specs of a scenario kind: a declared kind's from the registry (its item and
    shared inputs), the others' from their models."""
    if kind in KINDS:
        return dict(KINDS[kind].inputs)
    return dict(_NOT_DECLARED.get(kind, {}))


@dataclass(frozen=True)
class FormField:
    """One input of the file, as the form shows it."""

    path: Path_
    group: str  # "assumptions", "skus[0] H100", or "" at the top
    spec: FieldSpec
    value: str  # as written

    @property
    def name(self) -> str:
        """The form control's name: the path as JSON, so any key survives the trip."""
        return "f:" + json.dumps(list(self.path))

    @property
    def dom_id(self) -> str:
        return "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", "-".join(map(str, self.path)))


def _one_line(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.start_mark.line == node.end_mark.line
        and node.style in (None, "", '"', "'")
    )


def form_fields(text: str, file: str, kind: str) -> list[FormField]:
    """The inputs ``text`` writes on one line each, in the order written."""
    specs = specs_for(kind)
    root, _ = safe_yaml.compose(text, file)
    found: list[FormField] = []

    def walk(node: yaml.Node, path: Path_, group: str, depth: int) -> None:
        if depth > 4 or len(found) >= MAX_FIELDS:
            return
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                label = _item_label(item)
                walk(item, (*path, i), f"{group}[{i}] {label}".strip(), depth + 1)
            return
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            name = key.value
            inner = _value_node(value) if name in specs else None
            if inner is not None:
                where = (*path, name) + (("value",) if inner is not value else ())
                found.append(FormField(where, group, specs[name], str(inner.value)))
            elif isinstance(value, yaml.MappingNode | yaml.SequenceNode):
                walk(value, (*path, name), f"{group} {name}".strip(), depth + 1)

    if root is not None:
        walk(root, (), "", 0)
    return found


def _value_node(node: yaml.Node) -> yaml.Node | None:
    if _one_line(node):
        return node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "value" and _one_line(v):
                return v
    return None


def _item_label(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value in ("name", "chip") and isinstance(v, yaml.ScalarNode):
                return str(v.value)[:40]
    return ""


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _scalar(value: str) -> str:
    """``value`` as YAML that reads back as the same text (or number)."""
    text = value.strip()
    try:
        back = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        back = None
    if isinstance(back, int | float) and not isinstance(back, bool):
        return text  # a number stays a number
    if back == text and "#" not in text and not text.startswith(("*", "&", "!", "%", "@", "`")):
        return text
    return json.dumps(text, ensure_ascii=False)  # a double-quoted YAML scalar


def edit(text: str, file: str, path: Path_, value: str) -> str:
    """``text`` with the one-line value at ``path`` replaced by ``value``."""
    if "\n" in value or "\r" in value:
        raise InputError("must be one line", field=_dotted(path), hint="edit blocks in the text")
    root, _ = safe_yaml.compose(text, file)
    node = root
    for part in path:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            nxt = node.value[part] if 0 <= part < len(node.value) else None
        if nxt is None:
            raise InputError(
                "is no longer in the text", field=_dotted(path), hint="edit it in the text"
            )
        node = nxt
    if node is None or not _one_line(node):
        raise InputError("is not a one-line value", field=_dotted(path), hint="edit the text")
    start, end = node.start_mark.index, node.end_mark.index
    return text[:start] + _scalar(value) + text[end:]
