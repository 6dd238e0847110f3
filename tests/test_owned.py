"""A run on owned hardware: a workload priced from a fleet file, and timed as wall-clock x
GPUs."""

from __future__ import annotations

import json

import pytest

from flopbook.models.fleet import Fleet
from flopbook.models.workload import Training
from flopbook.owned import owned_price, wall_clock_hours

CLUSTER = """
name: the owned cluster
assumptions:
  utilisation: 70%
skus:
  - chip: H800
    count: 2048
    server_cost_per_gpu: 35k USD/GPU
"""

RUN = """
kind: training
chip: H800
precision: fp8
params: 37B
tokens: 14.8T token
gpus: 2048
wall_clock: 57 days
price: {fleet: cluster.yaml}
"""


def test_the_price_is_the_fleets_owned_cost_per_used_gpu_hour():
    fleet = Fleet([{"chip": "H800", "count": "2048 GPU", "server_cost_per_gpu": "35k USD/GPU"}])
    price = owned_price(fleet)
    expected = fleet.run().get("cost_per_gpu_hour").to("USD/GPU/hour").magnitude[0]
    assert price.value.to("USD/GPU/hour").magnitude[0] == pytest.approx(expected)
    assert "utilisation" in (price.note or "")
    run = Training(
        chip="H800",
        params="37B",
        tokens="14.8T token",
        gpus="2048 GPU",
        gpu_hours=wall_clock_hours("57 days", "2048 GPU"),
        price=price,
    ).run()
    hours = 57 * 24 * 2048
    assert run.get("gpu_hours").to("GPU*hour").magnitude == pytest.approx(hours)
    assert run.get("cost").to("USD").magnitude == pytest.approx(hours * expected)


def test_a_workload_file_priced_from_a_fleet_file(cli, write, tmp_path):
    write(CLUSTER, "cluster.yaml")
    path = write(RUN, "run.yaml")
    out = cli("workload", str(path), "--format", "json")
    assert out.code == 0, out.err
    d = json.loads(out.out)
    text = json.dumps(d)
    assert "owned cost per used GPU-hour of the owned cluster" in text
    assert "wall-clock x GPUs" in text
    rows = {r["key"]: r for r in d["outputs"]}
    assert rows["gpu_hours"]["value"] == pytest.approx(57 * 24 * 2048)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("wall_clock: 57 days", "wall_clock: 57 days\ngpu_hours: 2.8M GPU-hours"), "both"),
        (("gpus: 2048\n", ""), "wall_clock needs gpus"),
        (("{fleet: cluster.yaml}", "{fleet: cluster.yaml, colour: red}"), "{fleet: FILE}"),
        (("{fleet: cluster.yaml}", "{fleet: missing.yaml}"), "missing.yaml"),
        (("{fleet: cluster.yaml}", "{fleet: cluster.yaml, sku: A100}"), "no SKU 'A100'"),
        (("wall_clock: 57 days", "wall_clock: 57 W"), "wall_clock"),
    ],
)
def test_mistakes_are_one_line_with_exit_2(cli, write, change, message):
    write(CLUSTER, "cluster.yaml")
    path = write(RUN.replace(*change), "run.yaml")
    out = cli("workload", str(path))
    assert out.code == 2, out.err
    lines = [ln for ln in out.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and not out.out, out.err
    assert message in lines[0], lines[0]
