"""The public API: one list (flopbook/__init__.pyi), every name importable, typed."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import resources
from pathlib import Path

import flopbook

STUB = Path(flopbook.__file__).with_suffix(".pyi")


def _stub_names() -> list[str]:
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    return sorted(
        a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names
    )


def test_the_public_names_are_the_stubs_and_about_twenty():
    assert sorted(flopbook.__all__) == _stub_names()
    assert 15 <= len(flopbook.__all__) <= 30
    assert sorted(dir(flopbook)) == sorted(flopbook.__all__)


def test_every_public_name_resolves_to_what_its_module_holds():
    import importlib

    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(f"flopbook.{node.module}")
            for alias in node.names:
                if alias.name == "audit":  # the callable package itself (test below)
                    continue
                assert getattr(flopbook, alias.name) is getattr(module, alias.name), alias.name


def test_audit_is_callable_and_still_a_package(deepseek_xlsx):
    import flopbook.audit.workbook as workbook  # a function named audit would break this

    assert workbook.MAX_CELLS > 0
    assert isinstance(flopbook.audit(str(deepseek_xlsx)), flopbook.AuditResult)


def test_the_package_is_typed():
    assert resources.files("flopbook").joinpath("py.typed").is_file()
    assert resources.files("flopbook").joinpath("__init__.pyi").is_file()


def test_import_flopbook_loads_no_numerical_library():
    code = (
        "import sys, flopbook; print(sorted(m for m in ('numpy', 'pint', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
