"""One small Dask cluster for the tests of this folder: two single-threaded worker processes
on the loopback address, no dashboard, a task retried once after its worker dies (as
``--scheduler local`` sets up); tests reach it at its tcp:// address."""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("distributed", reason="the distributed extra is not installed")


@pytest.fixture(scope="package")
def dask_cluster():
    yield from local_cluster()


def local_cluster():
    """A cluster and its client, closed when the generator is."""
    import dask
    from distributed import Client, LocalCluster

    from flopbook.cluster import ALLOWED_FAILURES

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit="2GiB",
            silence_logs=logging.ERROR,
        )
    client = Client(cluster)
    try:
        yield cluster, client
    finally:
        client.close()
        cluster.close()


@pytest.fixture
def scheduler(dask_cluster) -> str:
    """The cluster's address, as --scheduler takes it."""
    return dask_cluster[0].scheduler_address
