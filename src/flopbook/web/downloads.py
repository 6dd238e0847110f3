"""What a scenario can be downloaded as: every kind of report file (the rows of
:data:`~flopbook.render.report_files.REPORT_FILES`: the workbook, the page, and any other
added there), then its JSON and CSV, each with its media type and the words of its button."""

from __future__ import annotations

from dataclasses import dataclass

from flopbook.render.report_files import REPORT_FILES


@dataclass(frozen=True)
class Download:
    format: str  # the last part of its address, /download/<format>, and its file's ending
    media_type: str
    button: str  # the words on its button
    report: bool  # a report file (its row in REPORT_FILES), not the result's data


def _button(noun: str, suffix: str) -> str:
    # "the workbook" -> "Workbook (.xlsx)"
    words = noun.removeprefix("the ").removeprefix("a ")
    return f"{words[:1].upper()}{words[1:]} ({suffix})"


DOWNLOADS: tuple[Download, ...] = (
    *(
        Download(f.option, f.media_type, f.download or _button(f.noun, f.suffixes[0]), True)
        for f in REPORT_FILES
    ),
    Download("json", "application/json", "JSON", False),
    Download("csv", "text/csv; charset=utf-8", "CSV", False),
)

BY_FORMAT = {d.format: d for d in DOWNLOADS}
