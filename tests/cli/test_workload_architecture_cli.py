"""`flopbook workload` with a model preset: errors, --sensitivity and --plot."""

from __future__ import annotations

import json

PRESET = """kind: inference
name: Llama 3.1 70B on 4 H100
model: llama-3.1-70b
chip: H100
precision: fp8
gpus: 4
tokens_in: 1000 token
tokens_out: 500 token
batch: 64
mbu: 50% to 80%
price: 2 to 3 USD/GPU/hour
"""


def test_a_preset_runs_and_names_its_source(run_cli, write) -> None:
    code, out, err = run_cli("workload", write(PRESET), "--format", "json", "--samples", "200")
    assert code == 0, err
    d = json.loads(out)
    keys = {o["key"] for o in d["outputs"]}
    assert {"kv_bytes_per_token", "hbm_per_gpu", "decode_step", "ttft"} <= keys
    params = next(i for i in d["inputs"] if i["name"] == "params")
    assert params["how"] == "architecture" and "llama-3.1-70b" in params["source"]


def test_misfits_are_one_line(run_cli, write) -> None:
    for change, words in (("gpus: 4", "gpus: 1"), ("batch: 64", "batch: 99999")):
        code, out, err = run_cli("workload", write(PRESET.replace(change, words)))
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1
        assert "does not fit" in err


def test_sensitivity_and_plot(run_cli, write, tmp_path) -> None:
    charts = tmp_path / "charts"
    code, out, err = run_cli(
        "workload",
        write(PRESET),
        "--sensitivity",
        "cost_per_million_output",
        "--plot",
        charts,
        "--samples",
        "500",
        "--format",
        "json",
    )
    assert code == 0, err
    d = json.loads(out)
    bars = [b["input"] for b in d["sensitivity"]["tornado"]["bars"]]
    assert set(bars) == {"mbu", "price"}
    assert (charts / "cost_per_million_output-tornado.svg").exists()
    assert (charts / "cost_per_million_output-distribution.png").exists()


def test_sensitivity_of_an_unknown_output(run_cli, write) -> None:
    code, _out, err = run_cli("workload", write(PRESET), "--sensitivity", "cost_per_token")
    assert code == 2
    assert "--sensitivity" in err and "cost_per" in err


def test_training_with_a_preset(run_cli, write) -> None:
    text = """kind: training
name: Llama 3.1 405B
model: llama-3.1-405b
chip: H100
tokens: 15.6T token
seq_len: 8192 token
recompute: full
mfu_from: llama-3-405b
gpus: 16384
"""
    code, out, err = run_cli("workload", write(text), "--format", "json", "--samples", "200")
    assert code == 0, err
    keys = {o["key"]: o for o in json.loads(out)["outputs"]}
    assert {"flops", "gpu_hours", "hardware_flops", "hfu", "wall_clock"} <= set(keys)
    code, _out, err = run_cli("workload", write(text.replace("recompute: full", "recompute: most")))
    assert code == 2 and "recompute" in err and len(err.strip().splitlines()) == 1
