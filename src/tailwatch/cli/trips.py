"""``tailwatch trips INPUT... [-o FILE]``: itineraries with their stop-overs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import polars as pl

from tailwatch.cli._console import stderr, stdout
from tailwatch.cli._inputs import read_inputs
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.report.tables import TRIP_COLUMNS, rich_table, write_table


def _stops(stops: list[dict[str, object]]) -> str:
    from tailwatch.report.sentences import format_duration

    parts = []
    for s in stops:
        dwell = s["dwell_s"]
        d = format_duration(float(dwell)) if isinstance(dwell, float) else "?"
        bound = "≤ " if s["departure_is_upper_bound"] else ""
        parts.append(f"{s['airport']} ({s['kind']} {bound}{d})")
    return ", ".join(parts)


@click.command("trips")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--stopover-max",
    default=90,
    show_default=True,
    type=click.IntRange(min=0),
    help="minutes: a stop this short is a stop-over, longer a stay",
)
@click.option(
    "--trip-break",
    default=12.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="hours: a stop longer than this ends the trip",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write the trips (.csv, .parquet, .json, .ndjson)",
)
def command(
    inputs: tuple[Path, ...], stopover_max: int, trip_break: float, output: Path | None
) -> int:
    """Itineraries: consecutive flights chained through short stops."""
    from tailwatch.detect import detection_params
    from tailwatch.stays.pipeline import analyse
    from tailwatch.stays.trips import TripParams

    result = read_inputs(inputs)
    params = TripParams(
        stopover_max=timedelta(minutes=stopover_max), trip_break=timedelta(hours=trip_break)
    )
    analysis = analyse(
        result.positions, trip_params=params, watched_only=False, params=detection_params()
    )
    trips = analysis.trips
    if output is not None:
        write_table(trips, output)
        stderr().print(f"{trips.height} trips written to {output}")
    else:
        out = stdout()
        shown = trips.with_columns(
            pl.Series("stops", [_stops(s) for s in trips["stops"]], dtype=pl.String)
        )
        table = rich_table(shown, (*TRIP_COLUMNS, "stops"), title=f"{trips.height} trips")
        out.print(table)
    return EXIT_FAILURE if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main"]
