"""Each command's module loads only when that command runs, or when the help lists it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from flopbook.cli import COMMANDS

CLI = Path(__file__).resolve().parents[2] / "src" / "flopbook" / "cli"
BOOK = Path(__file__).resolve().parents[2] / "examples" / "deepseek-semianalysis.xlsx"


def test_the_table_names_every_command_and_its_module():
    registered = {}
    for path in sorted(CLI.glob("*.py")):
        for name in re.findall(r'@app\.command\(\s*"([a-z-]+)"', path.read_text()):
            registered[name] = path.stem
    assert registered == COMMANDS


def _loaded_commands(*args: str) -> set[str]:
    code = (
        "import sys, atexit\n"
        "from flopbook.cli import COMMANDS, main\n"
        "atexit.register(lambda: print(' '.join(sorted(m for m in set(COMMANDS.values()) "
        "if 'flopbook.cli.' + m in sys.modules)), file=sys.stderr))\n"
        f"sys.argv = ['flopbook', *{list(args)!r}]\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return set(run.stderr.strip().splitlines()[-1].split())


def test_a_command_loads_only_its_own_module():
    assert _loaded_commands("audit", str(BOOK)) == {"audit"}
    assert _loaded_commands("breakeven", "--help") == {"fleet"}


def test_the_audit_of_a_small_book_loads_no_pydantic_nor_rich():
    code = (
        "import sys, atexit\n"
        "from flopbook.cli import main\n"
        "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'pydantic', 'rich', 'numpy', 'pint', 'yaml'}), file=sys.stderr))\n"
        f"sys.argv = ['flopbook', 'audit', {str(BOOK)!r}, '--jobs', '1', '--timeout', '60']\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stderr.strip().splitlines()[-1] == "[]", run.stderr


def test_the_help_lists_every_command():
    assert _loaded_commands("--help") == set(COMMANDS.values())
    run = subprocess.run(
        [sys.executable, "-c", "from flopbook.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
    )
    listed = re.findall(r"^  ([a-z]+)  ", run.stdout, re.M)
    assert listed == list(COMMANDS)


def test_a_mistyped_command_is_still_suggested(cli):
    run = cli("audti", str(BOOK))
    assert run.code == 2 and "Did you mean 'audit'?" in run.err
