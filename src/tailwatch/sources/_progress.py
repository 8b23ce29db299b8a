"""A rich progress bar on stderr for long reads (imported only when asked for)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(name)``, called once per data file as it starts being read."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        task = bar.add_task("reading", total=total)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=f"reading {name[-40:]}")

        yield advance
