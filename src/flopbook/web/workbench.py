"""The scenario workbench: open a scenario, edit it, watch its results move.

Every view takes the scenario's whole text from the form (or the link), so the server keeps
no state between requests: two tabs, or twenty clients, never share a scenario.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import numpy as np
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from flopbook.errors import InputError
from flopbook.files import write_atomically
from flopbook.formula.result import TOTAL
from flopbook.models.registry import declared, name_of
from flopbook.quantity import is_point, magnitudes
from flopbook.render.charts import samples_figure, tornado_figure
from flopbook.render.html import sensitivity_html
from flopbook.report.document import Chart
from flopbook.report.uncertainty import distribution_charts, sensitivity_of
from flopbook.safe_yaml import MAX_BYTES, read_text
from flopbook.scenario import Document
from flopbook.web.downloads import DOWNLOADS
from flopbook.web.form import MAX_FIELDS, FormField, edit, form_fields
from flopbook.web.guard import Folder
from flopbook.web.pages import ENV, compute, error_fragment, page, problem
from flopbook.web.scenarios import (
    SAMPLES,
    case_scenarios,
    decode_state,
    encode_state,
    run_text,
)

__all__ = [
    "chart",
    "edit_field",
    "folder_of",
    "home",
    "read_form",
    "recompute",
    "samples_of",
    "save",
    "sensitivity",
]

SCENARIO_SUFFIXES = (".yaml", ".yml")


def folder_of(request: Request) -> Folder:
    """The folder the app was started with."""
    folder: Folder = request.app.state.folder
    return folder


async def read_form(request: Request) -> dict[str, str]:
    """A page's form fields (no files), within the form and field-size caps."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS + 20, max_part_size=MAX_BYTES + 1)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def samples_of(form: dict[str, str]) -> int:
    """The samples a form asks for (default :data:`SAMPLES`); run_text checks the range."""
    text = form.get("samples", "").replace(",", "").replace("_", "").strip()
    if not text:
        return SAMPLES
    if not text.isdigit() or len(text) > 9:
        raise InputError(
            f"expected a whole number, got {text[:20]!r}", field="samples", hint="e.g. 10000"
        )
    return int(text)


def _opened(request: Request) -> tuple[str, str, str | None]:
    """(text, file name, error) of what the address asks to open: ``?file=``, ``?case=``,
    ``?s=`` (a link's state), else the first file given on the command line, else nothing."""
    q = request.query_params
    folder = folder_of(request)
    try:
        if "s" in q:
            return decode_state(q["s"]), (q.get("name") or "scenario.yaml")[:200], None
        if "case" in q:
            by_name = {s.name: s for s in case_scenarios()}
            if q["case"] not in by_name:
                raise InputError(
                    f"no scenario in a case called {q['case'][:40]!r}",
                    field="case",
                    hint="cases with a scenario: " + ", ".join(by_name),
                )
            return by_name[q["case"]].text, f"{q['case']}.yaml", None
        files: list[str] = request.app.state.files
        wanted = q.get("file") or (files[0] if files else None)
        if wanted:
            path = folder.path(wanted, suffixes=SCENARIO_SUFFIXES)
            return read_text(path, what="scenario file"), folder.relative(path), None
    except InputError as exc:
        return "", "scenario.yaml", str(exc)
    return "", "scenario.yaml", None


async def home(request: Request) -> Response:
    text, name, error = _opened(request)
    run = None
    failure: Any = None
    if text:
        try:
            run = await compute(run_text, text, name)
        except Exception as exc:  # shown in the page; the server carries on
            failure = exc
    return page(
        request,
        "workbench.html",
        text=text,
        name=name,
        error=error,
        run=run,
        failure=failure,
        failure_html=error_fragment(failure, text) if failure else "",
        fields=_fields(text, name, run),
        downloads=DOWNLOADS,
        files=folder_of(request).scenarios(),
        starts=case_scenarios(),
        samples=SAMPLES,
        link=_link(text, name) if text else "",
    )


def _link(text: str, name: str) -> str:
    return "/?" + urlencode({"s": encode_state(text), "name": name})


