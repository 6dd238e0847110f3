"""`flopbook audit` settings: files, severities, exclusions, comment markers, baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from flopbook.audit import baseline as bl
from flopbook.audit import suppress
from flopbook.audit.findings import Finding


def plan(
    path: Path,
    comments: dict[str, str] | None = None,
    *,
    opex_total: str = "=SUM(B3:D3)",
    sheet: str = "Plan",
) -> Path:
    """Three rows of four GPU columns: a total that stops short (FB101 at E2) and a summed
    price (FB102 at E4); the opex total is right."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, ["", "H100", "H800", "A100", "Total"])
    ws.write_row(1, 0, ["Capex $m", 200, 750, 350])
    ws.write_formula(1, 4, "=SUM(B2:C2)", None, 950)
    ws.write_row(2, 0, ["Opex $m", 20, 75, 35])
    ws.write_formula(2, 4, opex_total, None, 130)
    ws.write_row(3, 0, ["Price per GPU $k", 20, 25, 35])
    ws.write_formula(3, 4, "=SUM(B4:D4)", None, 80)
    for cell, text in (comments or {}).items():
        ws.write_comment(cell, text)
    wb.close()
    return path


def clean(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["", "A", "B", "Total"])
    ws.write_row(1, 0, ["Cost $m", 1, 2])
    ws.write_formula(1, 3, "=SUM(B2:C2)", None, 3)
    wb.close()
    return path


def found(run_cli, *args: object) -> tuple[int, list[tuple[str, str, str]], str]:
    code, out, err = run_cli("audit", *args, "--format", "json")
    return code, [(d["cell"], d["code"], d["severity"]) for d in json.loads(out)], err


def one_line_error(err: str, *words: str) -> str:
    line = err.strip()
    assert line.startswith("flopbook: error:") and len(line.splitlines()) == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in line, line
    return line


# ---- severity -------------------------------------------------------------------------


def test_json_and_text_carry_severity_and_confidence(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    code, out, _ = run_cli("audit", book, "-f", "json")
    data = json.loads(out)
    assert code == 1 and data
    assert all(d["severity"] in ("error", "warning", "note") for d in data)
    assert all(0 <= d["confidence"] <= 1 for d in data)
    code, out, _ = run_cli("audit", book)
    assert "Plan!E2  FB101 error" in out


def test_min_severity_filters_and_defaults_to_warnings(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "flopbook-audit.toml").write_text('[severity]\nFB102 = "note"\nFB101 = "warning"\n')
    code, got, _ = found(run_cli, book)
    assert code == 1 and got == [("E2", "FB101", "warning")]  # the note is hidden by default
    code, got, _ = found(run_cli, book, "--min-severity", "note")
    assert ("E4", "FB102", "note") in got and ("E2", "FB101", "warning") in got
    code, got, _ = found(run_cli, book, "--min-severity", "error")
    assert code == 0 and got == []
    code, out, _ = run_cli("audit", book, "--min-severity", "error")
    assert "no findings" in out and "2 below --min-severity" in out


def test_min_severity_rejects_other_words(run_cli, tmp_path) -> None:
    code, _, err = run_cli("audit", plan(tmp_path / "p.xlsx"), "--min-severity", "high")
    assert code == 2
    one_line_error(err, "--min-severity")


# ---- settings files --------------------------------------------------------------------


def test_settings_beside_the_workbook_turn_rules_off(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "flopbook-audit.toml").write_text('ignore = ["FB102"]\n')
    assert found(run_cli, book)[1] == [("E2", "FB101", "error")]
    (tmp_path / "flopbook-audit.toml").write_text('select = ["FB102"]\n')
    assert found(run_cli, book)[1] == [("E4", "FB102", "error")]
    # the command line wins: --select replaces, --ignore adds
    assert found(run_cli, book, "--select", "FB101")[1] == [("E2", "FB101", "error")]
    assert found(run_cli, book, "--ignore", "FB102")[0] == 0
    assert len(found(run_cli, book, "--no-config")[1]) == 2


def test_pyproject_above_the_workbook_up_to_the_working_directory(
    run_cli, tmp_path, monkeypatch
) -> None:
    (tmp_path / "models").mkdir()
    book = plan(tmp_path / "models" / "plan.xlsx")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.flopbook.audit]\nignore = ["FB101"]\n'
    )
    (tmp_path / "models" / "pyproject.toml").write_text('[project]\nname = "no table"\n')
    monkeypatch.chdir(tmp_path)
    assert found(run_cli, "models/plan.xlsx")[1] == [("E4", "FB102", "error")]
    # from inside models/, the folder above is outside the tree: not read
    monkeypatch.chdir(tmp_path / "models")
    assert len(found(run_cli, book)[1]) == 2


