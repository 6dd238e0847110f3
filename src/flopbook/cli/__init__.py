"""The ``flopbook`` command. Thin: parse the arguments, call the library, render.

Only typer is imported here. A command's module is imported, and registers the command on
`app`, when that command runs or the help lists it (`COMMANDS`); each command imports what
it needs when it runs. So ``flopbook audit`` starts without the other commands (see
benchmarks/audit_startup.py).
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.core
import typer.main

from flopbook.cli.values import read_quickly
from flopbook.errors import FlopbookError, InputWarning

COMMANDS = {
    "audit": "audit",
    "calc": "calc",
    "case": "case",
    "catalog": "catalog",
    "check": "check",
    "compare": "compare",
    "fleet": "fleet",
    "breakeven": "fleet",
    "fund": "fund",
    "report": "report",
    "run": "run",
    "serve": "serve",
    "sweep": "sweep",
    "workload": "workload",
}
"""Each command and the module of flopbook.cli that registers it on `app`, in the order
``flopbook --help`` lists them. A new command adds its line here."""


class _Commands(MutableMapping[str, Any]):
    """The group's commands, each imported and built (its options turned into typer's
    parameters) the first time it is asked for: ``flopbook audit`` loads the audit's module
    only, ``flopbook --help`` every one."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        # typer built the commands already imported; each is built again, the same way, on use
        self._built = {name: c for name, c in built.items() if name not in COMMANDS}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built and name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[name]}")
            for info in app.registered_commands:
                if info.name == name:
                    if info.cls in (None, typer.core.TyperCommand):
                        info.cls = _Command
                    self._built[name] = typer.main.get_command_from_info(
                        info,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                    )
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (n for n in self._built if n not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for n in self._built if n not in COMMANDS)

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class _Command(typer.core.TyperCommand):
    """A command whose option values are read without pydantic where they can be
    (cli/values.py)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        read_quickly(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        read_quickly([option] if option is not None else [])
        return option


class _Group(typer.core.TyperGroup):
    """flopbook's group: its commands load on use (click's "lazy subcommands" pattern), and
    its own option values are read as a command's are."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands)
        read_quickly(self.params)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, without building the commands

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)
        read_quickly([option] if option is not None else [])
        return option


app = typer.Typer(
    cls=_Group,
    name="flopbook",
    help="AI compute economics, right by construction: unit-safe, sourced fleet and "
    "workload models, and an auditor for the spreadsheets that get them wrong.\n\n"
    "Exit codes: 0 ok, 1 findings (audit), 2 bad input, 3 an unexpected error (add --debug "
    "to see its traceback).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(show: bool) -> None:
    if show:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.version import __version__

        typer.echo(f"flopbook {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Print the version and exit."
    ),
    width: int | None = typer.Option(
        None,
        "--width",
        min=40,
        max=1000,
        help="Width of the tables in characters (default: the terminal's; 140 when the output "
        "is a file or a pipe). Tables narrower than their columns are split, never cut. "
        "Give it before the command, e.g. flopbook --width 80 fleet FILE.",
    ),
) -> None:
    """Options of every command."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli import common

    common.WIDTH = width


def main() -> None:
    """Entry point: any InputError, any usage error (an unknown option, a bad --format) and
    any error of a library or the system (a full disk, a unit that does not fit) becomes one
    line on stderr and exit code 2; anything unexpected is one line and exit code 3, with its
    traceback under ``--debug``. Exit code 1 is kept for findings."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        if issubclass(category, InputWarning):
            print(f"flopbook: warning: {message}", file=sys.stderr)
        else:
            default_show(message, category, filename, lineno, file, line)

    default_show = warnings.showwarning
    warnings.showwarning = show
    warnings.simplefilter("always", InputWarning)

    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv = [a for a in sys.argv if a != "--debug"]
    else:
        # a label with a tab or an emoji that the chart font lacks is drawn as a box; the
        # user is not told twice, in matplotlib's words, on stderr
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
    # typer carries its own copy of click: take its exception classes from typer's public
    # BadParameter rather than from a separately installed click.
    errors = importlib.import_module(typer.BadParameter.__module__)
    command = typer.main.get_command(app)
    try:
        code = command.main(prog_name="flopbook", standalone_mode=False)
    except getattr(errors, "NoArgsIsHelpError", ()) as exc:  # click >= 8.2 only
        # `flopbook` alone, or a group with no command: show the help, as a user expects
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        sys.exit(2)
    except errors.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "flopbook"
        message = exc.format_message().replace("Value error, ", "")
        _fail(f"{_short(message, 300)} — see `{where} --help`", 2)
    except typer.Abort:
        _fail("interrupted", 130, prefix="flopbook: ")
    except FlopbookError as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:
        _fail("interrupted", 130, prefix="flopbook: ")
    except BrokenPipeError:
        _quiet_exit(0)
    except SystemExit:
        raise
    except BaseException as exc:  # the boundary: a library's or the system's error
        if debug:
            raise
        line, status = boundary_message(exc)
        _fail(line, status)
    sys.exit(code if isinstance(code, int) else 0)


def _short(text: str, limit: int) -> str:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.safe_text import shorten

    return shorten(text, limit)


def _fail(message: str, status: int, prefix: str = "flopbook: error: ") -> None:
    print(prefix + message.replace("\n", " "), file=sys.stderr)
    _quiet_exit(status)


def _quiet_exit(status: int) -> None:
    """Exit now. Buffers are flushed first; an error while flushing (a closed pipe, a full
    disk under stdout) is not reported again as Python's "Exception ignored" noise."""
    # imported on use, so that `flopbook --help` stays fast
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - nothing more can be said on a dead stream
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    sys.exit(status)


def boundary_message(exc: BaseException) -> tuple[str, int]:
    """One line for an exception that reached the command line, and its exit code: 2 for the
    errors of the system and of the libraries flopbook uses (what the user can act on), 3 for
    anything else (a bug in flopbook)."""
    # imported on use, so that `flopbook --help` stays fast
    import errno

    name = type(exc).__name__
    module = type(exc).__module__.split(".")[0]
    if isinstance(exc, MemoryError):
        return "not enough memory for this input; try fewer --samples or a smaller file", 2
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to compute (see docs/limits.md)", 2
    cause = exc.args[0] if name == "FileCreateError" and exc.args else exc  # XlsxWriter's
    if isinstance(cause, OSError):
        where = f"{_short(str(cause.filename), 80)}: " if getattr(cause, "filename", None) else ""
        if cause.errno == errno.ENOSPC:
            return f"{where}the disk is full; nothing was written — free some space", 2
        if cause.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"{where}cannot write there (read-only or no permission)", 2
        return f"{where}{cause.strerror or _short(str(cause), 80)}", 2
    if module == "pint":
        return f"a unit problem: {_short(str(exc), 120)}", 2
    if module == "yaml":
        return "not valid YAML: " + _short(getattr(exc, "problem", None) or str(exc), 120), 2
    if module in ("xlsxwriter", "openpyxl", "matplotlib", "numpy", "formulas", "zipfile"):
        return f"{module} could not finish: {_short(str(exc), 120)}", 2
    if isinstance(exc, FloatingPointError | OverflowError | ZeroDivisionError):
        return f"a number out of range: {_short(str(exc), 80)}", 2
    return (
        f"unexpected error ({_short(str(exc), 80) or name}); this is a bug in flopbook — "
        "run again with --debug to see the traceback, and report it"
    ), 3
