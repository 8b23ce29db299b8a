"""``tailwatch read FILES... [-o out.parquet|.csv|.json]``: read, summarise, write."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from tailwatch.cli._console import stderr, stdout
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.sources import FORMATS, read_positions

if TYPE_CHECKING:
    import polars as pl

    from tailwatch.sources import FileSummary, ReadResult

_MAX_FILE_ROWS = 25


def _write(frame: pl.DataFrame, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(out)
    elif suffix == ".csv":
        frame.write_csv(out)
    elif suffix == ".json":
        frame.write_json(out)
    elif suffix in (".ndjson", ".jsonl"):
        frame.write_ndjson(out)
    else:
        msg = f"{out}: unknown output type {suffix!r} (use .parquet, .csv, .json or .ndjson)"
        raise click.BadParameter(msg, param_hint="-o")


def _summary(result: ReadResult) -> Table:
    pos = result.positions
    table = Table(title="positions read", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("rows", f"{pos.height:,}")
    table.add_row("aircraft", f"{pos['icao24'].n_unique():,}")
    first, last = pos["time"].min(), pos["time"].max()
    if isinstance(first, datetime) and isinstance(last, datetime):
        table.add_row("from", f"{first:%Y-%m-%d %H:%M:%S} UTC")
        table.add_row("to", f"{last:%Y-%m-%d %H:%M:%S} UTC")
    reasons = result.quarantine.group_by("reason").len().sort("len", descending=True)
    for reason, count in reasons.iter_rows():
        table.add_row(f"quarantined: {reason}", f"{count:,}")
    dups = sum(f.duplicates for f in result.files)
    table.add_row("exact duplicates dropped", f"{dups:,}")
    table.add_row("rows without position", f"{sum(f.no_position for f in result.files):,}")
    return table


def _files(files: list[FileSummary]) -> Table:
    table = Table(title="per file")
    table.add_column("file", overflow="fold")
    table.add_column("format")
    for name in ("read", "kept", "quarantined", "duplicates", "no position"):
        table.add_column(name, justify="right")
    for f in files[:_MAX_FILE_ROWS]:
        if f.error is not None:
            table.add_row(f.path, f.format, "[red]unreadable[/red]", "", "", "", "")
            continue
        table.add_row(
            f.path,
            f.format,
            f"{f.rows_read:,}",
            f"{f.rows_kept:,}",
            f"{sum(f.quarantined.values()):,}",
            f"{f.duplicates:,}",
            f"{f.no_position:,}",
        )
    if len(files) > _MAX_FILE_ROWS:
        table.add_row(f"... and {len(files) - _MAX_FILE_ROWS} more", "", "", "", "", "", "")
    return table


@click.command("read")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="write positions"
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="force a reader")
@click.option(
    "--quarantine-out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write quarantined rows (same types as -o)",
)
@click.option("--progress/--no-progress", default=True, help="progress bar on stderr")
def command(
    files: tuple[Path, ...],
    output: Path | None,
    fmt: str | None,
    quarantine_out: Path | None,
    progress: bool,
) -> int:
    """Read position files (any mix of formats, directories, tar archives)."""
    result = read_positions(list(files), format=fmt, progress=progress)
    if output is not None:
        _write(result.positions, output)
    if quarantine_out is not None:
        _write(result.quarantine, quarantine_out)
    out = stdout()
    out.print(_summary(result))
    out.print(_files(result.files))
    err = stderr()
    for error in result.errors:
        err.print(f"error: {error}", markup=False, highlight=False)
    return EXIT_FAILURE if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main"]
