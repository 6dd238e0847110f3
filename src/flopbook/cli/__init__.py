"""The ``flopbook`` command. Thin: parse the arguments, call the library, render.

Only typer is imported here; each command imports what it needs when it runs, so that
``flopbook --help`` answers quickly (see benchmarks/).
"""

from __future__ import annotations

import sys

import typer

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
    """Entry point: any InputError becomes one line on stderr and exit code 2."""
    from flopbook.errors import FlopbookError

    try:
        app()
    except FlopbookError as exc:
        print(f"flopbook: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("flopbook: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
