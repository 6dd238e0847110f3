"""What a new user met in calc, check, compare and workload, each as they meet it: the right
number, or one line on stderr with exit code 2 and no traceback."""

import json
import re

import pytest
from test_workload_cli import EXAMPLES, cli, one_line_error  # noqa: F401 - the fixture

MFU = "6 * 37B FLOP/token * 14.8T token / (2.788M GPU*hour * H800.fp8_dense)"


def calc_json(cli, *args):  # noqa: F811 - the fixture, passed in
    run = cli("calc", *args, "-f", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)


# ---- wrong or misleading numbers --------------------------------------------------------


def test_a_percentage_is_one_hundredth(cli):  # noqa: F811
    # 1% management fee on $7B (published-figures 2: ≈ $70M a year), not $7B
    data = calc_json(cli, "1% * 7B USD")
    assert data["unit"] == "USD" and data["value"] == pytest.approx(7e7)
    assert cli("calc", "1% * 7B USD").out.strip() == "1% * 7B USD = $70.00M"


def test_the_mfu_that_deepseek_v3_implies_is_a_plain_number(cli, write):  # noqa: F811
    # DeepSeek-V3 report: 6 × 37B × 14.8T FLOPs over 2.788M H800-hours at the FP8 dense peak
    # (1,979 TFLOP/s per GPU) is 16.5% MFU (docs/workload.md)
    data = calc_json(cli, MFU)
    assert data["unit"] == "" and data["value"] == pytest.approx(0.1654, abs=1e-4)
    data = calc_json(cli, MFU, "--to", "%")
    assert data["unit"] == "%" and data["value"] == pytest.approx(16.54, abs=0.01)
    claims = write(
        f"claims:\n  - claim: 16.5% MFU at FP8\n    expression: {MFU}\n"
        "    claimed: 16.5%\n    tolerance: 1%\n",
        "mfu.yaml",
    )
    run = cli("check", str(claims))
    assert run.code == 0 and "holds" in run.out, run.out
    assert calc_json(cli, "H800.bf16_dense * 2048 GPU", "--to", "PFLOP/s")["value"] == (
        pytest.approx(989 * 2048 / 1000)
    )
    one_line_error(
        cli("calc", "2048 * H800.bf16_dense", "--to", "PFLOP/s"),
        "differ by a number of GPUs",
        "per GPU",
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--price", "H20=-1 USD/GPU/hour"], ["--price: the price of H20 must be above zero"]),
        (["--price", "H20=0 USD/GPU/hour"], ["must be above zero"]),
        (["--count", "0"], ["--count: must be positive"]),
        (["--count", "-5"], ["--count: must be positive"]),
        (["--count", "2.5"], ["--count: must be a whole number of GPUs"]),
        (["--count", "5 W"], ["--count: cannot read '5 W' as a number of GPUs"]),
        (["--precision", "fp16"], ["--precision: unknown precision 'fp16'", "write bf16"]),
        (["--price-kind", "rentl"], ["--price-kind: unknown kind 'rentl' — did you mean rental?"]),
    ],
)
def test_compare_refuses_what_it_cannot_compare(cli, args, words):  # noqa: F811
    line = one_line_error(cli("compare", "H100", "H20", *args), *words)
    assert "(a plain number)" not in line and "price_kind" not in line


@pytest.mark.parametrize("count", ["1k", "1,000", "1000", "1000 GPU"])
def test_compare_reads_a_count_as_written(cli, count):  # noqa: F811
    run = cli("compare", "H100", "H20", "--count", count, "-f", "json", "--samples", "50")
    assert run.code == 0, run.err
    assert json.loads(run.out)["reference_count"]["value"] == 1000


INFERENCE = (
    "kind: inference\nchip: H100\nparams: 37B\ntotal_params: 671B\n"
    "tokens_in: 1000 token\ntokens_out: 500 token\n"
)


