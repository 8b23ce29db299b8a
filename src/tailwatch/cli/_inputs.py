"""Reading the position files a subcommand is given: one place, one error format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tailwatch.cli._console import stderr

if TYPE_CHECKING:
    from pathlib import Path

    from tailwatch.sources import ReadResult


def read_inputs(paths: tuple[Path, ...] | list[Path], format: str | None = None) -> ReadResult:
    """Read position files; each unreadable file gets one ``error: <file>: <problem>`` line.

    Not fatal: the other files are used, and the command exits non-zero at the end.
    """
    from tailwatch.sources import read_positions

    result = read_positions(list(paths), format=format)
    err = stderr()
    for error in result.errors:
        err.print(f"error: {error}", markup=False, highlight=False)
    return result
