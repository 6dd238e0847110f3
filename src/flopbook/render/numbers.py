"""Moved to :mod:`flopbook.numbers` (below the models, which quote figures in messages);
kept so that existing imports keep working."""

from flopbook.numbers import (  # noqa: F401
    DISPLAYS,
    UNIT_LABELS,
    Display,
    axis,
    check_figures,
    compact_usd,
    display,
    interval,
    number,
    significant,
    summary,
    tolerance,
    value,
)
