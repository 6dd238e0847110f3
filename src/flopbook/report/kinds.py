"""Which report blocks and charts each model kind has, by the kind's name
(:func:`flopbook.models.registry.name_of`: a declared kind's, or the kind a result not yet
on one declaration names itself).

A model kind joins reports by one function that turns its result into a
:class:`~flopbook.report.document.Block`, which its module (``report/<kind>.py``) names in
its ``BLOCKS``; its charts, in its ``CHARTS``, are optional. :data:`BLOCKS` and
:data:`CHARTS` gather those of every module of flopbook.report
(:mod:`flopbook.report.hooks`). A declared kind run from its inputs alone needs neither:
its block is laid out from its declaration (:func:`~flopbook.report.declared.declared_block`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flopbook.errors import InputError
from flopbook.models.registry import declared, name_of
from flopbook.registered import Gathered
from flopbook.report.declared import declared_block
from flopbook.report.document import Block, Chart
from flopbook.report.inputs import InputBook
from flopbook.report.uncertainty import distribution_charts

__all__ = ["BLOCKS", "CHARTS", "block_for", "blocks_for", "charts_for"]

# kind name -> function(result, book: InputBook, title: str) -> Block (or a list of blocks,
# for a result that holds another, as a verdict holds its payer)
BLOCKS: Gathered[Callable[..., Block | list[Block]]] = Gathered("BLOCKS", "flopbook.report.*")

# kind name -> function(result, title: str) -> list[Chart]
CHARTS: Gathered[Callable[..., list[Chart]]] = Gathered("CHARTS", "flopbook.report.*")


def _function(table: Mapping[str, Callable[..., Any]], result: Any) -> Callable[..., Any] | None:
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
