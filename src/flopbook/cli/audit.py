"""`flopbook audit BOOK.xlsx [MORE.xlsx FOLDER/ ...]`.

Start-up matters here: CI audits workbooks one command at a time, and a small workbook is
read and checked in a few tens of milliseconds. So nothing heavy is imported at module
level, and what only ``--fix`` (the formulas package, NumPy) or several workbooks (the process
pool) need is imported where those run.
"""

from __future__ import annotations

import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flopbook.cli import app
from flopbook.cli.common import WorkerWaitOpt, emit, text_width
from flopbook.errors import InputError

if TYPE_CHECKING:
    from flopbook.audit.batch import BookAudit


class AuditFormat(StrEnum):
    text = "text"
    table = "table"  # the same as text, as on every other command
    json = "json"
    csv = "csv"
    sarif = "sarif"


def _one_format(value: AuditFormat) -> AuditFormat:
    return AuditFormat.text if value is AuditFormat.table else value


class MinSeverity(StrEnum):
    error = "error"
    warning = "warning"
    note = "note"


RANK = {"error": 0, "warning": 1, "note": 2}
DEFAULT_MIN_SEVERITY = "warning"

HELP = """Find formula errors in spreadsheets and recompute them right.

Points at each cell, says why in plain words, suggests the fix, and shows the value before
and after. Give workbooks, folders (searched below for .xlsx/.xlsm/.xltx/.xltm), or both.

Settings are read from a flopbook-audit.toml, or the [tool.flopbook.audit] table of a
pyproject.toml, in the workbook's folder or a folder above it up to the current one (see
docs/audit.md). A cell comment containing "flopbook: ignore FB104" (or just "flopbook:
ignore") silences findings at that cell.

Exit codes: 0 no findings shown, 1 findings, 2 a workbook or an option could not be used
(the other workbooks are still audited and reported).

Example: flopbook audit model.xlsx --fix model-fixed.xlsx

More examples, for folders and CI:

  flopbook audit models/ --format sarif > audit.sarif

  flopbook audit models/ --write-baseline audit-baseline.json

  flopbook audit models/ --baseline audit-baseline.json --min-severity error
"""


MAX_JOBS = 256
"""Most workbooks audited at once (--jobs)."""
MAX_TIMEOUT = 86_400.0
"""Longest --timeout, in seconds: a day."""


