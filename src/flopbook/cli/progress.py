"""A progress bar on stderr for work that takes more than about a second.

The bar appears only once the work has run for ``delay`` seconds, and never when stderr is not
a terminal (a pipe, a file, CI logs), so quick runs and scripts see nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def progress_bar(
    description: str, *, delay: float = 1.0, enabled: bool | None = None
) -> Iterator[Callable[[str, int, int], None]]:
    """Yield ``update(what, done, total)``; show a rich bar if the work outlasts ``delay``."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    start = time.perf_counter()
    state: dict[str, Any] = {}

    def update(what: str, done: int, total: int) -> None:
        if not enabled:
            return
        if "bar" not in state:
            if time.perf_counter() - start < delay:
                return
            # rich is loaded only when there is something to draw
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:,}/{task.total:,}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task(description, total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done, total=total, description=f"{description}: {what}")

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()
