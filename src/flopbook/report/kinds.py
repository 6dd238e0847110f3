"""Which report blocks and charts each model kind has, by the kind's name
(:func:`flopbook.models.registry.name_of`: a declared kind's, or the kind a result not yet
on one declaration names itself).

A model kind joins reports by one function that turns its result into a
:class:`~flopbook.report.document.Block`, named in :data:`BLOCKS`; its charts are optional
(:data:`CHARTS`). A declared kind run from its inputs alone needs neither: its block is laid
out from its declaration (:func:`~flopbook.report.declared.declared_block`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flopbook.errors import InputError
from flopbook.models.registry import declared, name_of
from flopbook.report.charts import fleet_charts
from flopbook.report.declared import declared_block
from flopbook.report.document import Block, Chart
from flopbook.report.fleet import fleet_blocks
from flopbook.report.funding import funding_blocks, payer_block
from flopbook.report.inputs import InputBook
from flopbook.report.uncertainty import distribution_charts
from flopbook.report.workload import workload_block

__all__ = ["BLOCKS", "CHARTS", "block_for", "blocks_for", "charts_for"]

# kind name -> function(result, book: InputBook, title: str) -> Block (or a list of blocks,
# for a result that holds another, as a verdict holds its payer)
BLOCKS: dict[str, Callable[..., Block | list[Block]]] = {
    "fleet": fleet_blocks,
    "training": workload_block,
    "inference": workload_block,
    "fund": payer_block,
    "company": payer_block,
    "funding_verdict": funding_blocks,
}

# kind name -> function(result, title: str) -> list[Chart]
CHARTS: dict[str, Callable[..., list[Chart]]] = {
    "fleet": fleet_charts,
}


def _function(table: dict[str, Callable[..., Any]], result: Any) -> Callable[..., Any] | None:
    return table.get(name_of(result))


def blocks_for(result: Any, book: InputBook, title: str = "") -> list[Block]:
    """The report blocks of any result kind named in :data:`BLOCKS`, or of any declared
    kind run from its inputs (laid out from its declaration)."""
    make = _function(BLOCKS, result)
    found = declared(result)
    if make is None and found is not None and found.inputs:
        make = declared_block
    if make is None:
        raise InputError(
            f"no report for a {name_of(result)} yet", hint="reports cover: " + ", ".join(BLOCKS)
        )
    made = make(result, book, title)
    return made if isinstance(made, list) else [made]


def block_for(result: Any, book: InputBook, title: str = "") -> Block:
    """The (first) report block of any result kind named in :data:`BLOCKS`."""
    return blocks_for(result, book, title)[0]


def charts_for(result: Any, title: str = "") -> list[Chart]:
    """The result kind's own charts (:data:`CHARTS`), then the distributions of its headline
    outputs when its inputs are uncertain."""
    make = _function(CHARTS, result)
    return ([] if make is None else make(result, title)) + distribution_charts(result, title)
