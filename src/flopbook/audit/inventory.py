"""Audit a whole inventory of workbooks on a Dask cluster, streaming the results to disk.

Each workbook is audited by :func:`audit_task`, on a worker: it hashes the file, audits it
with :func:`flopbook.audit.batch.audit_one` under a time limit, and returns plain rows: one
status row for the file (``ok``, ``findings``, ``refused``, ``timed_out``, ``crashed``) and one
row per finding. A bad workbook is a row, never an error: the batch always finishes. A few
workbooks make one task on the cluster (:func:`run` says why).

:class:`Journal` writes the rows as the tasks finish, to JSON lines (appended and flushed, so a
run that is killed keeps what it finished) and to Parquet (row groups, through pyarrow's
``ParquetWriter``, into a temporary file renamed onto the target when the run completes).
``--resume`` reads the JSON lines back, skips every workbook whose content hash is in them,
and audits the rest.

The time limit: a Dask worker runs tasks in threads of its own, where the interval timer of
``audit_one`` cannot be used, so a timer thread raises :class:`~flopbook.audit.batch.TimeLimit`
in the task's thread (at its next Python step, like the interval timer). The memory limit is
the worker's own (``memory_limit``, one task per worker process): past it the worker is
restarted, and the workbook reported as crashed. A step inside a C library takes no raise
until it returns: a task still running :data:`HARD_AFTER` seconds past its limit ends its
worker process, which the worker's nanny replaces, and the workbook is reported as crashed.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flopbook import cluster
from flopbook.audit import batch
from flopbook.audit.batch import BookAudit, Settings

STATUSES = ("ok", "findings", "refused", "timed_out", "crashed")
ROW_GROUP = 512  # rows buffered before a Parquet row group is written
PER_TASK = 8  # workbooks in one task on the cluster (see run)
ALONE_TRIES = 2  # more tries of a workbook alone whose worker died, before it is "crashed"
RETRY_EVERY = 0.25  # seconds between raises of the time limit, should a library swallow one
# Seconds past the time limit after which a task still running (inside a C library, where no
# Python step comes to take the raise) ends its worker process: the nanny starts a new one,
# and the workbook is reported as crashed rather than holding the worker for ever.
HARD_AFTER = 30.0
EXIT_STUCK = 75  # the exit code of a worker ended so

# (name, pyarrow type name): the columns of every row, in order; a file row leaves the finding
# columns empty and a finding row the file's
COLUMNS: tuple[tuple[str, str], ...] = (
    ("path", "string"),
    ("sha256", "string"),
    ("row", "string"),  # "file" or "finding"
    ("status", "string"),
    ("reason", "string"),
    ("seconds", "float64"),
    ("cells", "int64"),
    ("formulas", "int64"),
    ("findings", "int64"),
    ("code", "string"),
    ("severity", "string"),
    ("sheet", "string"),
    ("cell", "string"),
    ("title", "string"),
    ("message", "string"),
    ("formula", "string"),
    ("suggestion", "string"),
    ("before", "string"),  # cell values as text: a workbook's text stays text
    ("after", "string"),
    ("confidence", "float64"),
)
NAMES = tuple(n for n, _ in COLUMNS)

Row = dict[str, Any]


# ---- one workbook, on a worker ----------------------------------------------------------


def sha256(path: str) -> str | None:
    """The file's content hash, or None if it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


def audit_task(path: str, settings: Settings, *, on_worker: bool = False) -> list[Row]:
    """The rows of one workbook's audit: its status row, then one row per finding.
    ``on_worker``: this process is a Dask worker, which a stuck task may end (HARD_AFTER)."""
    digest = sha256(path)
    limit = _ThreadTimeLimit(settings.time_limit, hard=on_worker)
    try:
        with limit:
            book = batch.audit_one(path, settings)
    except batch.TimeLimit:  # raised just as the audit returned
        book = BookAudit(path)
    if limit.fired:
        book = BookAudit(path, error=_timed_out(path, settings.time_limit), seconds=book.seconds)
    # in a process's main thread audit_one's own interval timer stops the audit
    timed_out = limit.fired or (book.error or "").endswith("or audit it alone")
    return rows_of(book, digest, timed_out=timed_out)


def _timed_out(path: str, seconds: float | None) -> str:
    return (
        f"{path}: took longer than {seconds or 0:g} s and was stopped — raise the limit with "
        "--timeout, or audit it alone"
    )


