"""The documentation and the code do not drift apart."""

import re

from conftest import ROOT
from flopbook.models.fleet import ASSUMPTION_FIELDS, METRICS, SKU_FIELDS, default_assumptions


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_field_is_documented_with_its_example_and_default():
    doc = (ROOT / "docs" / "scenario.md").read_text()
    defaults = default_assumptions()
    for name, spec in ASSUMPTION_FIELDS.items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"`{spec.example}`" in row
        assert f"`{defaults[name]['value']}`" in row, name
    for name, spec in SKU_FIELDS.items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"`{spec.example}`" in row
    for m in METRICS:
        assert f"`{m.key}`" in doc


def test_every_default_has_a_source_and_a_note():
    for name, entry in default_assumptions().items():
        assert entry.get("source") and entry.get("note"), name


def test_every_command_help_has_an_example(cli):
    for command in ("fleet", "case", "catalog"):
        run = cli(command, "--help")
        assert run.code == 0 and "Example: flopbook " + command in run.out


def test_every_option_of_every_command_shows_an_example():
    """`flopbook COMMAND --help` is the documentation most users read: each option says
    what it takes by example, and each command's summary fits on the overview line."""
    import typer

    from flopbook.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        summary = command.get_short_help_str(limit=68)
        assert not summary.endswith("..."), f"{name}: summary too long: {summary}"
        for param in command.params:
            if param.param_type_name != "option" or param.name in ("help",):
                continue
            if getattr(param, "is_flag", False):
                continue
            assert "e.g." in (param.help or "").lower(), f"{name} {param.opts}: no example"


def test_the_formula_tables_are_the_declarations():
    from flopbook.formula.docs import rewrite
    from flopbook.models.registry import DOC_PAGES, kind

    for name, (page, total) in DOC_PAGES.items():
        text = (ROOT / "docs" / page).read_text()
        assert rewrite(text, kind(name), total) == text, "run: python scripts/formula_docs.py"
