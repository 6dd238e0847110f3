"""A Dask cluster to run many tasks on: a local one of worker processes, or one already running.

``connect("local", workers=2)`` starts a :class:`distributed.LocalCluster` of single-threaded
worker processes listening on the loopback address only; ``connect("tcp://host:8786")`` joins a
scheduler started elsewhere (``dask scheduler`` / ``dask worker``, Kubernetes, an HPC queue:
docs/distributed.md). Either way the caller gets a :class:`distributed.Client`, and the cluster
it started (if any) is closed when the block ends.

A worker process that ends (a crash in a library, a task past its memory limit, a stuck task
ended on purpose) is started again by its nanny, but not always: when it ends again soon after,
the ``LocalCluster`` takes it for lost and closes its nanny, and a nanny whose new worker fails
to start closes itself; either way the cluster is one worker short for good, and once it has
none a batch waits for ever. So a local cluster started here is watched (:func:`_supervise`):
every :data:`WATCH_EVERY` seconds the nannies that are gone are started again, up to the
cluster's own count. A cluster started elsewhere is its owner's to keep up; there,
:func:`as_finished` stops a batch with a one-line :class:`NoWorkers` error once no worker has
been left for :data:`NO_WORKERS_WAIT` seconds, rather than wait for one for ever.

Dask is an optional part of flopbook (``pip install 'flopbook[distributed]'``); without it,
:func:`require` says so in one line.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flopbook.errors import InputError

INSTALL = "pip install 'flopbook[distributed]'"
LOCAL = "local"
# A task that kills its worker (out of memory, a crash in a library) is tried once more on
# another worker, then reported: Dask's default of 3 retries would run a memory bomb 4 times.
ALLOWED_FAILURES = 1
CONNECT_TIMEOUT = "10s"
# Seconds between checks that a local cluster has all its workers (a restart takes a few)
WATCH_EVERY = 1.0
# Seconds a batch waits with no worker left before it stops: long enough for a nanny to start
# a new worker on a busy machine, or for workers queued on an HPC scheduler to start
NO_WORKERS_WAIT = 300.0
_POLL = 0.02  # seconds between looks for finished tasks (Dask's own iterator waits 0.1)
_COUNT_EVERY = 2.0  # seconds without a finished task before the workers are counted

_ADDRESS = re.compile(r"^(tcp|tls|ucx|ws|wss)://[^\s/]+:\d{1,5}$")


def require(
    option: str = "--scheduler", modules: tuple[str, ...] = ("distributed", "pyarrow")
) -> None:
    """Refuse, in one line, to run where Dask (or pyarrow, for Parquet) is not installed."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"needs {' and '.join(missing)}, which are not installed",
            field=option,
            hint=f"install them with {INSTALL}",
        )


def check_address(scheduler: str, option: str = "--scheduler") -> str:
    """``local`` or a scheduler address such as ``tcp://10.0.0.5:8786``."""
    if scheduler == LOCAL or _ADDRESS.match(scheduler):
        return scheduler
    raise InputError(
        f"cannot read {scheduler!r}",
        field=option,
        hint="write local, or a scheduler's address such as tcp://HOST:8786",
    )


@contextmanager
def connect(
    scheduler: str,
    *,
    workers: int | None = None,
    memory_limit: str | None = None,
    dashboard: bool = True,
    option: str = "--scheduler",
) -> Iterator[Any]:
    """A :class:`distributed.Client` on the cluster named, closed (with the local cluster it
    started) when the block ends."""
    require(option)
    check_address(scheduler, option)
    # Dask's client and its networking load in about a second: only runs on a cluster need it
    from distributed import Client

    if scheduler != LOCAL:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"cannot reach the scheduler at {scheduler} ({type(exc).__name__})",
                field=option,
                hint="check that `dask scheduler` runs there and the port is open",
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    with (
        local_cluster(workers or default_workers(), memory_limit, dashboard) as cluster,
        Client(cluster) as client,
    ):
        yield client


