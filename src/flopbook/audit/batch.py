"""Audit many workbooks at once: the files named, and the workbooks in the folders named.

Each workbook is one task, :func:`audit_one`: a plain function of picklable arguments that
never raises for a bad workbook (it returns the refusal), so any scheduler can run it. Three
schedulers come with flopbook:

- :class:`InProcess` runs each task here, one after the other (one workbook, or ``--jobs 1``);
- :class:`ProcessPool` runs them in worker processes (pebble's pool: a worker that passes
  the time limit is stopped and replaced, which a ``concurrent.futures`` pool cannot do);
- :class:`ExecutorScheduler` wraps any ``concurrent.futures.Executor``: a thread pool, or a
  Dask cluster through ``distributed.Client(...).get_executor()``. The time limit then holds
  only where the executor runs the task in a main thread of its own (see :func:`audit_one`).

:func:`run` submits every task, calls ``on_done`` as each finishes (for a progress bar), and
returns the audits in the order the files were given.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flopbook.audit import _selected, audit_book, rules, suppress
from flopbook.audit import config as cfg
from flopbook.audit.findings import AuditResult, Severity
from flopbook.audit.rules import CODES
from flopbook.audit.workbook import read
from flopbook.errors import InputError

T = TypeVar("T")

SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
DEFAULT_TIME_LIMIT = 300.0  # seconds per workbook; the 1,000,000-cell benchmark takes ~20


@dataclass(frozen=True)
class Settings:
    """What every task needs, the same for all workbooks (settings files are found per
    workbook)."""

    select: tuple[str, ...] | None = None  # --select: replaces a settings file's select
    ignore: tuple[str, ...] = ()  # --ignore: added to a settings file's ignore
    config: str | None = None  # --config FILE
    use_config: bool = True  # False with --no-config
    cwd: str = ""  # where the search for settings files stops (the working directory)
    time_limit: float | None = DEFAULT_TIME_LIMIT


@dataclass
class BookAudit:
    """One workbook's audit, or why it was refused (``error``, one line)."""

    path: str
    result: AuditResult | None = None
    error: str | None = None
    silenced: int = 0  # findings marked "flopbook: ignore" in a cell comment
    excluded: int = 0  # findings in sheets or ranges the settings exclude
    config: str | None = None  # the settings file used
    min_severity: Severity | None = None  # the settings file's, if it sets one
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


# ---- which files --------------------------------------------------------------------------


def collect(targets: Iterable[str]) -> tuple[list[str], list[BookAudit]]:
    """The workbooks to audit, and the targets refused before any work (no such file, a folder
    holding no workbook). A folder is searched below for .xlsx/.xlsm/.xltx/.xltm files, in
    name order, leaving out hidden folders and Excel's lock files (``~$book.xlsx``). A file
    named on the command line is always tried, whatever its name: the reader says why it
    refuses it."""
    paths: list[str] = []
    refused: list[BookAudit] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            paths.append(p)

    for target in targets:
        if os.path.isdir(target):
            found = list(_workbooks_in(target))
            if not found:
                looked = ", ".join(SUFFIXES)
                refused.append(
                    BookAudit(
                        target,
                        error=f"{target}: is a folder with no "
                        f"workbook in it — looked for {looked} files below it",
                    )
                )
            for p in found:
                add(p)
        else:
            add(target)
    return paths, refused


def _workbooks_in(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):  # symbolic links to folders are not followed
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            # plain files only: a link may lead out of the folder named, a pipe never ends
            if (
                name.lower().endswith(SUFFIXES)
                and not name.startswith(("~$", "."))
                and not os.path.islink(path)
                and os.path.isfile(path)
            ):
                yield path


# ---- one workbook ---------------------------------------------------------------------------


class TimeLimit(Exception):
    """Raised inside a task that has run past its time limit."""


def audit_one(path: str, settings: Settings) -> BookAudit:
    """Audit one workbook with its settings applied; a refusal is returned, never raised.

    Run in the main thread of a process (here, or a worker), the time limit is an interval
    timer: the audit stops at the next Python step once it is reached. The process pool
    also stops a worker from outside, for the odd step that does not return in time.
    """
    start = time.perf_counter()
    try:
        with _time_limit(settings.time_limit):
            out = _audit(path, settings)
    except InputError as exc:
        out = BookAudit(path, error=str(exc))
    except TimeLimit:
        out = BookAudit(
            path,
            error=f"{path}: took longer than {settings.time_limit:g} s and "
            "was stopped — raise the limit with --timeout, or audit it alone",
        )
    except MemoryError:
        out = BookAudit(path, error=f"{path}: is too large to audit in memory")
    except RecursionError:
        out = BookAudit(path, error=f"{path}: nests formulas or ranges too deeply to audit")
    except Exception as exc:  # one odd workbook never stops the others
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        out = BookAudit(
            path,
            error=f"{path}: could not be audited ({type(exc).__name__}"
            f"{': ' + detail if detail else ''}) — please report this workbook",
        )
    out.seconds = time.perf_counter() - start
    return out


def _audit(path: str, settings: Settings) -> BookAudit:
    conf = cfg.for_book(path, settings.config, settings.use_config, settings.cwd or None)
    select = settings.select if settings.select is not None else conf.select
    codes = _selected(select) if select is not None else list(CODES)
    codes = [c for c in codes if c not in set(conf.ignore) | set(settings.ignore)]

    # as in flopbook.audit.audit: the collector would rescan every cell's objects for nothing
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        book = read(path)
        result = audit_book(book, codes) if codes else _empty(book)
    finally:
        if was_enabled:
            gc.enable()
    marked = suppress.markers(book)
    kept, silenced = suppress.split(result.findings, marked)
    result.notes.extend(suppress.unknown_codes(marked, list(CODES)))
    shown = conf.apply(kept)
    excluded = len(kept) - len(shown)
    result.findings = shown
    return BookAudit(
        path,
        result,
        silenced=len(silenced),
        excluded=excluded,
        config=_shown_path(conf.source, settings.cwd),
        min_severity=conf.min_severity,
    )