def rows_of(book: BookAudit, digest: str | None, *, timed_out: bool = False) -> list[Row]:
    """A workbook's audit as rows."""
    result = book.result
    if book.error is not None:
        # audit_one's words for an audit that failed inside flopbook or a library
        crashed = "could not be audited (" in book.error
        status = "timed_out" if timed_out else "crashed" if crashed else "refused"
    else:
        status = "findings" if result is not None and result.findings else "ok"
    head = _row(
        path=book.path,
        sha256=digest,
        row="file",
        status=status,
        reason=book.error,
        seconds=round(book.seconds, 6),
        cells=result.cells if result else None,
        formulas=result.formulas if result else None,
        findings=len(result.findings) if result else None,
    )
    rows = [head]
    for f in result.findings if result else []:
        rows.append(
            _row(
                path=book.path,
                sha256=digest,
                row="finding",
                code=f.code,
                severity=f.severity,
                sheet=f.sheet,
                cell=f.cell,
                title=f.title,
                message=f.message,
                formula=f.formula,
                suggestion=f.suggestion,
                before=_text(f.before),
                after=_text(f.after),
                confidence=float(f.confidence),
            )
        )
    return rows


def crashed_rows(path: str, exc: BaseException) -> list[Row]:
    """The status row of a workbook whose task never returned (its worker died)."""
    reason = (
        f"{path}: the worker auditing it stopped ({type(exc).__name__}: out of memory, a "
        "crash in a library, or a step that ran on past the time limit) — audit it alone "
        "to see why"
    )
    return [_row(path=path, sha256=sha256(path), row="file", status="crashed", reason=reason)]


def _row(**values: Any) -> Row:
    return {n: values.get(n) for n in NAMES}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class _ThreadTimeLimit:
    """Raise TimeLimit in this thread once ``seconds`` have passed (again every
    RETRY_EVERY, until the block ends). In a process's main thread, audit_one's interval
    timer does the work and this does nothing."""

    def __init__(self, seconds: float | None, *, hard: bool = False) -> None:
        self.seconds = seconds
        self.hard = hard
        self.fired = False
        self._lock = threading.Lock()
        self._active = False
        self._timer: threading.Timer | None = None
        self._thread = 0
        self._hard = 0.0

    def __enter__(self) -> None:
        if not self.seconds or threading.current_thread() is threading.main_thread():
            return
        self._thread = threading.get_ident()
        self._active = True
        self._arm(self.seconds)

    def _arm(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if not self._active:
                return
            if self.hard and self.fired and time.monotonic() > self._hard:
                os._exit(EXIT_STUCK)  # only a new process frees a thread stuck in C
            if not self.fired:
                self._hard = time.monotonic() + HARD_AFTER
            self.fired = True
            # CPython's documented C API for raising in another thread (as a timer signal
            # does in the main thread): it takes effect at the thread's next Python step
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread), ctypes.py_object(batch.TimeLimit)
            )
            self._arm(RETRY_EVERY)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if not self._active:
                return
            self._active = False
            if self._timer is not None:
                self._timer.cancel()
            if self.fired:  # clear a raise still pending, so that it lands nowhere else
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), None)


# ---- the results on disk ---------------------------------------------------------------


def journal_path(out: Path) -> Path:
    """The JSON lines written beside a Parquet file: results.parquet -> results.jsonl."""
    return out.with_suffix(".jsonl")


def read_journal(path: Path) -> list[Row]:
    """The complete rows of a journal; a last line cut short by a killed run is left out."""
    rows: list[Row] = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.endswith("\n"):
                    break
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    break
                if isinstance(row, dict):
                    rows.append(_row(**row))
    except FileNotFoundError:
        pass
    return rows


def done_hashes(rows: Iterable[Row]) -> set[str]:
    """The content hashes of the workbooks that have a status row."""
    return {r["sha256"] for r in rows if r.get("row") == "file" and r.get("sha256")}