@app.command("audit", help=HELP)
def audit_command(
    books: Annotated[
        list[Path],
        typer.Argument(
            help="Workbooks (.xlsx, .xlsm) or folders of them.", metavar="BOOK", show_default=False
        ),
    ],
    fmt: Annotated[
        AuditFormat,
        typer.Option(
            "--format",
            "-f",
            callback=_one_format,
            help="text (or table) for people; json (one workbook: a list of findings; "
            "several: one object per workbook), csv (one row per finding) or sarif "
            "(SARIF 2.1.0, one run, for code-scanning tools). E.g. --format sarif",
        ),
    ] = AuditFormat.text,
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            help="Only these rules, comma-separated (replaces the settings file's "
            "select). E.g. --select FB101,FB103",
        ),
    ] = None,
    ignore: Annotated[
        str | None,
        typer.Option(
            "--ignore",
            help="Leave these rules out, comma-separated (added to the settings "
            "file's ignore). E.g. --ignore FB107",
        ),
    ] = None,
    min_severity: Annotated[
        MinSeverity | None,
        typer.Option(
            "--min-severity",
            help="Show findings of this severity and above; default "
            "warning (errors and warnings), or the settings file's min-severity. "
            "E.g. --min-severity error",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Read settings from this flopbook-audit.toml or pyproject.toml "
            "instead of looking beside each workbook. E.g. --config ci/flopbook-audit.toml",
        ),
    ] = None,
    no_config: Annotated[
        bool,
        typer.Option(
            "--no-config",
            help="Read no settings file: every rule, default severities. E.g. --no-config",
        ),
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Show only findings not in this baseline (see --write-baseline). "
            "E.g. --baseline audit-baseline.json",
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            help="Record every finding of this run (all severities) as the "
            "accepted baseline, then exit 0 unless a workbook was refused. "
            "E.g. --write-baseline audit-baseline.json",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=MAX_JOBS,
            help="Workbooks audited at once, each in its own process; "
            "default: the number of cores. E.g. --jobs 4",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0,
            max=MAX_TIMEOUT,
            help="Seconds allowed for each workbook before it is stopped "
            "and reported (0: no limit). E.g. --timeout 60",
        ),
    ] = 300.0,
    summary_only: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Text: one line per workbook and the total, without the findings. E.g. --summary",
        ),
    ] = False,
    fix: Annotated[
        Path | None,
        typer.Option(
            "--fix",
            help="Write a corrected copy here (never over BOOK), each changed cell "
            "commented with its finding, and show published vs corrected values; one workbook "
            "only. E.g. --fix model-fixed.xlsx",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --fix or --out, replace that file (never BOOK). "
            "E.g. --fix model-fixed.xlsx --force",
        ),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Audit every workbook as a task on Dask: local (a cluster of processes "
            "on this machine) or a running scheduler's address (see docs/distributed.md). "
            "E.g. --scheduler local, --scheduler tcp://10.0.0.5:8786",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=MAX_JOBS,
            help="With --scheduler local: worker processes; default: the number of cores. "
            "E.g. --workers 2",
            show_default=False,
        ),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="With --scheduler local: memory for each worker, which audits one "
            "workbook at a time (default: a share of the machine's). E.g. --memory-limit 2GiB",
            show_default=False,
        ),
    ] = None,
    worker_wait: WorkerWaitOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="With --scheduler: write one row per finding and one per workbook to "
            "this Parquet file, and as JSON lines beside it, as workbooks finish. "
            "E.g. --out results.parquet",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="With --out: skip workbooks whose content is already in it (after a run "
            "that was stopped) and audit the rest. E.g. --out results.parquet --resume",
        ),
    ] = False,
) -> None:
    if fix is None:
        _import_openpyxl_alone()
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import batch

    start = time.perf_counter()
    settings = batch.Settings(
        select=_codes(select, "--select"),
        ignore=_codes(ignore, "--ignore") or (),
        config=str(config) if config else None,
        use_config=not no_config,
        cwd=os.getcwd(),
        time_limit=timeout or None,
    )
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli.common import option_errors, require_path

    for option, given in (
        ("--config", config),
        ("--baseline", baseline),
        ("--write-baseline", write_baseline),
        ("--fix", fix),
    ):
        require_path(given, option)
    if config is not None and no_config:
        raise InputError(
            "--config and --no-config cannot both be given", field="--config", hint="keep one"
        )
    if config is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit import config as cfg

        with option_errors("--config"):
            cfg.load(config)  # a bad settings file stops the run before any work
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cli import inventory

    inventory.check_options(scheduler, workers, memory_limit, out, resume, worker_wait)
    if scheduler is not None:
        if jobs is not None:
            raise InputError(
                "sets worker processes without Dask",
                field="--jobs",
                hint="with --scheduler local, give --workers N",
            )
        _only_text(fmt, baseline, write_baseline, fix)
        inventory.audit_inventory(
            books,
            settings,
            scheduler=scheduler,
            workers=workers,
            memory_limit=memory_limit,
            out=out,
            resume=resume,
            force=force,
            wait=worker_wait,
        )
    paths, refused = batch.collect(str(b) for b in books)
    several = len(books) > 1 or any(b.is_dir() for b in books)
    if fix is not None:
        if several or len(paths) != 1:
            raise InputError(
                "writes one corrected copy; give one workbook",
                field="--fix",
                hint="audit the others without --fix",
            )
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit.recompute import check_output

        check_output(paths[0], str(fix), force)
    if not paths:  # nothing found to audit: one line, as for one bad workbook
        raise InputError(refused[0].error or "nothing to audit")
    if not several:
        _check_settings(paths[0], settings)  # a bad settings file is exit 2, one line
    known = _load_baseline(baseline)
    if write_baseline is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit import baseline as bl

        bl.check_target(str(write_baseline), paths)

    audits = _run(paths, settings, jobs, several)
    order = {p: i for i, p in enumerate(paths)}
    if not several and audits[0].error is not None:
        raise InputError(audits[0].error.removeprefix(f"{paths[0]}: "), file=paths[0])
    if write_baseline is not None:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.audit import baseline as bl

        n = bl.write(
            str(write_baseline),
            [(a.path, a.result.findings) for a in audits if a.result is not None],
        )
        print(
            f"flopbook: wrote {n} finding(s) of {len(audits)} workbook(s) to {write_baseline}",
            file=sys.stderr,
        )
    shown = [_shown(a, known, min_severity) for a in audits]
    fixed = None
    if fix is not None and shown[0][0].result is not None:
        from flopbook.audit.recompute import write_fixed  # the formulas package: only here

        fixed = write_fixed(paths[0], shown[0][0].result, str(fix), force)
    everything = sorted(
        shown + [(r, {}) for r in refused], key=lambda x: order.get(x[0].path, len(order))
    )
    _report(everything, fmt, several, summary_only, fixed, time.perf_counter() - start)
    bad = any(a.error for a, _ in everything)
    found = any(a.result is not None and a.result.findings for a, _ in everything)
    if bad:
        raise typer.Exit(2)
    raise typer.Exit(0 if write_baseline is not None or not found else 1)


