"""`flopbook audit FOLDER… --scheduler local|tcp://HOST:8786`: an inventory audited on Dask.

Not a command of its own: ``flopbook audit`` hands over here when ``--scheduler`` is given.
Every workbook is a task on the cluster; the rows go to ``--out`` (Parquet, and JSON lines
beside it) as the tasks finish, and a summary table ends the run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from flopbook.cli.common import console
from flopbook.errors import InputError


def check_options(
    scheduler: str | None,
    workers: int | None,
    memory_limit: str | None,
    out: Path | None,
    resume: bool,
    wait: float | None = None,
) -> None:
    """The Dask options make sense together (before any work)."""
    if scheduler is None:
        for option, given in (
            ("--workers", workers),
            ("--memory-limit", memory_limit),
            ("--worker-wait", wait),
            ("--out", out),
            ("--resume", resume or None),
        ):
            if given is not None:
                raise InputError(
                    "only applies with --scheduler",
                    field=option,
                    hint="add --scheduler local (a cluster of processes on this machine)",
                )
        return
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.cluster import LOCAL, check_address, require

    require()
    check_address(scheduler)
    if scheduler != LOCAL and (workers is not None or memory_limit is not None):
        raise InputError(
            "sets up a local cluster; a running scheduler has the workers it was given",
            field="--workers" if workers is not None else "--memory-limit",
            hint="leave it out, or use --scheduler local",
        )
    if memory_limit is not None:
        _memory(memory_limit)
    if resume and out is None:
        raise InputError(
            "needs --out, the results to continue", field="--resume", hint="add --out FILE.parquet"
        )


def _memory(text: str) -> int:
    # imported on use, so that `flopbook --help` stays fast
    from dask.utils import parse_bytes

    try:
        n = int(parse_bytes(text))
    except (ValueError, TypeError):
        n = 0
    if n <= 0:
        raise InputError(
            f"cannot read {text!r} as an amount of memory",
            field="--memory-limit",
            hint="e.g. --memory-limit 2GiB",
        )
    return n


def check_out(out: Path, resume: bool, force: bool) -> Path:
    """``--out``: a .parquet file that can be written; an existing one only with --resume or
    --force."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit.inventory import journal_path
    from flopbook.files import check_target

    if resume and force:
        raise InputError(
            "--resume continues the results in --out, --force starts them again",
            field="--resume",
            hint="give one of the two",
        )
    if out.suffix.lower() != ".parquet":
        raise InputError(
            "needs a file name ending in .parquet (JSON lines are written beside it)",
            field="--out",
            hint="e.g. --out results.parquet",
        )
    target = check_target(out, "out", force=True)
    exists = target.exists() or journal_path(target).exists()
    if exists and not (resume or force):
        raise InputError(
            f"{out} (or its .jsonl) already exists",
            field="--out",
            hint="add --resume to continue it, or --force to start again",
        )
    return target


def _resume_hint(out: Path | None) -> str:
    """What to do when the cluster is left with no worker."""
    if out is None:
        return "start workers and run it again, with --out FILE.parquet to keep what finishes"
    # imported on use, so that `flopbook --help` stays fast
    from flopbook.audit.inventory import journal_path

    return (
        f"what finished is in {journal_path(out).name}: start workers and run the same "
        "command with --resume"
    )


def audit_inventory(
    books: list[Path],
    settings: Any,
    *,
    scheduler: str,
    workers: int | None,
    memory_limit: str | None,
    out: Path | None,
    resume: bool,
    force: bool,
    wait: float | None = None,
) -> None:
    """Audit every workbook as a task on the cluster; exit 0, 1 (findings) or 2 (a workbook
    refused, timed out or crashed)."""
    # imported on use, so that `flopbook --help` stays fast
    from flopbook import cluster
    from flopbook.audit import batch, inventory
    from flopbook.cli.progress import progress_bar
    from flopbook.render import inventory as render

    target = check_out(out, resume, force) if out is not None else None
    paths, refused = batch.collect(str(b) for b in books)
    if not paths:
        raise InputError(refused[0].error or "nothing to audit")
    kept = inventory.read_journal(inventory.journal_path(target)) if target and resume else []
    found = inventory.Inventory()
    found.add(kept)
    for r in refused:
        found.add(inventory.rows_of(r, None))
    todo, found.skipped = inventory.pending(paths, inventory.done_hashes(kept))
    journal = inventory.Journal(target, kept) if target is not None else None

    def sink(rows: list[dict[str, Any]]) -> None:
        found.add(rows)
        if journal is not None:
            journal.add(rows)

    try:
        with cluster.connect(scheduler, workers=workers, memory_limit=memory_limit) as client:
            link = cluster.dashboard_link(client)
            n = cluster.worker_count(client)
            print(
                f"flopbook: auditing {len(todo):,} workbook(s) on {n} Dask worker(s)"
                + (f"; dashboard: {link}" if link else ""),
                file=sys.stderr,
            )
            if found.skipped:
                print(
                    f"flopbook: --resume: {found.skipped:,} workbook(s) already in {out}",
                    file=sys.stderr,
                )
            with progress_bar("Auditing") as update:
                inventory.run(
                    client, todo, settings, sink, update, hint=_resume_hint(out), wait=wait
                )
    except BaseException:
        if journal is not None:
            journal.abandon()
        raise
    if journal is not None:
        journal.close()
    console().print(render.summary_tables(found))
    if target is not None:
        print(f"flopbook: wrote {out} and {inventory.journal_path(target).name}", file=sys.stderr)
    bad = any(r["status"] in ("refused", "timed_out", "crashed") for r in found.files)
    raise typer.Exit(2 if bad else 1 if found.findings else 0)
