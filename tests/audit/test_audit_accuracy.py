"""The audit on generated workbooks (tests/audit/bookgen.py): every planted error found,
nothing found in clean books. The full measurement is benchmarks/audit_accuracy.py."""

from __future__ import annotations

import pytest
from bookgen import KINDS, corpus

from flopbook.audit import audit


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    rows = []
    for book in corpus(seed=11, per_kind=3, clean=9):
        result = audit(str(book.write(tmp / f"{book.name}.xlsx")))
        rows.append((book, {(f.sheet, f.cell, f.code) for f in result.findings}))
    return rows


def test_clean_books_have_no_findings(measured) -> None:
    flagged = [(b.name, sorted(got)) for b, got in measured if b.planted is None and got]
    assert flagged == []


@pytest.mark.parametrize("kind", KINDS)
def test_recall_and_precision_per_rule(measured, kind) -> None:
    tp = sum(len({x for x in got & b.expected if x[2] == kind}) for b, got in measured)
    fn = sum(len({x for x in b.expected - got if x[2] == kind}) for b, got in measured)
    fp = sum(len({x for x in got - b.expected if x[2] == kind}) for b, got in measured)
    assert tp + fn > 0
    assert tp / (tp + fn) >= 0.9
    assert tp / max(tp + fp, 1) >= 0.9


def test_each_layout_and_kind_is_generated() -> None:
    books = corpus(seed=3, per_kind=3, clean=3)
    assert {b.layout for b in books} == {"fleet", "plan", "list"}
    assert {b.planted for b in books} == {None, *KINDS}
    assert all(b.expected for b in books if b.planted)