def test_nearest_file_wins_and_flopbook_audit_toml_first(run_cli, tmp_path, monkeypatch) -> None:
    (tmp_path / "models").mkdir()
    plan(tmp_path / "models" / "plan.xlsx")
    (tmp_path / "flopbook-audit.toml").write_text('ignore = ["FB101", "FB102"]\n')
    (tmp_path / "models" / "pyproject.toml").write_text(
        '[tool.flopbook.audit]\nignore = ["FB101"]\n'
    )
    monkeypatch.chdir(tmp_path)
    assert found(run_cli, "models/plan.xlsx")[1] == [("E4", "FB102", "error")]
    (tmp_path / "models" / "flopbook-audit.toml").write_text('ignore = ["FB102"]\n')
    assert found(run_cli, "models/plan.xlsx")[1] == [("E2", "FB101", "error")]


def test_every_format_names_the_settings_file_it_used(run_cli, tmp_path, monkeypatch) -> None:
    (tmp_path / "models").mkdir()
    plan(tmp_path / "models" / "plan.xlsx")
    clean(tmp_path / "models" / "clean.xlsx")
    (tmp_path / "models" / "flopbook-audit.toml").write_text('ignore = ["FB102"]\n')
    monkeypatch.chdir(tmp_path)
    where = "models/flopbook-audit.toml"
    for book in ("models/plan.xlsx", "models/clean.xlsx"):
        _, out, _ = run_cli("audit", book)
        assert out.splitlines()[0].rstrip(")").endswith(f"settings from {where}"), out
        _, out, _ = run_cli("audit", book, "--format", "sarif")
        artifact = json.loads(out)["runs"][0]["artifacts"][0]
        assert artifact["properties"] == {"settings": where}
    _, out, _ = run_cli("audit", "models/plan.xlsx", "--format", "json")
    assert [d["settings"] for d in json.loads(out)] == [where]
    _, out, _ = run_cli("audit", "models/", "--format", "json")
    assert [b["settings"] for b in json.loads(out)] == [where, where]
    _, out, _ = run_cli("audit", "models/")
    assert all(f"settings from {where}" in line for line in out.splitlines()[:2]), out
    # without a settings file, nothing is said
    _, out, _ = run_cli("audit", "models/plan.xlsx", "--no-config")
    assert "settings" not in out.splitlines()[0]
    _, out, _ = run_cli("audit", "models/plan.xlsx", "--no-config", "--format", "json")
    assert all("settings" not in d for d in json.loads(out))
    _, out, _ = run_cli("audit", "models/plan.xlsx", "--no-config", "--format", "sarif")
    assert "properties" not in json.loads(out)["runs"][0]["artifacts"][0]


def test_config_option_names_the_file(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "ci.toml").write_text('ignore = ["FB101"]\n')
    assert found(run_cli, book, "--config", tmp_path / "ci.toml")[1] == [("E4", "FB102", "error")]


def test_exclude_sheets_ranges_and_per_sheet_ignores(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    cfg = tmp_path / "flopbook-audit.toml"
    cfg.write_text('exclude = ["Plan!E1:E3"]\n')
    assert found(run_cli, book)[1] == [("E4", "FB102", "error")]
    cfg.write_text('exclude = ["plan"]\n')  # sheet names match as Excel does, any case
    code, out, _ = run_cli("audit", book)
    assert code == 0 and "2 in sheets or ranges the settings exclude" in out
    cfg.write_text('[per-sheet-ignores]\nPlan = ["FB102"]\n')
    assert found(run_cli, book)[1] == [("E2", "FB101", "error")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('selct = ["FB101"]\n', ["selct", "is not a setting", "allowed: select, ignore"]),
        ('ignore = ["FB999"]\n', ["ignore", "'FB999' is not a rule", "FB101"]),
        ('ignore = "FB101, FB102"\n', ["ignore", "'FB101, FB102' is not a rule"]),
        (
            '[severity]\nFB101 = "high"\n',
            ["severity.FB101", "'high' is not a severity", "allowed: error, warning, note"],
        ),
        ('[severity]\nFB1 = "note"\n', ["severity.FB1", "is not a rule"]),
        ("min-severity = 3\n", ["min-severity", "allowed: error, warning, note"]),
        ('exclude = ["Plan!A1:"]\n', ["exclude", "is not a sheet or a range"]),
        ("exclude = [1]\n", ["exclude", "sheet names or ranges"]),
        ("ignore = [\n", ["is not valid TOML"]),
    ],
)
def test_a_bad_settings_file_is_one_line_naming_file_and_key(
    run_cli, tmp_path, text, words
) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "flopbook-audit.toml").write_text(text)
    code, out, err = run_cli("audit", book)
    assert code == 2 and out == ""
    one_line_error(err, "flopbook-audit.toml", *words)


