"""Every example of the README, and every example marked runnable in docs/, is run, and what
it prints is compared with what the page shows, so that the documentation cannot drift.

- README: each ``sh`` block's commands run (``make`` aside: the suite itself); the ``python``
  block is a doctest; the fleet of "Describe a fleet" runs, and each error shown under it is
  what flopbook says when the line it names holds the value it quotes.
- README and docs/*.md: a ``python`` block with ``>>>`` is a doctest; a ``console`` block
  preceded by ``<!-- runnable -->`` is a shell session, each ``$ flopbook ...`` line run and its
  output (stdout and stderr, as a terminal shows them) compared with the lines under it, where
  ``…`` stands for any text (any lines on a line of its own) and a line the page wraps may be
  one line in the terminal (spaces and line breaks compare equal).

Commands run in a fresh folder holding ``examples/`` and the example workbook
``deepseek-semianalysis.xlsx``, as a reader who has the project would.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

FLOPBOOK = str(Path(sys.executable).parent / "flopbook")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(
    r"^(?P<mark><!-- runnable -->\n)?```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S
)


def blocks(page: Path, lang: str) -> list[tuple[int, str, bool]]:
    """(line, body, marked runnable) of each fenced block of ``lang``."""
    text = page.read_text()
    return [
        (text.count("\n", 0, m.start("body")) + 1, m.group("body"), bool(m.group("mark")))
        for m in FENCE.finditer(text)
        if m.group("lang") == lang
    ]


def _ids(items: list[tuple[Path, int, str]]) -> list[str]:
    return [f"{p.name}:{line}" for p, line, _ in items]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    shutil.copy(ROOT / "examples" / "deepseek-semianalysis.xlsx", tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(command: str, cwd: Path) -> tuple[int, str]:
    """A documented command line, run as a user runs it: (exit code, what the terminal shows)."""
    args = shlex.split(command, comments=True)
    assert args and args[0] == "flopbook", f"not a flopbook command: {command}"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    done = subprocess.run(
        [FLOPBOOK, *args[1:]],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        env={**env, "NO_COLOR": "1"},
    )
    return done.returncode, done.stdout


# ---- README: shell lines, the fleet and its errors --------------------------------------

README_COMMANDS = [
    (line, text)
    for start, body, _ in blocks(ROOT / "README.md", "sh")
    for line, text in enumerate(body.splitlines(), start)
    if text.strip() and not text.startswith("make ")
]


@pytest.mark.parametrize(("line", "command"), README_COMMANDS, ids=[c for _, c in README_COMMANDS])
def test_every_readme_command_runs(line, command, folder):
    code, out = run(command, folder)
    # the README's exit codes: 0 ok, 1 findings (audit)
    expected = 1 if command.split()[1] == "audit" else 0
    assert code == expected, f"README.md:{line}: {command}\n{out}"
    assert "error" not in out.lower().split("\n")[0], out


def test_the_readme_fleet_and_its_errors(folder):
    text = (ROOT / "README.md").read_text()
    fleet = re.search(r"## Describe a fleet\n\n```yaml\n(.*?)```", text, re.S).group(1)
    (folder / "cluster.yaml").write_text(fleet)
    code, out = run("flopbook fleet cluster.yaml", folder)
    assert code == 0, out
    errors = re.search(r"A mistake gives one line.*?```\n(.*?)```", text, re.S).group(1)
    assert errors.strip()
    for shown in errors.strip().splitlines():
        # "cluster.yaml:7: ... got '700 W'": line 7 holding '700 W' gives exactly this line
        found = re.match(r"flopbook: error: cluster\.yaml:(\d+): [^']*'([^']*)'", shown)
        assert found, shown
        number, value = int(found.group(1)), found.group(2)
        lines = fleet.splitlines()
        key = lines[number - 1].split(":", 1)[0]
        lines[number - 1] = f"{key}: {value}"
        (folder / "cluster.yaml").write_text("\n".join(lines) + "\n")
        code, out = run("flopbook fleet cluster.yaml", folder)
        assert (code, out.strip()) == (2, shown)


# ---- doctests: README and docs ----------------------------------------------------------

DOCTESTS = [
    (page, line, body)
    for page in PAGES
    for line, body, _ in blocks(page, "python")
    if ">>>" in body
]


def test_the_readme_python_example_is_a_doctest():
    assert any(page.name == "README.md" for page, _, _ in DOCTESTS)


@pytest.mark.parametrize(("page", "line", "body"), DOCTESTS, ids=_ids(DOCTESTS))
def test_python_examples_print_what_is_shown(page, line, body, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples/… as the README names them
    test = doctest.DocTestParser().get_doctest(body, {}, f"{page.name}:{line}", str(page), line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 0


# ---- shell sessions marked runnable ------------------------------------------------------

SESSIONS = [
    (page, line, body) for page in PAGES for line, body, marked in blocks(page, "console") if marked
]


def test_some_sessions_are_marked_runnable():
    assert {p.name for p, _, _ in SESSIONS} >= {"audit.md", "reports.md", "workload.md"}


def _words(text: str) -> str:
    # a page wraps long lines where a terminal would not: spaces and line breaks are one
    return " ".join(text.split())


def _shown(lines: list[str]) -> re.Pattern[str]:
    # the page's /home/me/… is the reader's own folder: any absolute path
    pieces = _words("\n".join(lines)).replace("/home/me/…", "…").split("…")
    return re.compile(".*?".join(re.escape(p.strip()) for p in pieces).replace(r"\ ", " "), re.S)


@pytest.mark.parametrize(("page", "line", "body"), SESSIONS, ids=_ids(SESSIONS))
def test_sessions_print_what_is_shown(page, line, body, folder):
    steps: list[tuple[str, list[str]]] = []
    for text in body.splitlines():
        if text.startswith("$ "):
            steps.append((text[2:], []))
        else:
            assert steps, f"{page.name}:{line}: output before the first command"
            steps[-1][1].append(text)
    for command, shown in steps:
        _, out = run(command, folder)
        actual = _words(out)
        assert _shown(shown).fullmatch(actual), (
            f"{page.name}:{line}: $ {command}\n--- shown:\n"
            + "\n".join(shown)
            + f"\n--- printed:\n{actual}"
        )
