"""Option values read without building a pydantic validator for each option.

typer turns the text of every option into its value through a pydantic ``TypeAdapter``,
built when the option is first read; importing pydantic and building the adapters is about
half of a small workbook's audit as a whole process (benchmarks/audit_startup.py). Every
option of flopbook's commands is of a few plain kinds: text, a path, a whole or decimal
number within bounds, one of an enum's values, or a list of those. This module reads the
usual spellings of those directly and hands anything else, including every value typer
would refuse, back to typer's own reading. So a value read here is the value typer gives,
and every error message is typer's. tests/cli/test_option_values.py holds the two readings
equal on every option of every command.

If typer's parameters ever stop looking as they do here, nothing is installed and typer reads
every value itself, as before: the command line is slower to start, never different.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

_WHOLE = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,17})?")
_PLAIN_PATH = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}
"""typer's defaults for a path: a path given so is checked only for being readable when it
exists. A path option asking for more is left to typer."""


class _Defer(Exception):
    """Not one of the spellings read here: typer reads it."""


Reader = Callable[[Any], Any]


def read_quickly(params: Iterable[Any]) -> None:
    """Give each parameter of a plain kind the reading of this module."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue  # not typer's parameter as this module knows it, or already read
        info = descriptor.parameter_info
        if info.parser is not None or descriptor.file_annotation is not None:
            continue
        if getattr(param, "envvar", None) or getattr(info, "clamp", False):
            continue
        read = _reader(descriptor.annotation, info)
        if read is not None:
            param._runtime_param = _Quick(read)


class _Quick:
    """What typer's runtime parameter does, for the spellings ``read`` knows."""

    def __init__(self, read: Reader) -> None:
        self.read = read

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        several = param.multiple or param.nargs == -1
        if value is None:
            return () if several else None
        try:
            if several and not isinstance(value, list | tuple):
                raise _Defer
            if getattr(ctx, "token_normalize_func", None) is not None:
                raise _Defer  # choices compared through a function: typer's reading
            return self.read(value)
        except _Defer:
            param._runtime_param = None  # typer builds its own, and reads this value
            return param.get_runtime_param().coerce(value, param=param, ctx=ctx)


def _reader(annotation: Any, info: Any) -> Reader | None:
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        one = _reader(item, info) if item is not None else None
        if one is None:
            return None
        return lambda values: [one(v) for v in values]
    if get_origin(annotation) is not None:
        return None
    if annotation is bool:
        return _bool
    if annotation is str:
        return _text
    if annotation is int:
        return _number(int, _WHOLE, info.min, info.max)
    if annotation is float:
        return _number(float, _DECIMAL, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if not info.case_sensitive:
            return None
        return _choice(annotation)
    if annotation is Path:
        if any(getattr(info, k, v) != v for k, v in _PLAIN_PATH.items()):
            return None
        return _path
    return None


def _bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise _Defer


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    raise _Defer


def _number(kind: type, spelling: re.Pattern[str], low: Any, high: Any) -> Reader:
    def read(value: Any) -> Any:
        if type(value) is str and spelling.fullmatch(value):
            number = kind(value)
        elif type(value) is kind:
            number = value
        else:
            raise _Defer
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Defer  # out of bounds: typer says so, in its words
        return number

    return read


def _choice(enum: type[Enum]) -> Reader:
    spelled = {str(member.value): member for member in enum}

    def read(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        if type(value) is str and value in spelled:
            return spelled[value]
        raise _Defer

    return read


def _path(value: Any) -> Path:
    if type(value) is str and "\x00" not in value:
        path = Path(value)
    elif isinstance(value, Path):
        path = value
    else:
        raise _Defer
    try:
        os.stat(path)
    except OSError:
        return path  # not there (yet): the command says what it needs of it
    if not os.access(path, os.R_OK):
        raise _Defer  # typer's message: the path is not readable
    return path