def test_a_bad_table_in_pyproject_names_its_key(run_cli, tmp_path, monkeypatch) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "pyproject.toml").write_text('[tool.flopbook.audit.severity]\nFB101 = "x"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("audit", book)
    assert code == 2
    one_line_error(
        err, "pyproject.toml", "tool.flopbook.audit.severity.FB101", "error, warning, note"
    )


def test_config_option_errors(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    code, _, err = run_cli("audit", book, "--config", tmp_path / "missing.toml")
    assert code == 2
    one_line_error(err, "missing.toml")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    code, _, err = run_cli("audit", book, "--config", tmp_path / "pyproject.toml")
    assert code == 2
    one_line_error(err, "pyproject.toml", "[tool.flopbook.audit]")
    code, _, err = run_cli("audit", book, "--config", tmp_path / "pyproject.toml", "--no-config")
    assert code == 2


def test_a_bad_settings_file_in_a_batch_is_exit_2_and_the_rest_is_audited(
    run_cli, tmp_path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plan(tmp_path / "a" / "plan.xlsx")
    plan(tmp_path / "b" / "plan.xlsx")
    (tmp_path / "b" / "flopbook-audit.toml").write_text("nope = 1\n")
    code, out, err = run_cli("audit", tmp_path / "a", tmp_path / "b", "--jobs", "1")
    assert code == 2
    assert "a/plan.xlsx: 2 finding(s)" in out
    one_line_error(err, "flopbook-audit.toml", "nope")


# ---- comment markers -------------------------------------------------------------------


def test_a_comment_marker_silences_one_rule_at_its_cell(run_cli, tmp_path) -> None:
    book = plan(
        tmp_path / "plan.xlsx", {"E2": "flopbook: ignore FB101 -- partial on purpose, see the memo"}
    )
    code, got, _ = found(run_cli, book)
    assert got == [("E4", "FB102", "error")]
    code, out, _ = run_cli("audit", book)
    assert "1 marked ignore in a cell comment" in out


def test_a_marker_for_another_rule_silences_nothing(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx", {"E2": "Flopbook: ignore FB104, FB105"})
    assert len(found(run_cli, book)[1]) == 2


def test_a_bare_marker_silences_every_rule_and_typos_are_noted(run_cli, tmp_path) -> None:
    book = plan(
        tmp_path / "plan.xlsx",
        {"E2": "checked by JS: flopbook: ignore", "E4": "flopbook: ignore FB999"},
    )
    code, out, _ = run_cli("audit", book)
    assert "Plan!E2" not in out and "Plan!E4  FB102" in out
    assert "Plan!E4 names FB999, which is not a rule" in out


def test_marker_syntax() -> None:
    assert suppress.marker("flopbook: ignore") == frozenset()
    assert suppress.marker("FLOPBOOK:IGNORE fb104 FB105: typed on purpose") == {"FB104", "FB105"}
    assert suppress.marker("flopbook: ignore: FB104,FB101") == {"FB104", "FB101"}
    assert suppress.marker("a note about flopbook") is None
    assert suppress.marker("flopbook: ignored") is None


# ---- baseline ----------------------------------------------------------------------------


def test_baseline_round_trip(run_cli, tmp_path, monkeypatch) -> None:
    (tmp_path / "models").mkdir()
    plan(tmp_path / "models" / "plan.xlsx")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("audit", "models", "--write-baseline", "audit-baseline.json")
    assert code == 0 and "wrote 2 finding(s)" in err
    doc = json.loads((tmp_path / "audit-baseline.json").read_text())
    assert doc["tool"] == "flopbook" and doc["version"] == 1
    assert {(f["file"], f["cell"], f["code"]) for f in doc["findings"]} == {
        ("models/plan.xlsx", "E2", "FB101"),
        ("models/plan.xlsx", "E4", "FB102"),
    }
    code, out, _ = run_cli("audit", "models", "--baseline", "audit-baseline.json")
    assert code == 0 and "2 in the baseline" in out
    # from another folder, the same baseline still applies: paths are relative to it
    monkeypatch.chdir(tmp_path / "models")
    code, _, _ = run_cli("audit", "plan.xlsx", "--baseline", "../audit-baseline.json")
    assert code == 0
    # a new error is reported, the known ones are not
    plan(tmp_path / "models" / "plan.xlsx", opex_total="=SUM(B3:C3)")
    code, got, _ = found(run_cli, "plan.xlsx", "--baseline", "../audit-baseline.json")
    assert code == 1 and got == [("E3", "FB101", "error")]


def test_baseline_matches_a_finding_whose_cell_moved() -> None:
    def f(cell: str, formula: str) -> Finding:
        return Finding("Plan", cell, "FB101", "error", "t", "m", formula)

    shape = bl.shape(f("E2", "=SUM(B2:C2)"))
    assert shape == "SUM(R[0]C[-3]:R[0]C[-2])"
    base = bl.Baseline("b.json", *_counters([("Plan", "E2", "FB101", shape)]))
    new, known = base.split("plan.xlsx", [f("E3", "=SUM(B3:C3)")])  # a row inserted above
    assert known and not new
    new, known = base.split("plan.xlsx", [f("E3", "=SUM(B3:C3)"), f("E4", "=SUM(B4:C4)")])
    assert len(known) == 1 and len(new) == 1  # one for one
    new, known = base.split("plan.xlsx", [f("E2", "=SUM(B2:D2)")])  # the formula changed
    assert new and not known


def _counters(items):
    from collections import Counter

    exact, moved = Counter(), Counter()
    for sheet, cell, code, shape in items:
        exact[("plan.xlsx", sheet, cell, code, shape)] += 1
        moved[("plan.xlsx", sheet, code, shape)] += 1
    return exact, moved


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", ["not a flopbook baseline"]),
        ('{"tool": "other", "findings": []}', ["not a flopbook baseline"]),
        ('{"tool": "flopbook", "version": 9, "findings": []}', ["version 9"]),
        ('{"tool": "flopbook", "version": 1, "findings": [{"file": 1}]}', ["finding 1"]),
    ],
)
def test_a_bad_baseline_is_one_line(run_cli, tmp_path, text, words) -> None:
    book = plan(tmp_path / "plan.xlsx")
    (tmp_path / "b.json").write_text(text)
    code, out, err = run_cli("audit", book, "--baseline", tmp_path / "b.json")
    assert code == 2 and out == ""
    one_line_error(err, "--baseline", *words)


def test_write_baseline_never_over_a_workbook(run_cli, tmp_path) -> None:
    book = plan(tmp_path / "plan.xlsx")
    before = book.read_bytes()
    code, _, err = run_cli("audit", book, "--write-baseline", book)
    assert code == 2 and book.read_bytes() == before
    one_line_error(err, "never overwrites")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


@st.composite
def finding_sets(draw):
    """Findings with copied formulas (=SUM over the row to their left), on a few sheets."""
    cells = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["Plan", "Fleet"]),
                st.integers(2, 40),
                st.integers(4, 12),
                st.sampled_from(["FB101", "FB102"]),
            ),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    return [_sum_finding(sheet, row, col, code) for sheet, row, col, code in cells]


