"""`flopbook audit` text folds at --width (and the terminal's width), as the tables do; piped
output stays whole, so that a line can be searched for."""

from __future__ import annotations

from typer.testing import CliRunner

from flopbook.cli import app
from flopbook.render.audit import wrap


def _audit(path, *options: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, [*options, "audit", str(path)], env=env or {"COLUMNS": ""})
    assert result.exit_code == 1, result.output
    return result.stdout


def test_audit_text_folds_at_the_width_asked_for(deepseek_xlsx) -> None:
    whole = _audit(deepseek_xlsx)
    assert max(len(line) for line in whole.splitlines()) > 80  # the case needs folding
    for width in (60, 80, 100):
        folded = _audit(deepseek_xlsx, "--width", str(width))
        assert max(len(line) for line in folded.splitlines()) <= width
        # nothing lost or split inside a word: the same words in the same order
        assert folded.split() == whole.split()


def test_audit_text_folds_at_the_terminal_width(deepseek_xlsx) -> None:
    folded = _audit(deepseek_xlsx, env={"COLUMNS": "72"})
    assert max(len(line) for line in folded.splitlines()) <= 72


def test_a_fold_hangs_under_its_label() -> None:
    text = "  formula:  =SUM(A1:A9) + SUM(B1:B9) + SUM(C1:C9)\nshort"
    assert wrap(text, 32).splitlines() == [
        "  formula:  =SUM(A1:A9) +",
        "            SUM(B1:B9) +",
        "            SUM(C1:C9)",
        "short",
    ]


def test_a_word_longer_than_the_width_stays_whole() -> None:
    formula = "=SUMPRODUCT(B4:E4,B3:E3)/SUM(B3:E3)"
    assert formula in wrap(f"  suggest:  {formula} and more words", 20).splitlines()[0]
    assert wrap("a b", None) == "a b"
