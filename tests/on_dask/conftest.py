"""One small Dask cluster for the tests of this folder: two single-threaded worker processes
on the loopback address, no dashboard, a task retried once after its worker dies, its ended
workers started again (``flopbook.cluster.local_cluster``, as ``--scheduler local`` sets up);
tests reach it at its tcp:// address."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed", reason="the distributed extra is not installed")

WORKERS = 2


@pytest.fixture(scope="package")
def dask_cluster():
    yield from local_cluster()


def local_cluster(workers: int = WORKERS):
    """A cluster and its client, closed when the generator is."""
    from distributed import Client

    from flopbook.cluster import local_cluster as start

    with start(workers, memory_limit="2GiB", dashboard=False) as cluster, Client(cluster) as client:
        yield cluster, client


@pytest.fixture
def scheduler(dask_cluster) -> str:
    """The cluster's address, as --scheduler takes it."""
    return dask_cluster[0].scheduler_address