class Journal:
    """Rows to JSON lines (appended, flushed per workbook) and to Parquet (row groups into a
    temporary file, renamed onto ``out`` by :meth:`close`)."""

    def __init__(self, out: Path, kept: list[Row]) -> None:
        # pyarrow loads in about half a second: only inventory runs write Parquet
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.out = out
        self.schema = pa.schema([(n, getattr(pa, t)()) for n, t in COLUMNS])
        self.part = out.with_name(f".{out.name}.part")
        self.writer = pq.ParquetWriter(str(self.part), self.schema)
        self.jsonl_path = journal_path(out)
        # the journal is rewritten with the rows kept (a line cut short is dropped), then
        # appended to as workbooks finish
        tmp = self.jsonl_path.with_name(f".{self.jsonl_path.name}.part")
        with open(tmp, "w", encoding="utf-8") as f:
            for r in kept:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(tmp, self.jsonl_path)
        self.jsonl = open(self.jsonl_path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        self.buffer: list[Row] = list(kept)
        self._flush_parquet()

    def add(self, rows: list[Row]) -> None:
        for r in rows:
            self.jsonl.write(json.dumps(r, ensure_ascii=False) + "\n")
        self.jsonl.flush()
        self.buffer.extend(rows)
        if len(self.buffer) >= ROW_GROUP:
            self._flush_parquet()

    def _flush_parquet(self) -> None:
        if self.buffer:
            cols = {n: [r[n] for r in self.buffer] for n in NAMES}
            self.writer.write_table(self.pa.table(cols, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        """Finish the Parquet file and move it onto ``out``."""
        self._flush_parquet()
        self.writer.close()
        self.jsonl.close()
        os.replace(self.part, self.out)

    def abandon(self) -> None:
        """Stop without a Parquet file (the JSON lines keep what finished, for --resume)."""
        self.jsonl.close()
        self.writer.close()
        self.part.unlink(missing_ok=True)


# ---- the run ------------------------------------------------------------------------------


@dataclass
class Inventory:
    """What a run found: every file's status row and every finding's row (this run's and,
    with --resume, the earlier runs')."""

    files: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    skipped: int = 0  # workbooks left out by --resume

    def add(self, rows: list[Row]) -> None:
        for r in rows:
            (self.files if r["row"] == "file" else self.findings).append(r)

    @property
    def by_status(self) -> Counter[str]:
        return Counter(r["status"] for r in self.files)

    @property
    def by_rule(self) -> Counter[str]:
        return Counter(r["code"] for r in self.findings)

    @property
    def by_severity(self) -> Counter[str]:
        return Counter(r["severity"] for r in self.findings)

    def slowest(self, n: int = 5) -> list[Row]:
        timed = [r for r in self.files if r["seconds"] is not None]
        return sorted(timed, key=lambda r: -r["seconds"])[:n]


def _warm_worker() -> None:
    batch.rules.all_rules()


def pending(paths: list[str], done: set[str]) -> tuple[list[str], int]:
    """The paths whose content is not in ``done``, and how many were skipped."""
    if not done:
        return paths, 0
    todo = [p for p in paths if sha256(p) not in done]
    return todo, len(paths) - len(todo)


def audit_tasks(paths: list[str], settings: Settings) -> list[list[Row]]:
    """:func:`audit_task` for each of a few workbooks: one task on the cluster."""
    return [audit_task(p, settings, on_worker=True) for p in paths]


def run(
    client: Any,
    paths: list[str],
    settings: Settings,
    sink: Callable[[list[Row]], None],
    on_done: Callable[[str, int, int], None] | None = None,
    *,
    per_task: int = PER_TASK,
    hint: str = "start workers and run it again",
    wait: float | None = None,
) -> None:
    """Audit every path on ``client``'s cluster; ``sink`` gets each workbook's rows as its
    task finishes, in whatever order tasks finish.

    Workbooks go in tasks of ``per_task``: a small workbook is audited in tens of
    milliseconds, and Dask's own cost per task (about a millisecond on a quiet machine,
    several on a busy one) is then paid once for a few. Each workbook keeps its own time
    limit and its own rows. A task whose worker died is split, each of its workbooks a task
    alone, and a workbook alone is tried ALONE_TRIES more times, so that only the workbook
    that kills its worker every time is reported as crashed.

    A cluster left with no worker for ``wait`` seconds (default
    :data:`flopbook.cluster.NO_WORKERS_WAIT`) stops the run with
    :class:`flopbook.cluster.NoWorkers`, saying how many workbooks are left, then ``hint``.
    """
    # Dask's scheduler interface: only runs on a cluster need it
    from distributed import as_completed

    batch.rules.all_rules()  # fail here, not on every worker, if the rules cannot load
    # each worker loads the rules before its first task, whose time limit is then the audit's
    client.run(_warm_worker)
    groups = [paths[i : i + per_task] for i in range(0, len(paths), per_task)]
    futures = client.map(audit_tasks, groups, settings=settings, pure=False)
    where = {f.key: g for f, g in zip(futures, groups, strict=True)}
    done = 0
    tries: dict[str, int] = {}
    queue = as_completed(futures)

    def left() -> str:
        return f"{len(paths) - done:,} of {len(paths):,} workbook(s) are not audited yet"

    for fut in cluster.as_finished(client, queue, left=left, hint=hint, wait=wait):
        group = where.pop(fut.key)
        try:
            found = fut.result()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # the worker died: KilledWorker, a lost connection
            # A worker that dies takes down the tasks queued beside the one that killed it:
            # a group is split, and a workbook alone is tried again before it is called
            # crashed, so that only the one that kills its worker every time is.
            again = [[p] for p in group] if len(group) > 1 else []
            if len(group) == 1 and tries.get(group[0], 0) < ALONE_TRIES:
                tries[group[0]] = tries.get(group[0], 0) + 1
                again = [group]
            if again:
                for f, g in zip(
                    client.map(audit_tasks, again, settings=settings, pure=False),
                    again,
                    strict=True,
                ):
                    where[f.key] = g
                    queue.add(f)
                fut.release()
                continue
            found = [crashed_rows(group[0], exc)]
        fut.release()
        for path, rows in zip(group, found, strict=True):
            sink(rows)
            done += 1
            if on_done:
                on_done(Path(path).name, done, len(paths))


__all__ = [
    "COLUMNS",
    "STATUSES",
    "Inventory",
    "Journal",
    "audit_task",
    "done_hashes",
    "journal_path",
    "pending",
    "read_journal",
    "rows_of",
    "run",
]