def test_a_model_that_does_not_fit_in_hbm_is_refused(cli, write):  # noqa: F811
    # 671B parameters at 2 bytes are 1.34 TB; one H100 holds 80 GB
    line = one_line_error(
        cli("workload", str(write(INFERENCE, "i.yaml"))),
        "i.yaml:4",
        "total_params",
        "does not fit",
        "1.34 TB of weights",
        "1 GPU × 80 GB of H100 HBM",
        "gpus: 17 GPU",
    )
    assert "KV" not in line
    kv = INFERENCE + "gpus: 17 GPU\nbatch: 64\nkv_bytes_per_token: 1 MB\n"
    one_line_error(cli("workload", str(write(kv, "kv.yaml"))), "kv.yaml:7", "gpus", "of KV cache")
    sharded = INFERENCE + "precision: fp8\ngpus: 16 GPU\n"  # 671 GB in 16 × 80 GB
    assert cli("workload", str(write(sharded, "s.yaml"))).code == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "claims:\n  - claim: a\n    expression: 2 W\n    claimed: 10 W\n    tolerance: 5\n",
            ["c.yaml:5", "claims[0].tolerance", "would be ±500%", "did you mean 5%?"],
        ),
        (
            "define: {a: b, b: a}\nclaims:\n  - claim: a\n    expression: a\n    claimed: 1 W\n",
            ["c.yaml:1", "define.a", "defined in terms of each other: a → b → a"],
        ),
        (
            "define:\n  x: 2 * x\nclaims:\n  - claim: a\n    expression: x\n    claimed: 1 W\n",
            ["c.yaml:2", "define.x", "'x' is defined in terms of itself"],
        ),
        (
            "define:\n  x: y * 2\nclaims:\n  - claim: a\n    expression: x\n    claimed: 1 W\n",
            ["c.yaml:2", "define.x", "unknown name 'y'"],
        ),
        (
            "define: {W: 5}\nclaims:\n  - claim: a\n    expression: 2 W\n    claimed: 10\n",
            ["define.W", "'W' is already a unit (watt)", "choose another name"],
        ),
        (
            "define:\n  H100: 700 W\n"
            "claims:\n  - claim: a\n    expression: H100\n    claimed: 1 W\n",
            ["c.yaml:2", "define.H100", "already a chip in the catalog"],
        ),
    ],
)
def test_check_refuses_a_silent_misreading(cli, write, body, words):  # noqa: F811
    one_line_error(cli("check", str(write(body, "c.yaml"))), *words)


def test_definitions_may_come_in_any_order(cli, write):  # noqa: F811
    body = (
        "define:\n  later: 2 * sooner\n  sooner: 1 W\nclaims:\n  - claim: a\n"
        "    expression: later\n    claimed: 2 W\n"
    )
    assert cli("check", str(write(body, "c.yaml"))).code == 0


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("1/0", ["division by zero at character 2"]),
        ("5 W / (3 s - 3 s)", ["division by zero at character 5"]),
        ("10 ** 400", ["the result is not a finite number"]),
        ("1e200 * 1e200", ["the result is not a finite number"]),
        ("1e400", ["not a finite number"]),
    ],
)
def test_calc_refuses_infinity(cli, expr, words):  # noqa: F811
    line = one_line_error(cli("calc", expr), *words)
    assert "Warning" not in line and "inf" not in line.split("of '")[0]


# ---- errors and wording ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            "claim: x\nclaims:\n  - claim: a\n    expression: 1 W\n    claimed: 1 W\n",
            ["c.yaml:1", "unknown field 'claim'", "did you mean claims?"],
        ),
        (
            "claims:\n  - claim: a\n    expression: 1 W\n",
            [
                "c.yaml:2",
                "claims[0].claimed",
                "missing required field 'claimed'",
                'add the value the claim states, e.g. claimed: "5 s * home"',
            ],
        ),
        (
            "claims:\n  - claim: a\n    claimed: 1 W\n",
            ["missing required field 'expression'", "add what the figures give"],
        ),
    ],
)
def test_claims_file_errors_say_how_to_fix_them(cli, write, body, words):  # noqa: F811
    one_line_error(cli("check", str(write(body, "c.yaml"))), *words)


