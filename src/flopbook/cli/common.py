"""Options shared by the commands, and the one place results are written out."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from flopbook.cluster import NO_WORKERS_WAIT
from flopbook.errors import InputError


class Format(StrEnum):
    table = "table"
    text = "text"  # the same as table: every command takes both (audit's default is text)
    json = "json"
    csv = "csv"


def _one_format(value: Format) -> Format:
    return Format.table if value is Format.text else value


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        callback=_one_format,
        help="table (or text) for people, json or csv for programs. E.g. --format json",
    ),
]
MAX_SEED = 2**63 - 1
"""Largest --seed."""

SamplesOpt = Annotated[
    int,
    typer.Option(
        "--samples",
        "-n",
        min=1,
        help="Monte Carlo samples drawn for each uncertain input (a range). E.g. --samples 100000",
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        "--seed",
        min=0,
        max=MAX_SEED,
        help="Random seed; the same seed gives the same numbers. "
        "Default: a fixed seed, so runs repeat. E.g. --seed 7",
    ),
]
WorkerWaitOpt = Annotated[
    float | None,
    typer.Option(
        "--worker-wait",
        min=1,
        max=7 * 86_400,
        help="With --scheduler: seconds the cluster may have no worker (a cluster that "
        f"scales to zero, workers restarting) before the run stops; default {NO_WORKERS_WAIT:g}. "
        "E.g. --worker-wait 1800",
        show_default=False,
    ),
]


WIDTH: int | None = None  # set by `flopbook --width N`


def console() -> Any:
    # rich is loaded only when there is something to draw
    from rich.console import Console

    # --width first; piped output (a file, `less`, CI logs) gets a width that fits the tables,
    # not rich's 80, unless COLUMNS says otherwise.
    width = WIDTH or (None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140)
    return Console(highlight=False, soft_wrap=False, width=width)


def text_width() -> int | None:
    """The width plain text is folded at: --width, else the terminal's (or COLUMNS); piped
    output is left full width, as the tables are."""
    if WIDTH:
        return WIDTH
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        # imported on use, so that `flopbook --help` stays fast
        import shutil

        return shutil.get_terminal_size().columns
    return None


def emit(text: str) -> None:
    typer.echo(text, nl=not text.endswith("\n"))


# ---- the one place a command's result is written, in the format asked for -------------


@dataclass(frozen=True)
class Output:
    """What a command has to say, in each form a format reads: ``show`` prints it for
    people (tables, lines), ``data`` gives it as plain data (JSON: numbers with their units
    and text), ``csv`` as CSV text. A command without a CSV form of its own (a listing, the
    files a report wrote) is written as CSV from its data, a row per record; one with
    neither data nor CSV shows it as for people."""

    show: Callable[[], None]
    data: Callable[[], Any] | None = None
    csv: Callable[[], str] | None = None


def _people(out: Output) -> None:
    out.show()


def _json(out: Output) -> None:
    if out.data is None:
        return out.show()
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render.data import to_json

    emit(to_json(out.data()))
    return None


def _csv(out: Output) -> None:
    if out.csv is not None:
        emit(out.csv())
    elif out.data is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.render.csvtext import records_csv

        emit(records_csv(out.data()))
    else:
        out.show()


# Every command but the audit writes through this table: a new --format is a member of
# Format and its writer here. The audit, which reports on several workbooks at once and
# adds sarif, keeps its own formats (cli/audit.py).
WRITERS: dict[Format, Callable[[Output], None]] = {
    Format.table: _people,
    Format.text: _people,
    Format.json: _json,
    Format.csv: _csv,
}


def write(fmt: Format, out: Output) -> None:
    """``out`` in the format ``fmt``."""
    WRITERS[fmt](out)


def option_errors(option: str) -> Any:
    """A context in which a bad value is reported under the option it came from
    (``--sensitivity: unknown output 'tco'``), not under the model's name for it."""
    # imported on use, so that `flopbook --help` stays fast
    import contextlib

    @contextlib.contextmanager
    def named() -> Any:
        try:
            yield
        except InputError as exc:
            if exc.file:  # a file the option named: its place says where, the option what
                raise type(exc)(
                    exc.message,
                    file=exc.file,
                    line=exc.line,
                    field=exc.field or option,
                    hint=exc.hint,
                ) from None
            raise type(exc)(exc.message, field=option, hint=exc.hint) from None
        except OSError as exc:  # the file the option named cannot be opened
            name = str(exc.filename) if exc.filename else None
            raise InputError(
                f"cannot open it ({exc.strerror or exc})", file=name, field=option
            ) from None

    return named()


def require_path(path: Any, option: str) -> None:
    """An empty path is refused: ``--plot ""`` reaches a command as ``.``, the current folder,
    which nobody means to fill with charts or to read as a file."""
    if path is None:
        return
    if str(path).strip() in ("", "."):
        raise InputError(
            "needs a name, not an empty path",
            field=option,
            hint=f"give a file or folder name after {option}",
        )
    longest = max((len(os.fsencode(part)) for part in Path(path).parts), default=0)
    if longest > 255 or len(os.fsencode(str(path))) > 4096:  # what every file system refuses
        raise InputError(
            "the name is too long for a file system (a part over 255 bytes)",
            field=option,
            hint=f"give a shorter name after {option}",
        )


def chart_names(output: str, sensitivity: bool) -> tuple[str, ...]:
    """The files ``--plot`` writes for ``output``: its distribution, and with --sensitivity
    its tornado and Sobol charts, each in every chart format."""
    from flopbook.render.charts import FORMATS  # imported on use: matplotlib is slow to load

    stems = ["distribution", *(["tornado", "sobol"] if sensitivity else [])]
    return tuple(f"{output}-{stem}.{fmt}" for stem in stems for fmt in FORMATS)


def write_charts(directory: Path, output: str, distribution: Any, found: Any) -> None:
    """``--plot``'s charts, every one or none: ``distribution()`` draws the output's
    distribution (None when the output has one value: a note says so), and ``found``, a
    sensitivity result or None, gives the tornado and Sobol charts. A folder this run made
    and left empty by a failure is removed."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.files import Outputs
    from flopbook.render import charts

    written = []
    made = not directory.exists()
    try:
        with Outputs() as out:  # every chart, or none
            if distribution is not None:
                written += charts.write_figure(
                    distribution(), directory, f"{output}-distribution", outputs=out
                )
            else:
                print(
                    f"flopbook: note: {output} has one value; no distribution to plot",
                    file=sys.stderr,
                )
            if found is not None:
                written += charts.write_figure(
                    charts.tornado_figure(found.tornado),
                    directory,
                    f"{output}-tornado",
                    outputs=out,
                )
                written += charts.write_figure(
                    charts.sobol_figure(found.sobol), directory, f"{output}-sobol", outputs=out
                )
    except BaseException:
        if made and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()  # the folder this run made, left empty by the failure
        raise
    for path in written:
        print(f"flopbook: wrote {path}", file=sys.stderr)