def _only_text(fmt: AuditFormat, *others: Path | None) -> None:
    """--scheduler writes its rows to --out: options that shape another report do not apply."""
    names = ("--format", "--baseline", "--write-baseline", "--fix")
    given = [fmt is not AuditFormat.text, *(o is not None for o in others)]
    for name, on in zip(names, given, strict=True):
        if on:
            raise InputError(
                "does not apply with --scheduler, which writes its results to --out",
                field=name,
                hint="leave it out, or audit without --scheduler",
            )


def _import_openpyxl_alone() -> None:
    """Import openpyxl without the NumPy and Pillow it loads when they are installed.

    openpyxl imports them only to accept NumPy numbers as cell values and to keep images when
    it saves a workbook; the audit reads cells and saves nothing (``--fix`` does, so it keeps
    the usual import), and the two cost more than the audit of a small workbook. Anything
    imported later still finds NumPy as usual.
    """
    if "openpyxl" in sys.modules:
        return
    hidden = [m for m in ("numpy", "PIL") if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # type: ignore[assignment]  # "import numpy" fails, as if absent
    try:
        import openpyxl  # noqa: F401
    finally:
        for m in hidden:
            if sys.modules.get(m, 0) is None:
                del sys.modules[m]


def _codes(text: str | None, option: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import _selected

    wanted = [s for s in text.split(",") if s.strip()]
    if not wanted:  # "--select ''" is a slip, not "no rules" nor "every rule"
        raise InputError("names no rule", field=option, hint=f"e.g. {option} FB101,FB103")
    try:
        return tuple(_selected(wanted))
    except Exception as exc:  # InputError from _selected names --select; say which option
        if isinstance(exc, InputError):
            raise InputError(exc.message, field=option, hint=exc.hint) from None
        raise


def _check_settings(path: str, settings: Any) -> None:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import config as cfg

    cfg.for_book(path, settings.config, settings.use_config, settings.cwd)


def _load_baseline(path: Path | None) -> Any:
    if path is None:
        return None
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import baseline as bl
    from flopbook.cli.common import option_errors

    with option_errors("--baseline"):
        return bl.load(str(path))


def _run(paths: list[str], settings: Any, jobs: int | None, several: bool) -> list[BookAudit]:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit import batch
    from flopbook.cli.progress import progress_bar

    jobs = jobs or batch.default_jobs()
    scheduler = batch.scheduler_for(jobs, len(paths), settings.time_limit)
    if not several:
        return batch.run(paths, settings, scheduler)
    with progress_bar("Auditing") as update:
        return batch.run(
            paths,
            settings,
            scheduler,
            lambda book, done, total: update(Path(book.path).name, done, total),
        )


def _shown(
    book: BookAudit, known: Any, min_severity: str | None
) -> tuple[BookAudit, dict[str, int]]:
    """The audit as reported (baseline and --min-severity applied), and what was left out."""
    # imported on use, so that `flopbook --help` stays fast
    from dataclasses import replace

    hidden = {"comments": book.silenced, "excluded": book.excluded}
    if book.result is None:
        return book, {}
    findings = book.result.findings
    if known is not None:
        findings, old = known.split(book.path, findings)
        hidden["baseline"] = len(old)
    level = min_severity or book.min_severity or DEFAULT_MIN_SEVERITY
    kept = [f for f in findings if RANK.get(f.severity, 0) <= RANK[level]]
    hidden["min_severity"] = len(findings) - len(kept)
    return replace(book, result=replace(book.result, findings=kept)), hidden


def _report(
    books: list[tuple[BookAudit, dict[str, int]]],
    fmt: AuditFormat,
    several: bool,
    summary_only: bool,
    fixed: Any,
    seconds: float,
) -> None:
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.render import audit as render
    from flopbook.render.jsontext import to_json

    if fmt is AuditFormat.json:
        if several:
            emit(
                to_json(
                    [render.json_book(b.path, b.result, b.error, h, b.config) for b, h in books]
                )
            )
        else:
            emit(to_json(render.json_list(books[0][0].result, books[0][0].config)))  # type: ignore[arg-type]
    elif fmt is AuditFormat.csv:
        emit(render.csv_text((b.path, b.result, b.error) for b, _ in books))
    elif fmt is AuditFormat.sarif:
        # imported on use, so that `flopbook --help` stays fast
        from flopbook.render import sarif

        emit(
            to_json(
                sarif.sarif_log(
                    [(b.path, b.result, b.error) for b, _ in books], [b.config for b, _ in books]
                )
            )
        )
    elif not several:
        book, hidden = books[0]
        assert book.result is not None
        emit(
            render.wrap(
                render.summary(book.result, hidden=hidden, settings=book.config) + "\n"
                if summary_only
                else render.text(book.result, fixed, hidden=hidden, settings=book.config),
                text_width(),
            )
        )
    else:
        out = []
        for book, hidden in books:
            if book.result is None:
                continue  # said on stderr, below
            if summary_only or book.result.clean:
                out.append(render.summary(book.result, book.path, hidden, book.config) + "\n")
            else:
                text = render.text(book.result, name=book.path, hidden=hidden, settings=book.config)
                out.append(text + "\n")
        ok = [b for b, _ in books if b.result is not None]
        totals: dict[str, int] = {}
        for _, hidden in books:
            for k, n in hidden.items():
                totals[k] = totals.get(k, 0) + n
        out.append(
            render.total(
                len(books),
                sum(1 for b in ok if b.result and b.result.findings),
                sum(len(b.result.findings) for b in ok if b.result),
                sum(1 for b in ok if b.result and b.result.clean),
                len(books) - len(ok),
                seconds,
                totals,
            )
        )
        emit(render.wrap("".join(out), text_width()))
    for book, _ in books:
        if book.error:
            print(f"flopbook: error: {book.error}", file=sys.stderr)
    if fmt is not AuditFormat.text:
        for book, _ in books:
            prefix = f"{book.path}: " if several else ""
            for note in book.result.notes if book.result else []:
                print(f"flopbook: note: {prefix}{note}", file=sys.stderr)
        for note in fixed.notes if fixed else []:
            print(f"flopbook: note: {note}", file=sys.stderr)