def _shown_path(path: str | None, cwd: str) -> str | None:
    """A settings file as the user would name it: relative to the working directory when it
    lies under it."""
    if path is None:
        return None
    rel = relative(path, cwd or os.getcwd())
    return path if rel.startswith("../") or os.path.isabs(rel) else rel


def _empty(book: Any) -> AuditResult:
    cells = sum(len(s.values) for s in book.sheets.values())
    formulas = sum(len(s.formulas) for s in book.sheets.values())
    return AuditResult(book.path, [], list(book.notes), cells, formulas)


class _time_limit:  # noqa: N801 - used as a context manager, like contextlib's
    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        if (
            not self.seconds
            or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
        ):
            return

        def expired(signum: int, frame: Any) -> None:
            raise TimeLimit

        self.previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self.armed = True

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


# ---- schedulers ---------------------------------------------------------------------------


class Scheduler(Protocol):
    """Runs tasks and hands back futures; ``close`` waits for nothing and frees workers."""

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]: ...

    def close(self) -> None: ...


class InProcess:
    """Each task runs here when submitted (the future is already done)."""

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        fut: Future[T] = Future()
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # KeyboardInterrupt included: raised by result()
            fut.set_exception(exc)
        return fut

    def close(self) -> None:
        pass


class ProcessPool:
    """``jobs`` worker processes; a task past ``time_limit`` (+ a grace for the worker's own
    timer) has its worker stopped and replaced."""

    GRACE = 5.0

    def __init__(self, jobs: int, time_limit: float | None) -> None:
        # pebble brings multiprocessing, sockets and threads: more than the audit of one small
        # workbook takes, so it loads only when worker processes are wanted
        from pebble import ProcessPool as Pool

        self.pool = Pool(max_workers=jobs)
        self.timeout = time_limit + self.GRACE if time_limit else None
        self.time_limit = time_limit

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self.pool.schedule(fn, args=args, timeout=self.timeout)

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def cancel(self) -> None:
        self.pool.stop()
        self.pool.join()


class ExecutorScheduler:
    """Any ``concurrent.futures.Executor``: ``ExecutorScheduler(client.get_executor())``."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self.executor.submit(fn, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def scheduler_for(jobs: int, books: int, time_limit: float | None) -> Scheduler:
    """In this process for one workbook or one job; otherwise a pool of processes."""
    if jobs <= 1 or books <= 1:
        return InProcess()
    return ProcessPool(min(jobs, books), time_limit)


def run(
    paths: list[str],
    settings: Settings,
    scheduler: Scheduler | None = None,
    on_done: Callable[[BookAudit, int, int], None] | None = None,
) -> list[BookAudit]:
    """Audit every path; results in the order of ``paths``, whatever order they finish in."""
    if scheduler is None:
        scheduler = InProcess()
    if not isinstance(scheduler, InProcess):
        _warm()
    futures: dict[Future[BookAudit], int] = {}
    limit = getattr(scheduler, "time_limit", None) or settings.time_limit or 0.0
    out: list[BookAudit | None] = [None] * len(paths)
    done = 0
    try:
        for i, path in enumerate(paths):
            fut = scheduler.submit(audit_one, path, settings)
            futures[fut] = i
            if isinstance(scheduler, InProcess):  # finished already: report as it goes
                done += 1
                out[i] = _outcome(fut, paths[i], limit)
                if on_done:
                    on_done(out[i], done, len(paths))  # type: ignore[arg-type]
        if not isinstance(scheduler, InProcess):
            for fut in as_completed(futures):
                i = futures[fut]
                done += 1
                out[i] = _outcome(fut, paths[i], limit)
                if on_done:
                    on_done(out[i], done, len(paths))  # type: ignore[arg-type]
    except BaseException:
        cancel = getattr(scheduler, "cancel", None)
        if cancel is not None:
            cancel()
        raise
    finally:
        if not isinstance(scheduler, InProcess):
            gc.unfreeze()
    scheduler.close()
    return [b for b in out if b is not None]


def _outcome(fut: Future[BookAudit], path: str, limit: float) -> BookAudit:
    try:
        return fut.result()
    except FutureTimeout:
        return BookAudit(
            path,
            error=f"{path}: took longer than {limit:g} s and "
            "was stopped — raise the limit with --timeout, or audit it alone",
        )
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # the worker died (out of memory, a crash in a library)
        return BookAudit(
            path,
            error=f"{path}: the process auditing it stopped "
            f"({type(exc).__name__}) — audit it alone to see why",
        )


def _warm() -> None:
    """Import the audit before forking workers, so each starts with it loaded."""
    rules.all_rules()
    # What is loaded now moves out of the collector's reach until the run ends (gc's advice
    # for fork without exec): the workers' collections then never write to these objects, so
    # the workers keep sharing their memory pages with this process instead of copying them.
    gc.collect()
    gc.freeze()


__all__ = [
    "BookAudit",
    "ExecutorScheduler",
    "InProcess",
    "ProcessPool",
    "Scheduler",
    "Settings",
    "audit_one",
    "collect",
    "default_jobs",
    "run",
    "scheduler_for",
]


def relative(path: str, base: str | Path) -> str:
    """``path`` relative to the folder ``base``, with forward slashes (as SARIF and
    baselines write it); an absolute path where it lies on another drive."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(base))).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_posix()