def _sum_finding(sheet: str, row: int, col: int, code: str) -> Finding:
    from flopbook.audit.formula import a1

    return Finding(
        sheet, a1(row, col), code, "error", "t", "m", f"=SUM({a1(row, col - 3)}:{a1(row, col - 1)})"
    )


@settings(max_examples=60, deadline=None)
@given(finding_sets(), st.integers(0, 5), st.integers(0, 3))
def test_a_baseline_knows_its_own_findings_wherever_the_block_moved(
    tmp_path_factory, found, dr, dc
) -> None:
    from openpyxl.utils.cell import coordinate_to_tuple

    path = tmp_path_factory.mktemp("b") / "baseline.json"
    book = str(path.parent / "book.xlsx")
    bl.write(str(path), [(book, found)])
    base = bl.load(str(path))
    new, known = base.split(book, found)
    assert new == [] and len(known) == len(found)
    moved = [
        _sum_finding(
            f.sheet,
            coordinate_to_tuple(f.cell)[0] + dr,
            coordinate_to_tuple(f.cell)[1] + dc,
            f.code,
        )
        for f in found
    ]
    new, known = base.split(book, moved)  # rows and columns inserted above and to the left
    assert new == [] and len(known) == len(found)
    extra = _sum_finding("Other", 5, 9, "FB101")
    new, _ = base.split(book, [*found, extra])
    assert new == [extra]
