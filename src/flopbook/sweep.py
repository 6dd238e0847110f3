"""Sweep a scenario over a design of assumptions: every point a Monte Carlo run of its kind.

    >>> from flopbook.sweep import Sweep, vary
    >>> s = Sweep.read("examples/fleet.yaml", [vary("assumptions.pue=1.1:1.4:4")])
    >>> table = s.run()  # a tidy pandas DataFrame, one row per point and output

A :class:`Vary` is one input and the values it takes: ``PATH=LOW:HIGH:N [UNIT]`` (N evenly
spaced numbers), ``PATH=LOW:HIGH [UNIT]`` (a Sobol design draws inside the range) or
``PATH=A,B,C`` (each value as it would be written in the file). A path names a field of the
scenario as its YAML does: ``assumptions.pue``, ``skus[0].count``. The design is a grid (every
combination) or a scrambled Sobol sequence of ``points`` points.

Each point is the scenario with those values written in, read by :mod:`flopbook.model_file`
and run by its model kind (the registry's kinds that a file can hold: :data:`KINDS_SWEPT`),
with a seed of its own, drawn from the run's seed and the point's number by NumPy's
``SeedSequence``: a point's numbers depend on the seed and the design only, never on which
worker ran it or how many there were.

Points run in tasks of :data:`CHUNK`, here one after the other or on a Dask cluster
(:func:`flopbook.cluster.connect`), and the table is put back in the design's order.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from flopbook import cluster, safe_yaml
from flopbook.draws import DEFAULT_SEED, sampling
from flopbook.errors import InputError, suggest
from flopbook.model_file import READERS, model_from_document
from flopbook.model_file import kind_of as file_kind
from flopbook.models.registry import KINDS, declared
from flopbook.quantity import Summary, _parse_point
from flopbook.scenario import Document

if TYPE_CHECKING:
    import pandas as pd

DESIGNS = ("grid", "sobol")
CHUNK = 8  # points per task: enough work to outweigh a task's overhead, small for balance
MAX_POINTS = 100_000  # points in one sweep
MAX_VALUES = 10_000  # values of one --vary
MAX_VARIES = 16
DEFAULT_POINTS = 64  # a Sobol design's points when --points is not given
STATS = ("mean", "p5", "p50", "p95")

Progress = Callable[[str, int, int], None]


# ---- the model kinds --------------------------------------------------------------------

# The kinds a sweep runs: those a scenario file can hold (flopbook.model_file) that the
# registry declares (so their outputs, units and headlines are known)
KINDS_SWEPT: tuple[str, ...] = tuple(k for k in READERS if k in KINDS)


def kind_of(doc: Document) -> str:
    """The model kind a scenario file describes (a file without ``kind:`` is a fleet)."""
    name = file_kind(doc)
    if name not in KINDS_SWEPT:
        raise InputError(
            f"sweeps run the model kinds {', '.join(KINDS_SWEPT)}; this file is kind: {name}",
            file=doc.file,
            line=doc.line(("kind",)),
            field="kind",
            hint="sweep a file of one of those kinds",
        )
    return name


def run_model(doc: Document) -> Callable[[str], Summary | None]:
    """Run the model a document describes: each output's summary by key (None where the
    model does not give it)."""
    _, model = model_from_document(doc)
    result = model.run()
    found = declared(result)  # every kind swept is declared: its outputs by one Result
    has = getattr(result, "has", None)  # a workload's result holds rows beyond it (HFU)

    def get(key: str) -> Summary | None:
        if found is not None and key in found.kind.output:
            # the Total: a sum of the items, or a payer's flow added up over its years;
            # none for what does not add up (a payer's stocks and shares)
            return found.summary(key)
        if has is not None and has(key):
            summary: Summary | None = result.summary(key)
            return summary
        return None

    return get


# ---- --vary -------------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_KEY = rf"(?:{_NAME}|\d+)"  # a field, or a year as a payer's file writes it (aum.2017)
_PATH = re.compile(rf"^{_NAME}(\.{_KEY}|\[\d+\])*$")
_PART = re.compile(rf"({_KEY})|\[(\d+)\]")


@dataclass(frozen=True)
class Vary:
    """One input of the sweep: its path in the file and its values (or range, for Sobol)."""

    text: str  # as given: assumptions.pue=1.1:1.4:4
    label: str  # the path as written: assumptions.pue
    path: tuple[str | int, ...]
    values: tuple[Any, ...] = ()  # what is written into the file, in order
    shown: tuple[Any, ...] = ()  # the table's column: numbers where they are numbers
    low: float | None = None  # a range's ends (a Sobol design draws between them)
    high: float | None = None
    unit: str = ""

    @property
    def is_range(self) -> bool:
        return self.low is not None

    def written(self, x: float) -> Any:
        """A number drawn in the range, as the file would hold it."""
        return f"{x:.12g} {self.unit}" if self.unit else float(f"{x:.12g}")


def vary(text: str, option: str = "--vary") -> Vary:
    """Read ``PATH=VALUES``; a mistake is one line naming the option and what to write."""
    where = f"{option} {text}"
    if "=" not in text:
        raise InputError(
            "needs PATH=VALUES", field=where, hint="e.g. --vary assumptions.pue=1.1:1.4:4"
        )
    label, _, given = (s.strip() for s in text.partition("="))
    if not _PATH.match(label):
        raise InputError(
            f"cannot read the path {label!r}",
            field=where,
            hint="name a field as the file does, e.g. assumptions.pue or skus[0].count",
        )
    path = tuple(int(i) if i else n for n, i in _PART.findall(label))
    if not given:
        raise InputError("gives no values", field=where, hint="e.g. =1.1:1.4:4 or =1k,5k,10k")
    if ":" in given:
        return _range(text, label, path, given, where)
    items = [s.strip() for s in given.split(",")]
    if any(not s for s in items):
        raise InputError("has an empty value", field=where, hint="e.g. =1k,5k,10k")
    if len(items) > MAX_VALUES:
        raise InputError(f"has more than {MAX_VALUES:,} values", field=where)
    values = tuple(_scalar(s) for s in items)
    numbers = [_number(s) for s in items]
    shown = tuple(numbers) if all(n is not None for n in numbers) else tuple(items)
    return Vary(text, label, path, values, shown)


def _range(text: str, label: str, path: tuple[str | int, ...], given: str, where: str) -> Vary:
    head, _, unit = given.partition(" ")
    parts = head.split(":")
    hint = "write LOW:HIGH:N (N values from LOW to HIGH), e.g. =1.1:1.4:4 or =0.06:0.1:3 USD/kWh"
    if len(parts) not in (2, 3):
        raise InputError(f"cannot read the range {given!r}", field=where, hint=hint)
    low, high = (_number(p) for p in parts[:2])
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        raise InputError(f"cannot read {given!r} as numbers", field=where, hint=hint)
    if high <= low:
        raise InputError(f"the range {given!r} ends below its start", field=where, hint=hint)
    unit = unit.strip()
    if len(parts) == 2:
        return Vary(text, label, path, low=low, high=high, unit=unit)
    if not parts[2].isdigit() or not 2 <= int(parts[2]) <= MAX_VALUES:
        raise InputError(
            f"needs a count of values from 2 to {MAX_VALUES:,} after the range, got {parts[2]!r}",
            field=where,
            hint=hint,
        )
    xs = np.linspace(low, high, int(parts[2]))
    made = Vary(text, label, path, low=low, high=high, unit=unit)
    shown = tuple(float(f"{x:.12g}") for x in xs)
    return Vary(text, label, path, tuple(made.written(x) for x in xs), shown, low, high, unit)


def _number(text: str) -> float | None:
    """A plain number as flopbook reads one (``1k``, ``2.5M``, ``1.2``), or None."""
    try:
        q = _parse_point(text)
    except Exception:  # not a plain number: a value with a unit, a word
        return None
    if not q.dimensionless or str(q.units) not in ("", "dimensionless"):  # 5% stays text
        return None
    m = np.asarray(q.magnitude, dtype=float).ravel()
    return float(m[0]) if m.size == 1 else None


def _scalar(text: str) -> Any:
    """A value as YAML would read it when written after ``field:``: a plain number becomes
    a number, anything else stays text."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def put(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Write ``value`` at ``path`` in the data of a scenario (a missing last key is added)."""
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def check_path(data: Any, v: Vary, option: str = "--vary") -> tuple[str | int, ...]:
    """Where to write the values: the path, if it leads to a field of the file (each step
    exists, the last may be added to a mapping), or its ``value`` when the file gives the
    field with a source and a note (``{value: …, source: …}``)."""
    node = data
    where = f"{option} {v.text}"
    resolved = list(v.path)
    for i, part in enumerate(v.path):
        last = i == len(v.path) - 1
        so_far = v.label if last else _label(v.path[: i + 1])
        if isinstance(part, int):
            if not isinstance(node, list):
                raise InputError(f"{_label(v.path[:i]) or 'the file'} is not a list", field=where)
            if part >= len(node):
                raise InputError(
                    f"{so_far} is past the end of the list ({len(node)} item(s))",
                    field=where,
                    hint=f"number them from 0 to {len(node) - 1}",
                )
            node = node[part]
            continue
        if not isinstance(node, dict):
            raise InputError(
                f"{_label(v.path[:i]) or 'the file'} has no fields (it is one value)",
                field=where,
            )
        if part not in node and str(part).isdigit() and int(part) in node:
            part = int(part)  # YAML reads the key 2017 as a number
            resolved[i] = part
        if part not in node:
            if last:
                return tuple(resolved)  # a field left to its default: the reader checks its name
            raise InputError(
                f"the file has no {so_far}",
                field=where,
                hint=suggest(str(part), tuple(map(str, node))) or "see docs/scenario.md",
            )
        node = node[part]
    if isinstance(node, dict) and "value" in node:
        return (*resolved, "value")
    if isinstance(node, dict | list):
        raise InputError(
            f"{v.label} is a group of fields, not one value",
            field=where,
            hint="name one field inside it",
        )
    return tuple(resolved)


