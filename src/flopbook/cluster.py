"""A Dask cluster to run many tasks on: a local one of worker processes, or one already running.

``connect("local", workers=2)`` starts a :class:`distributed.LocalCluster` of single-threaded
worker processes listening on the loopback address only; ``connect("tcp://host:8786")`` joins a
scheduler started elsewhere (``dask scheduler`` / ``dask worker``, Kubernetes, an HPC queue:
docs/distributed.md). Either way the caller gets a :class:`distributed.Client`, and the cluster
it started (if any) is closed when the block ends.

Dask is an optional part of flopbook (``pip install 'flopbook[distributed]'``); without it,
:func:`require` says so in one line.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flopbook.errors import InputError

INSTALL = "pip install 'flopbook[distributed]'"
LOCAL = "local"
# A task that kills its worker (out of memory, a crash in a library) is tried once more on
# another worker, then reported: Dask's default of 3 retries would run a memory bomb 4 times.
ALLOWED_FAILURES = 1
CONNECT_TIMEOUT = "10s"

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
    # Dask and its networking load in about a second: only runs on a cluster need them
    import dask

    # (the distributed scheduler, a package of its own)
    from distributed import Client, LocalCluster

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
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,  # one task per process: its memory limit is the task's
            processes=True,
            host="127.0.0.1",  # loopback only: nothing outside this machine can connect
            dashboard_address="127.0.0.1:0" if dashboard and _has_bokeh() else None,
            memory_limit=memory_limit or "auto",
            silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster)
            try:
                yield client
            finally:
                client.close()
        finally:
            cluster.close()


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
    return len(client.scheduler_info().get("workers", {}))


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _has_bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


__all__ = ["INSTALL", "LOCAL", "check_address", "connect", "dashboard_link", "require"]