@contextmanager
def local_cluster(
    workers: int, memory_limit: str | None = None, dashboard: bool = True
) -> Iterator[Any]:
    """A watched :class:`distributed.LocalCluster` of ``workers`` single-threaded processes
    on the loopback address, closed when the block ends."""
    require()
    # Dask and its networking load in about a second: only runs on a cluster need them
    import dask

    # (the distributed scheduler, a package of its own)
    from distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one task per process: its memory limit is the task's
            processes=True,
            host="127.0.0.1",  # loopback only: nothing outside this machine can connect
            # the scheduler's HTTP server (its health and metrics pages, and the dashboard if
            # asked for) on a free loopback port: Dask's default, 8787, may be taken
            dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": dashboard and _has_bokeh()},
            memory_limit=memory_limit or "auto",
            silence_logs=logging.ERROR,
        )
    try:
        _supervise(cluster)
        yield cluster
    finally:
        cluster.close()


def _supervise(cluster: Any) -> None:
    """Start again, every WATCH_EVERY seconds, the workers of ``cluster`` whose nanny is gone.

    Runs on the cluster's own event loop, where its nannies live. A nanny that is closed (or
    failed) is dropped, and ``cluster.scale`` to the cluster's own count starts a new one in
    its place, as it does for a nanny the cluster closed as lost. A nanny that is running is
    left to restart its worker itself."""
    # (Dask's server states and the event loop's timer: only a local cluster needs them)
    from distributed.core import Status
    from tornado.ioloop import PeriodicCallback

    gone = (Status.closing, Status.closed, Status.failed, Status.closing_gracefully)

    def check() -> None:
        if cluster.status != Status.running:  # closing: its workers are meant to go
            return
        for name, nanny in list(cluster.workers.items()):
            if nanny.status in gone:
                del cluster.workers[name]
        if set(cluster.worker_spec) - set(cluster.workers):
            cluster.scale(len(cluster.worker_spec))

    def install() -> None:
        watch = PeriodicCallback(check, WATCH_EVERY * 1000)
        # the cluster stops its periodic callbacks when it closes
        cluster.periodic_callbacks["flopbook-supervise"] = watch
        watch.start()

    cluster.loop.add_callback(install)


class NoWorkers(InputError):
    """A batch stopped because its cluster had no worker left."""


def as_finished(
    client: Any,
    queue: Any,
    *,
    left: Callable[[], str],
    hint: str,
    wait: float | None = None,
) -> Iterator[Any]:
    """The futures of ``queue`` (a :class:`distributed.as_completed`, which may grow while
    this runs) as they finish. Raises :class:`NoWorkers`, in one line saying ``left()`` (the
    work not done yet) and ``hint``, once the cluster has had no worker for ``wait`` seconds
    (default NO_WORKERS_WAIT)."""
    wait = NO_WORKERS_WAIT if wait is None else wait
    counted = time.monotonic()
    since: float | None = None  # since when no worker has been seen
    while not queue.is_empty():
        ready = queue.next_batch(block=False)
        if ready:
            yield from ready
            counted, since = time.monotonic(), None
            continue
        time.sleep(_POLL)
        now = time.monotonic()
        if now - counted < min(_COUNT_EVERY, wait):
            continue
        counted = now
        if worker_count(client):
            since = None
        elif since is None:
            since = now
        if since is not None and now - since >= wait:
            raise NoWorkers(
                f"no Dask worker has been left for {wait:g} s; {left()}",
                field="--scheduler",
                hint=hint,
            )


def dashboard_link(client: Any) -> str | None:
    """The address of the cluster's dashboard, if it serves one."""
    try:
        info = client.scheduler_info()
    except Exception:  # an old scheduler or a closed connection: no link, the run goes on
        return None
    if "dashboard" not in info.get("services", {}):
        return None
    link = client.dashboard_link
    return str(link) if link else None


def worker_count(client: Any) -> int:
    """The number of workers connected to the client's scheduler now."""
    return len(client.nthreads())


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _has_bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


__all__ = [
    "INSTALL",
    "LOCAL",
    "NoWorkers",
    "as_finished",
    "check_address",
    "connect",
    "dashboard_link",
    "local_cluster",
    "require",
    "worker_count",
]