def _label(path: Sequence[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


# ---- the design ---------------------------------------------------------------------------


def design(
    varies: Sequence[Vary], kind: str = "grid", points: int | None = None, seed: int = 0
) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """The points: for each, the values written into the file and the values shown, one per
    vary, in order."""
    if kind not in DESIGNS:
        raise InputError(f"unknown design {kind!r}", field="--design", hint="grid or sobol")
    if kind == "grid":
        if points is not None:
            raise InputError(
                "applies with --design sobol; a grid has every combination",
                field="--points",
                hint="leave it out, or add --design sobol",
            )
        for v in varies:
            if not v.values:
                raise InputError(
                    "gives a range without a count of values, which a grid needs",
                    field=f"--vary {v.text}",
                    hint=f"write e.g. {v.label}={v.low:g}:{v.high:g}:5, or use --design sobol",
                )
        n = math.prod(len(v.values) for v in varies)
        if n > MAX_POINTS:
            raise InputError(
                f"the grid has {n:,} points, more than {MAX_POINTS:,}",
                field="--vary",
                hint="give fewer values, or use --design sobol --points N",
            )
        return [
            (
                tuple(v.values[i] for v, i in zip(varies, idx, strict=True)),
                tuple(v.shown[i] for v, i in zip(varies, idx, strict=True)),
            )
            for idx in itertools.product(*(range(len(v.values)) for v in varies))
        ]
    n = DEFAULT_POINTS if points is None else points
    if not 1 <= n <= MAX_POINTS:
        raise InputError(f"must be from 1 to {MAX_POINTS:,}", field="--points")
    # SciPy loads in about a second; only a Sobol design needs it
    from scipy.stats import qmc

    engine = qmc.Sobol(len(varies), scramble=True, seed=np.random.default_rng([seed, 1]))
    u = engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]  # balanced in powers of 2
    out = []
    for row in u:
        written, shown = [], []
        for v, x in zip(varies, row, strict=True):
            if v.is_range and not v.values:
                value = v.low + x * (v.high - v.low)  # type: ignore[operator]
                written.append(v.written(value))
                shown.append(float(f"{value:.12g}"))
            else:  # a list (or a counted range): one of its values, each as likely
                i = min(int(x * len(v.values)), len(v.values) - 1)
                written.append(v.values[i])
                shown.append(v.shown[i])
        out.append((tuple(written), tuple(shown)))
    return out


def point_seed(seed: int, point: int) -> int:
    """The seed of one point: from the run's seed and the point's number alone."""
    state = np.random.SeedSequence(seed, spawn_key=(point,)).generate_state(2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1  # 63 bits: within --seed's limit


# ---- running points -----------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What every task needs: the scenario's text, which fields vary, which outputs."""

    text: str
    file: str
    paths: tuple[tuple[str | int, ...], ...]
    outputs: tuple[str, ...]
    samples: int
    seed: int


@lru_cache(maxsize=4)
def _parsed(text: str, file: str) -> Document:
    return Document(text, file)


def run_points(job: Job, points: list[tuple[int, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Run each (number, values) point; one tuple per point and output: number, seed,
    output, unit, mean, p5, p50, p95. A point the model refuses raises its error, naming it."""
    base = _parsed(job.text, job.file)
    rows = []
    for i, values in points:
        doc = copy.copy(base)
        doc.data = copy.deepcopy(base.data)
        for path, value in zip(job.paths, values, strict=True):
            put(doc.data, path, value)
        seed = point_seed(job.seed, i)
        with sampling(job.samples, seed):
            kind_of(doc)
            get = run_model(doc)
            for key in job.outputs:
                s = get(key)
                if s is None:
                    rows.append((i, seed, key, "", *([math.nan] * 4)))
                else:
                    rows.append((i, seed, key, s.unit, s.mean, s.p5, s.p50, s.p95))
    return rows


class PointError(InputError):
    """A point of the design that the model refused."""


@dataclass
class Sweep:
    """A scenario, the inputs varied, the design and the outputs summarised."""

    doc: Document
    text: str
    varies: list[Vary]
    outputs: list[str]
    kind: str

    @classmethod
    def read(
        cls,
        scenario: str | Path,
        varies: Sequence[Vary],
        outputs: Sequence[str] | None = None,
    ) -> Sweep:
        """Read the scenario and check every --vary against it (its path, and each of its
        values on its own, run with few samples) and every --output against its kind."""
        text = safe_yaml.read_text(scenario, what="scenario file")
        doc = Document(text, str(scenario))
        kind = kind_of(doc)
        if not varies:
            raise InputError(
                "nothing to vary", field="--vary", hint="e.g. --vary assumptions.pue=1.1:1.4:4"
            )
        if len(varies) > MAX_VARIES:
            raise InputError(f"at most {MAX_VARIES} inputs can be varied", field="--vary")
        labels = [v.label for v in varies]
        for v in varies:
            if labels.count(v.label) > 1:
                raise InputError(
                    f"{v.label} is varied twice", field=f"--vary {v.text}", hint="give it once"
                )
        varies = [dataclasses.replace(v, path=check_path(doc.data, v)) for v in varies]
        declared = KINDS[kind].output
        chosen = list(outputs) if outputs else list(KINDS[kind].headlines)
        for key in chosen:
            if key not in declared:
                raise InputError(
                    f"{kind} has no output {key!r}",
                    field="--output",
                    hint=suggest(key, tuple(declared)) or "outputs: " + ", ".join(declared),
                )
        found = cls(doc, text, list(varies), chosen, kind)
        found._check_values()
        return found

    def _check_values(self) -> None:
        """Each value of each vary, alone in the file, reads and runs (with few samples)."""
        for v in self.varies:
            values = v.values or (v.written(v.low), v.written(v.high))  # type: ignore[arg-type]
            for value in values:
                doc = copy.copy(self.doc)
                doc.data = copy.deepcopy(self.doc.data)
                put(doc.data, v.path, value)
                try:
                    with sampling(16, 0):
                        get = run_model(doc)
                        missing = [k for k in self.outputs if get(k) is None]
                except InputError as exc:
                    raise InputError(
                        f"at {value}: {exc.message}" if len(values) > 1 else exc.message,
                        field=f"--vary {v.text}",
                        hint=exc.hint,
                    ) from None
                if missing:
                    raise InputError(
                        f"this {self.kind} gives no {', '.join(missing)}",
                        field="--output",
                        hint="choose outputs that the scenario computes",
                    )

    def job(self, samples: int = 10_000, seed: int | None = None) -> Job:
        """What each task of a run is given."""
        return Job(
            self.text,
            self.doc.file,
            tuple(v.path for v in self.varies),
            tuple(self.outputs),
            samples,
            DEFAULT_SEED if seed is None else seed,
        )

    def points(
        self, design_kind: str = "grid", points: int | None = None, seed: int | None = None
    ) -> list[tuple[tuple[Any, ...], tuple[Any, ...]]]:
        return design(self.varies, design_kind, points, DEFAULT_SEED if seed is None else seed)

    def run(
        self,
        *,
        design_kind: str = "grid",
        points: int | None = None,
        samples: int = 10_000,
        seed: int | None = None,
        client: Any = None,
        progress: Progress | None = None,
        wait: float | None = None,
    ) -> pd.DataFrame:
        """The tidy table: one row per point and output, the varied inputs first, then the
        output, its unit, and its mean and percentiles. ``client``: a Dask client to run the
        tasks on (else they run here, one after the other); ``wait``: seconds the cluster may
        have no worker before the run stops (default
        :data:`flopbook.cluster.NO_WORKERS_WAIT`)."""
        seed = DEFAULT_SEED if seed is None else seed
        made = self.points(design_kind, points, seed)
        job = self.job(samples, seed)
        numbered = [(i, written) for i, (written, _) in enumerate(made)]
        tasks = [numbered[i : i + CHUNK] for i in range(0, len(numbered), CHUNK)]
        rows = _run_tasks(job, tasks, client, progress, len(made), wait)
        return _table(self.varies, made, rows, self.outputs)


def _run_tasks(
    job: Job,
    tasks: list[list[tuple[int, tuple[Any, ...]]]],
    client: Any,
    progress: Progress | None,
    total: int,
    wait: float | None = None,
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    done = 0

    def finished(part: list[tuple[Any, ...]], n: int) -> None:
        nonlocal done
        rows.extend(part)
        done += n
        if progress:
            progress(f"{done:,} points", done, total)

    if client is None:
        for t in tasks:
            finished(_located(job, t), len(t))
        return rows
    # Dask's scheduler interface: only runs on a cluster need it
    from distributed import as_completed

    futures = client.map(_located, [job] * len(tasks), tasks, pure=False)
    sizes = {f.key: len(t) for f, t in zip(futures, tasks, strict=True)}

    def left() -> str:
        return f"{total - done:,} of {total:,} point(s) are not run yet"

    hint = "start workers (`dask worker ADDRESS`) and run the sweep again"
    queue = as_completed(futures)
    for fut in cluster.as_finished(client, queue, left=left, hint=hint, wait=wait):
        finished(fut.result(), sizes[fut.key])
        fut.release()
    return rows


def _located(job: Job, points: list[tuple[int, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """run_points, with a refused point named (its number and values)."""
    try:
        return run_points(job, points)
    except InputError as exc:
        for i, values in points:
            try:
                run_points(job, [(i, values)])
            except InputError:
                given = ", ".join(
                    f"{_label(p)}={v}" for p, v in zip(job.paths, values, strict=True)
                )
                raise PointError(f"point {i} ({given}): {exc.message}", hint=exc.hint) from None
        raise


def _table(
    varies: Sequence[Vary],
    made: list[tuple[tuple[Any, ...], tuple[Any, ...]]],
    rows: Iterable[tuple[Any, ...]],
    outputs: Sequence[str],
) -> pd.DataFrame:
    # pandas loads in about half a second; only the table needs it
    import pandas as pd

    rank = {k: n for n, k in enumerate(outputs)}
    records = []
    for r in sorted(rows, key=lambda r: (r[0], rank[r[2]])):  # the design's order
        i, seed, key, unit, *stats = r
        shown = made[i][1]
        records.append(
            {
                "point": i,
                "seed": seed,
                **{v.label: x for v, x in zip(varies, shown, strict=True)},
                "output": key,
                "unit": unit,
                **dict(zip(STATS, stats, strict=True)),
            }
        )
    return pd.DataFrame.from_records(records)


__all__ = [
    "CHUNK",
    "DESIGNS",
    "KINDS_SWEPT",
    "PointError",
    "Sweep",
    "Vary",
    "design",
    "point_seed",
    "run_points",
    "vary",
]
