"""Every option of every command, given nonsense: one line naming the option, exit 2 — or,
where the nonsense happens to be a valid value (a folder name), a run that works. The
options are read from the command line itself, so a new option is covered when it is
added."""

from __future__ import annotations

import pytest

from hostile.conftest import FLEET, TRAINING

NONSENSE = {"junk": "zz☃", "empty": "", "negative": "-1", "huge": "1e999", "401 digits": "9" * 401}

# A good run of each command ({fleet}, {training}, {claims}, {payer}, {book} are files).
BASE = {
    "audit": ["{book}"],
    "breakeven": ["{priced}"],
    "calc": ["5 s * 700 W"],
    "case": ["deepseek-2048-h800"],
    "catalog": ["H100"],
    "check": ["{claims}"],
    "compare": ["H100", "H20"],
    "fleet": ["{fleet}"],
    "fund": ["{payer}", "--capex", "1B USD"],
    "report": ["{fleet}", "--html", "page.html"],
    "run": ["{payer}"],
    "serve": ["--no-browser"],  # every nonsense option stops it before it serves
    "sweep": ["{fleet}", "--vary", "assumptions.pue=1.1:1.2:2"],
    "workload": ["{training}"],
}

# Options whose nonsense may still be a valid value, with the codes that are then right.
VALID_SOMETIMES: dict[tuple[str, str], set[int]] = {
    ("fleet", "--plot"): {0, 2},  # "zz☃", "-1", "1e999" are folder names
    ("workload", "--plot"): {0, 2},  # the same folder names, for a workload's charts
    ("audit", "--write-baseline"): {0, 2},  # a file name; writing a baseline exits 0
    ("sweep", "--out"): {0, 2},  # a file name without a known suffix is refused
    ("sweep", "--plot"): {0, 2},  # a file name for the chart
}

CLAIMS = """\
claims:
  - claim: Two watts
    expression: 2 W
    claimed: 2 W
"""
PAYER = """\
kind: fund
name: A fund
first_year: 2020
last_year: 2021
aum_start: 1B USD
returns: 10%
management_fee: 1%
performance_fee: 20%
operating_costs: 30%
reinvest_share: 50%
"""


def _options() -> list[tuple[str, str]]:
    import typer

    from flopbook.cli import app

    found = []
    for name, command in typer.main.get_command(app).commands.items():
        for param in command.params:
            if param.param_type_name == "option" and not getattr(param, "is_flag", False):
                long = max(param.opts, key=len)
                if long not in ("--help",):
                    found.append((name, long))
    return sorted(found)


OPTIONS = _options()


@pytest.mark.parametrize("value", list(NONSENSE))
@pytest.mark.parametrize("command,option", OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_every_option_with_nonsense(flopbook, command: str, option: str, value: str) -> None:
    from hostile.test_workbooks import _book

    files = {
        "{fleet}": flopbook.write("fleet.yaml", FLEET),
        "{priced}": flopbook.write("priced.yaml", FLEET + "    rental_price: 2 USD/GPU/hour\n"),
        "{training}": flopbook.write(
            "run.yaml", TRAINING + "params: 37B\ntokens: 14.8T token\ngpu_hours: 2.788M GPU-hours\n"
        ),
        "{claims}": flopbook.write("claims.yaml", CLAIMS),
        "{payer}": flopbook.write("payer.yaml", PAYER),
        "{book}": _book(flopbook.inputs / "book.xlsx"),
    }
    args = [str(files.get(a, a)) for a in BASE[command]]
    if command in (
        "fleet",
        "breakeven",
        "report",
        "run",
        "workload",
        "check",
        "fund",
        "case",
        "calc",
        "compare",
        "sweep",
    ):
        args += ["--samples", "200"] if option not in ("--samples",) else []
    expect = VALID_SOMETIMES.get((command, option), {2})
    if value == "empty":
        expect = {2}
    ran = flopbook.run(command, *args, option, NONSENSE[value], expect=expect)
    if ran.code == 2:
        assert option in ran.err or "-" + option.lstrip("-")[0] in ran.err, ran.err