TRAINING = "kind: training\nchip: H100\nparams: 7B\ntokens: 1T token\n"


@pytest.mark.parametrize(
    ("extra", "words", "absent"),
    [
        ("mfu: 150%\n", ["w.yaml:5", "mfu: must be at most 100%, got '150%'"], "at most 1,"),
        ("mfu: 40% to 20%\n", ["w.yaml:5", "low end 40% is above its high end 20%"], "40 is"),
        (
            "mfu: 40%\nprice: {normal: {mean: 30k USD/GPU, sd: 20k USD/GPU}}\n",
            ["w.yaml:6", "price", "got {normal: {mean: 30k USD/GPU, sd: 20k USD/GPU}}"],
            "{'normal'",
        ),
    ],
)
def test_workload_errors_use_the_users_words(cli, write, extra, words, absent):  # noqa: F811
    line = one_line_error(cli("workload", str(write(TRAINING + extra, "w.yaml"))), *words)
    assert absent not in line


def test_a_hyphen_between_units_says_how_to_write_the_product(cli):  # noqa: F811
    one_line_error(cli("calc", "2.788M GPU-hours"), "a hyphen is a minus sign", "write GPU*hour")


def test_workload_figures_can_be_read_against_published_ones(cli):  # noqa: F811
    # DeepSeek-V3 report: 2.788M GPU-hours × $2 = $5.576M (published-figures 3)
    out = cli("workload", str(EXAMPLES / "training.yaml")).out
    assert "$5.576M" in out and "2.788M GPU-hour" in out and "16.54%" in out
    assert "e+" not in out and "3.7e" not in out
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in out.splitlines()
        if line.count("│") >= 4
    }
    assert rows["params"] == "37B" and rows["tokens"] == "14.8T token"
    out = cli("workload", str(EXAMPLES / "inference.yaml")).out
    assert re.search(r"│ batch +│ +32 │", out) and "32.00" not in out
    assert "solved" not in out  # nothing was solved for


def test_case_checks_show_the_published_figure_as_written(cli):  # noqa: F811
    out = cli("case", "deepseek-v3-training").out
    assert out.count("$5.576M") >= 2 and "$5.58M" not in out and "2.788M GPU-hour" in out
    assert "e+06" not in out
    out = cli("case", "deepseek-inference-day").out
    # DeepSeek, 2025-03-01: a 545% cost-profit margin; the model gives 545.6%
    assert "545%" in out and "545.6%" in out and "545 %" not in out
    assert "like-for-like" not in out


def test_each_source_is_cited_once_as_a_footnote(cli):  # noqa: F811
    out = cli("case", "deepseek-inference-day").out
    title = 'DeepSeek, "DeepSeek-V3/R1 Inference System Overview"'
    assert out.count(title) == 1 and "Sources: [1] " + title in out
    checks = out[out.index("Published figures against the model") : out.index("Sources:")]
    assert "│ [1]" in checks


def test_verdicts_do_not_repeat_themselves(cli):  # noqa: F811
    out = cli("check", str(EXAMPLES / "claims.yaml")).out
    assert "off by 1.75× (too high)" in out and "1.75× too high" not in out
    out = cli("case", "query-energy").out
    assert "1.7× below" in out and "less than a home" not in out
    assert out.count("1.75×") == 2  # one verdict per claim that is off by 1.75×


def test_every_option_has_an_example_and_summaries_are_whole(cli):  # noqa: F811
    import typer

    from flopbook.cli import app

    group = typer.main.get_command(app)
    for name in ("calc", "check", "compare", "workload"):
        command = group.commands[name]
        for param in command.params:
            if param.param_type_name != "option" or "--help" in param.opts:
                continue
            assert f"e.g. {param.opts[0]}" in (param.help or "").lower(), (name, param.opts)
        summary = command.get_short_help_str(limit=60)
        assert not summary.endswith("..."), summary
    listing = cli("--help").err + cli("--help").out
    for name in ("calc", "check", "compare", "workload"):
        line = next(x for x in listing.splitlines() if x.strip().startswith(name + " "))
        assert not line.rstrip().endswith("..."), line
