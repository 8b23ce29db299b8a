"""``tailwatch visits INPUT... [--watchlist FILE]... [--airport ICAO] [--country CC]
[--since/--until] [-o FILE]``: stays of watched aircraft, each with its sentence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
import polars as pl

from tailwatch.cli._console import stderr, stdout
from tailwatch.cli._inputs import read_inputs
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.report.tables import VISIT_COLUMNS, rich_table, write_table

if TYPE_CHECKING:
    from tailwatch.reference.watchlists import Watchlists


def load_watchlists(files: tuple[Path, ...]) -> Watchlists | None:
    """The given files plus the store's plane-alert-db; ``None`` when there are no entries."""
    from tailwatch.reference.watchlists import Watchlists

    lists = Watchlists.load(files, plane_alert=True)
    return lists if lists.entries.height else None


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def filter_visits(
    visits: pl.DataFrame,
    airport: str | None = None,
    country: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pl.DataFrame:
    """Visits at an airport / in a country, overlapping [since, until)."""
    out = visits
    if airport:
        out = out.filter(pl.col("airport") == airport.upper())
    if country:
        out = out.filter(pl.col("airport_country") == country.upper())
    end = pl.coalesce("departure_time", "data_end")
    if since is not None:
        out = out.filter(end.is_null() | (end >= since))
    if until is not None:
        out = out.filter(pl.col("arrival_time") < until)
    return out


@click.command("visits")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--watchlist",
    "watchlist",
    multiple=True,
    type=click.Path(path_type=Path),
    help="watchlist file (YAML/TOML/CSV); plane-alert-db is used when installed",
)
@click.option("--all", "all_aircraft", is_flag=True, help="every aircraft, watched or not")
@click.option("--airport", help="only visits at this airport (ICAO code)")
@click.option("--country", help="only visits in this country (ISO alpha-2)")
@click.option("--since", type=click.DateTime(), help="only visits still going on at/after (UTC)")
@click.option("--until", type=click.DateTime(), help="only visits begun before (UTC)")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write the visits (.csv, .parquet, .json, .ndjson)",
)
def command(
    inputs: tuple[Path, ...],
    watchlist: tuple[Path, ...],
    all_aircraft: bool,
    airport: str | None,
    country: str | None,
    since: datetime | None,
    until: datetime | None,
    output: Path | None,
) -> int:
    """Stays of watched aircraft at airports (all aircraft when there is no watchlist)."""
    from tailwatch.detect import detection_params
    from tailwatch.stays.pipeline import analyse

    result = read_inputs(inputs)
    lists = load_watchlists(watchlist)
    err = stderr()
    if lists is None:
        err.print("no watchlist (none given, plane-alert-db not installed): all aircraft")
    # without --all only the watched aircraft are detected: their visits are the same,
    # and a day of global traffic is mostly other aircraft
    analysis = analyse(
        result.positions,
        watchlists=lists,
        watched_only=not all_aircraft,
        detect_unwatched=False,
        params=detection_params(),
    )
    visits = filter_visits(analysis.visits, airport, country, _utc(since), _utc(until))
    if output is not None:
        write_table(visits, output)
        err.print(f"{visits.height} visits written to {output}")
    else:
        out = stdout()
        out.print(rich_table(visits, VISIT_COLUMNS, title=f"{visits.height} visits"))
        for sentence in visits["sentence"]:
            out.print(f"• {sentence}", markup=False, highlight=False, soft_wrap=True)
    return EXIT_FAILURE if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "filter_visits", "load_watchlists", "main"]
