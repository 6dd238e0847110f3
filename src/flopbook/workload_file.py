"""Workload scenario files (YAML): a training run or an inference service, one per file.

    kind: training
    name: DeepSeek-V3
    chip: H800
    precision: fp8
    params: 37B
    tokens: {value: 14.8T token, source: "DeepSeek-V3 report"}
    gpu_hours: 2.788M GPU-hours

Fields are those of :class:`~flopbook.models.workload.Training` and
:class:`~flopbook.models.workload.Inference` (``docs/workload.md`` lists them with an example
each). Any mistake is one :class:`~flopbook.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from flopbook.errors import InputError
from flopbook.formula.shape import file_shape
from flopbook.models.workload import INFERENCE_FIELDS, TRAINING_FIELDS, Inference, Training
from flopbook.scenario import Document

if TYPE_CHECKING:
    from flopbook.models.workload import WorkloadResult

T = TypeVar("T")

# besides the inputs (the models' field specs, flopbook.formula.shape): the chip and the
# precision its peak is read at
_CHIP: dict[str, Any] = {
    "chip": (str | None, None),
    "precision": (str | None, None),
}


# an inference workload may name a model preset or write its architecture out
_ARCHITECTURE: dict[str, Any] = {
    "model": (str | None, None),
    "architecture": (dict[str, Any] | None, None),
}

# a training workload may name a model preset, a recomputation and an MFU preset
_TRAINING_EXTRA: dict[str, Any] = {
    "model": (str | None, None),
    "recompute": (str | None, None),
    "mfu_from": (str | None, None),
}


def _models() -> dict[str, type[BaseModel]]:
    return {
        "training": file_shape(
            "TrainingFile", TRAINING_FIELDS, kind="training", more={**_CHIP, **_TRAINING_EXTRA}
        ),
        "inference": file_shape(
            "InferenceFile", INFERENCE_FIELDS, kind="inference", more={**_CHIP, **_ARCHITECTURE}
        ),
    }


def validate(
    doc: Document,
    model: type[T],
    path: tuple[str | int, ...] = (),
    *,
    examples: dict[str, str] | None = None,
) -> T:
    """``doc.validate``: kept as this module's name for it (claims and cases call it)."""
    return doc.validate(model, path, examples=examples)


def workload_from_document(doc: Document) -> Training | Inference:
    """The Training or Inference model the document describes."""
    models = _models()
    kind = doc.data.get("kind")
    if kind not in models:
        got = f"got {kind!r}" if kind is not None else "missing"
        raise doc.error(
            InputError(
                f"kind must be training or inference ({got})", hint="add e.g. kind: training"
            ),
            ("kind",),
        )
    spec = validate(doc, models[kind])
    values: dict[str, Any] = {
        k: (v.model_dump(exclude_none=True) if isinstance(v, BaseModel) else v)
        for k, v in spec.model_dump(exclude_none=True).items()
        if k not in ("kind", "description", "source", "note")
    }
    # pydantic turned mappings into dicts already; keep strings and numbers as written
    for k, v in list(values.items()):
        raw = getattr(spec, k)
        values[k] = raw.model_dump(exclude_none=True) if isinstance(raw, BaseModel) else v
    cls = Training if kind == "training" else Inference
    return cls(**values)


# registered: model_file.READERS gathers the READERS of every *_file module
READERS = {"training": workload_from_document, "inference": workload_from_document}


def run_document(doc: Document) -> WorkloadResult:
    """Run the workload a document describes; errors are located in the file."""
    return run_located(doc, workload_from_document(doc))


def run_located(doc: Document, model: Any) -> WorkloadResult:
    """Run ``model``, read from ``doc``: an error in one of its inputs names the file and the
    line of that input."""
    try:
        return model.run()  # type: ignore[no-any-return]
    except InputError as exc:
        field = (exc.field or "").split(".")[0]
        path: tuple[str | int, ...] = (field,) if field and field in doc.data else ()
        raise InputError(
            exc.message,
            file=doc.file,
            line=doc.line(path) if path else None,
            field=exc.field,
            hint=exc.hint,
        ) from None


def run_workload(path: str | Path) -> WorkloadResult:
    """Read and run a workload scenario file."""
    return run_document(Document.read(path))
