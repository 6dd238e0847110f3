"""The Dask cluster of the Dask benchmarks (inventory_dask.py, sweep_dask.py): the local
cluster of ``--scheduler local`` (flopbook.cluster.local_cluster: single-threaded worker
processes on the loopback address), started before the clock, and the CPU its workers spend.

Each worker must be able to use a whole core and no more: one thread a worker, and NumPy's
BLAS and OpenMP pools held to one thread (Dask's nanny sets OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS and MKL_NUM_THREADS to 1 before it starts a worker; a Dask configuration
that changed them would make the workers compete for the cores, and is refused here).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flopbook.cluster import local_cluster

ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def client_of(workers: int) -> Iterator[Any]:
    """A client on a new local cluster of ``workers`` workers, each checked to run one thread."""
    from distributed import Client

    with local_cluster(workers, dashboard=False) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        for address, (threads, env) in client.run(_threads).items():
            wrong = {k: v for k, v in env.items() if v != "1"}
            if threads != 1 or wrong:
                raise SystemExit(f"worker {address} would not keep to one core: {threads} "
                                 f"thread(s), {wrong or 'thread settings'}")  # fmt: skip
        yield client


def _threads(dask_worker: Any = None) -> tuple[int, dict[str, str | None]]:
    import os

    return dask_worker.state.nthreads, {k: os.environ.get(k) for k in ONE_THREAD}


def worker_cpu() -> float:
    """CPU seconds of this process so far (run on each worker)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def workers_cpu(client: Any) -> float:
    """CPU seconds the cluster's workers have spent so far, together."""
    return float(sum(client.run(worker_cpu).values()))
