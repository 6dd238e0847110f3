"""Two scenarios side by side: each one's results, and where they differ.

Both are run as the workbench runs one (:func:`flopbook.web.scenarios.run_text`); the
differences are read off the two results' rows — the last column (the total, or the one
value) of each output both have: A, B, B − A and B / A.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from flopbook import numbers
from flopbook.errors import InputError
from flopbook.safe_yaml import read_text
from flopbook.web.pages import compute, page, problem
from flopbook.web.scenarios import Run, case_scenarios, run_text
from flopbook.web.workbench import SCENARIO_SUFFIXES, folder_of, read_form, samples_of

__all__ = ["compare_page", "compare_run"]


@dataclass
class Difference:
    label: str
    unit: str
    a: str
    b: str
    change: str
    ratio: str
    moved: bool


def differences(a: Run, b: Run) -> list[Difference]:
    """The outputs both runs have, at their last column, and how B differs from A."""
    theirs = {r.key: r for r in b.rows}
    out = []
    for ra in a.rows:
        rb = theirs.get(ra.key)
        if rb is None or not ra.means or not rb.means or ra.of != rb.of:
            continue
        x, y = list(ra.means.values())[-1], list(rb.means.values())[-1]
        if x is None or y is None:
            continue
        change = numbers.value(y - x, ra.of) if y != x else "same"
        ratio = f"{y / x:.3g}×" if x and math.isfinite(y / x) else "—"
        out.append(
            Difference(
                ra.label,
                ra.unit,
                numbers.value(x, ra.of),
                numbers.value(y, ra.of),
                change,
                ratio,
                not math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0),
            )
        )
    return out


def _text_of(request: Request, which: str) -> tuple[str, str]:
    """The text and name that ``?a=``/``?b=`` (a file in the folder) or ``?case_a=`` names."""
    q = request.query_params
    if q.get(f"case_{which}"):
        by_name = {s.name: s for s in case_scenarios()}
        name = q[f"case_{which}"]
        if name not in by_name:
            raise InputError(f"no scenario in a case called {name[:40]!r}", field=f"case_{which}")
        return by_name[name].text, f"{name}.yaml"
    if q.get(which):
        folder = folder_of(request)
        path = folder.path(q[which], suffixes=SCENARIO_SUFFIXES)
        return read_text(path, what="scenario file"), folder.relative(path)
    return "", f"{which}.yaml"


async def compare_page(request: Request) -> Response:
    try:
        a, b = _text_of(request, "a"), _text_of(request, "b")
    except InputError as exc:
        return problem(request, exc)
    return page(
        request,
        "compare.html",
        a=a,
        b=b,
        files=folder_of(request).scenarios(),
        starts=case_scenarios(),
    )


def _both(texts: tuple[str, str], names: tuple[str, str], samples: int) -> tuple[Run, Run]:
    return (
        run_text(texts[0], names[0], samples=samples),
        run_text(texts[1], names[1], samples=samples),
    )


async def compare_run(request: Request) -> Response:
    form = await read_form(request)
    texts = (form.get("text_a", ""), form.get("text_b", ""))
    names = (form.get("name_a") or "a.yaml", form.get("name_b") or "b.yaml")
    try:
        a, b = await compute(_both, texts, names, samples_of(form))
    except Exception as exc:  # shown in the page; the server carries on
        which = 1 if getattr(exc, "file", None) == names[1] else 0
        return problem(request, exc, texts[which])
    return page(request, "_compare.html", a=a, b=b, differences=differences(a, b))
