"""The ``flopbook`` command. Thin: parse the arguments, call the library, render.

Only typer is imported here; each command imports what it needs when it runs, so that
``flopbook --help`` answers quickly (see benchmarks/).
"""

from __future__ import annotations

import importlib
import sys

import typer

from flopbook.errors import FlopbookError

app = typer.Typer(
    name="flopbook",
    help="AI compute economics, right by construction: unit-safe, sourced fleet and "
    "workload models, and an auditor for the spreadsheets that get them wrong.\n\n"
    "Exit codes: 0 ok, 1 findings (audit), 2 bad input.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Commands register themselves on `app` when their module is imported.
from flopbook.cli import (  # noqa: E402,F401
    audit,
    calc,
    case,
    catalog,
    check,
    compare,
    fleet,
    fund,
    report,
    workload,
)


def main() -> None:
    """Entry point: any InputError, and any usage error (an unknown option, a bad --format),
    becomes one line on stderr and exit code 2."""
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
        print(f"flopbook: error: {message} — see `{where} --help`",
              file=sys.stderr)
        sys.exit(2)
    except typer.Abort:
        print("flopbook: interrupted", file=sys.stderr)
        sys.exit(130)
    except FlopbookError as exc:
        print(f"flopbook: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("flopbook: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