def _fields(text: str, name: str, run: Any) -> list[FormField]:
    if run is None:
        return []
    try:
        return form_fields(text, name, run.kind)
    except InputError:
        return []


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn``'s answer and the CPU time its thread spent on it (which, unlike the time on the
    clock, other work on the machine does not lengthen)."""
    start = time.thread_time()
    answer = fn(*args, **kwargs)
    return answer, time.thread_time() - start


async def recompute(request: Request) -> Response:
    """The results of the scenario in the form: the fragment the page swaps in, and the
    form of its inputs (out of band) as the text now has them."""
    form = await read_form(request)
    text = form.get("text", "")
    name = form.get("name") or "scenario.yaml"
    return await _results(request, text, name, form, textarea=False)


async def _results(
    request: Request, text: str, name: str, form: dict[str, str], *, textarea: bool
) -> Response:
    started = time.perf_counter()
    try:
        run, cpu = await compute(_timed, run_text, text, name, samples=samples_of(form))
    except Exception as exc:  # shown in the page; the server carries on
        shown = problem(request, exc, text)
        if textarea:  # the text has the value the form sent, wrong as it may be
            area = ENV.get_template("_textarea.html").render(text=text, oob=True)
            return HTMLResponse(bytes(shown.body).decode() + area)
        return shown
    computed = time.perf_counter()
    response = page(
        request,
        "_results.html",
        run=run,
        link=_link(text, name),
        name=name,
        oob=True,
        fields=_fields(text, name, run),
        text=text,
        textarea=textarea,
    )
    # how long the model run (with its wait for the one computation at a time) and the page
    # took: a browser's developer tools show it, and benchmarks/web_latency.py reports it
    done = time.perf_counter()
    response.headers["Server-Timing"] = (
        f"compute;dur={(computed - started) * 1000:.1f}, cpu;dur={cpu * 1000:.1f}, "
        f"render;dur={(done - computed) * 1000:.1f}"
    )
    return response


async def edit_field(request: Request) -> Response:
    """One input changed in the form: the text with that value replaced, and its results."""
    form = await read_form(request)
    text = form.get("text", "")
    name = form.get("name") or "scenario.yaml"
    control = form.get("edit", "")
    try:
        path = json.loads(control.removeprefix("f:"))
        if not control.startswith("f:") or not isinstance(path, list):
            raise ValueError(control)
        new = edit(text, name, tuple(path), form.get(control, ""))
    except (ValueError, TypeError):
        return problem(request, InputError("the form sent an unknown field", field="edit"))
    except InputError as exc:
        return problem(request, exc, text)
    return await _results(request, new, name, form, textarea=True)


def _output_samples(run: Any, key: str) -> tuple[np.ndarray, str, str] | None:
    """(samples, label, unit) of one output of a run's result, read from its declaration's
    Result: the Total, or for a kind whose items are years in order, the last year's."""
    result = run.result
    found = declared(result)
    if found is not None and key in found.kind.output:
        column = found.columns[-1] if found.kind.carried else TOTAL
        value = found.get(key, column)
        if value is None or is_point(value):
            return None
        unit, label = found.unit(key, column), found.label(key, column)
        return (
            magnitudes(value, unit or None),
            (label if column == TOTAL else f"{label}, {column}"),
            unit,
        )
    if name_of(result) in ("training", "inference"):  # rows beyond the declaration's (HFU)
        rows = {r.key: r for r in result.rows}
        if key in rows and not is_point(rows[key].value):
            r = rows[key]
            return magnitudes(r.value, r.unit or None), r.label, r.unit
    return None


def _distribution(text: str, name: str, output: str, samples: int) -> str:
    run = run_text(text, name, samples=samples)
    found = _output_samples(run, output)
    if found is None:
        # a kind whose outputs are by year (a payer): its report's own distributions
        charts = distribution_charts(run.result, run.name)
        if not charts:
            raise InputError(
                f"{output} has one value; no distribution to draw",
                field="output",
                hint='give an input a range, e.g. pue: "1.2 to 1.4"',
            )
        chart = charts[0]
        fig = samples_figure(**chart.data)
        return Chart.from_figure(fig, chart.title).svg or ""
    x, label, unit = found
    title = f"{label} — {run.name}" if run.name else label
    return Chart.from_figure(samples_figure(x, label, unit, title), title).svg or ""


async def _output_view(request: Request, view: Callable[[str, str, str, int], str]) -> Response:
    """One output of the posted scenario, drawn by ``view`` (text, file name, output, samples)
    in a worker; an error is shown in the page and the server carries on."""
    form = await read_form(request)
    text = form.get("text", "")
    try:
        html = await compute(
            view,
            text,
            form.get("name") or "scenario.yaml",
            form.get("output", ""),
            samples_of(form),
        )
    except Exception as exc:  # shown in the page; the server carries on
        return problem(request, exc, text)
    return HTMLResponse(html)


def _distribution_figure(text: str, name: str, output: str, samples: int) -> str:
    return f'<figure class="chart">{_distribution(text, name, output, samples)}</figure>'


async def chart(request: Request) -> Response:
    """The distribution of one output, as inline SVG."""
    return await _output_view(request, _distribution_figure)


def _sensitivity(text: str, name: str, output: str, samples: int) -> str:
    run = run_text(text, name, samples=samples)
    found = sensitivity_of([run.result], output, samples=samples)
    fig = tornado_figure(found.tornado)
    svg = Chart.from_figure(fig, f"What moves {found.label}").svg or ""
    return f'<figure class="chart">{svg}</figure>' + sensitivity_html(found)


async def sensitivity(request: Request) -> Response:
    """Tornado and Sobol indices of one output."""
    return await _output_view(request, _sensitivity)


def _save(folder: Folder, name: str, text: str, replace: bool) -> str:
    path = folder.path(name, suffixes=SCENARIO_SUFFIXES)
    Document(text, folder.relative(path))  # a file that does not read is not saved
    if path.exists() and not replace:
        raise InputError(
            "already exists",
            file=folder.relative(path),
            hint="tick 'replace' to overwrite it, or give another name",
        )

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    write_atomically(path, write)
    return folder.relative(path)


async def save(request: Request) -> Response:
    """Save the scenario into the folder."""
    form = await read_form(request)
    text = form.get("text", "")
    try:
        saved = await compute(
            _save, folder_of(request), form.get("save_as", ""), text, form.get("replace") == "on"
        )
    except Exception as exc:  # shown in the page; the server carries on
        return problem(request, exc)
    return page(request, "_saved.html", saved=saved, link=_link(text, saved))
