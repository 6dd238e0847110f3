"""The layers hold: no upward import (pyproject.toml's import-linter contracts), imports inside
functions only where start-up time needs them (a heavy package, or one of flopbook's modules
that loads one: HEAVY and HEAVY_MODULES), each with a comment, and `flopbook --help` loading
nothing but the command line itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "flopbook"

# Packages that take a noticeable time to load and that only some commands need: a module may
# import them inside the function that uses them (with a comment saying so).
HEAVY = {
    "matplotlib",
    "openpyxl",
    "pandas",
    "rich",
    "SALib",
    "scipy",
    "formulas",
    "xlsxwriter",
    "pebble",  # multiprocessing and threads, for several workbooks only
    "numpy",  # the audit reads workbooks without it; only recalculation needs it
    "dask",  # dask, distributed and pyarrow: a cluster and Parquet files, for inventory
    "distributed",  # audits and sweeps only
    "tornado",  # Dask's event loop, loaded with distributed: a local cluster's periodic watch
    "pyarrow",
}

# flopbook's own modules that load heavy packages at their top, so that importing them inside
# a function defers those packages as importing the packages there would: the same rule.
HEAVY_MODULES = {
    "flopbook.quantity": "pint and NumPy (its unit registry)",
}


def _function_imports(path: Path) -> list[tuple[int, int, str, ast.AST]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                name = child.names[0].name if isinstance(child, ast.Import) else child.module or ""
                found.append((child.lineno, child.end_lineno or child.lineno, name, node))
            walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, False)
    return found


def test_no_upward_import():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]


def test_imports_inside_functions_are_for_start_up_time_and_say_so():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        last: tuple[ast.AST, int] | None = None
        for lineno, end, name, parent in _function_imports(path):
            command_line = rel.startswith("cli/") or rel == "errors.py"  # both load at --help
            heavy = name.split(".")[0] in HEAVY or name in HEAVY_MODULES
            if not command_line and not heavy:
                wrong.append(f"{rel}:{lineno}: move the import of {name} to the top of the module")
            # the first import of a block says why it is here
            first = last is None or last[0] is not parent or last[1] != lineno - 1
            said = lines[lineno - 2].strip().startswith("#") or "#" in lines[lineno - 1]
            if first and not said:
                wrong.append(f"{rel}:{lineno}: say in a comment why this import is inside")
            last = (parent, end)  # an import over several lines ends on its last
    assert not wrong, "\n".join(wrong)


def test_help_loads_only_the_command_line():
    code = (
        "import sys; import flopbook.cli; "
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flopbook', 'numpy', 'pint', 'pandas', 'pydantic', 'yaml', 'scipy', "
        "'dask', 'distributed', 'pyarrow', 'starlette', 'uvicorn', 'jinja2'})))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    # the table of report files is plain data that imports nothing: `flopbook report`
    # makes its options (--xlsx, --html) from it
    table = ("flopbook.render", "flopbook.render.report_files")
    outside = [
        m
        for m in loaded
        if m not in ("flopbook", "flopbook.errors", "flopbook.version", *table)
        and not m.startswith("flopbook.cli")
    ]
    assert not outside, f"`flopbook --help` would load {outside}"
