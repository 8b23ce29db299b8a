"""``tailwatch demo [--input FILE]... [--output DIR]``: the seed story, end to end.

Without ``--input``: a SIMULATED recording of 5A-DCN's trip HLLB → LCLK → LLBG → HLLB
(no network, a few seconds), a demo watchlist entry built in code, the whole pipeline,
and the flights, visits, trip and seed-style sentences. With ``--input``: the same on a
real recording, with plane-alert-db from the data store when it is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import polars as pl
from rich.panel import Panel

from tailwatch.cli._console import stdout
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.report.tables import (
    FLIGHT_COLUMNS,
    TRIP_COLUMNS,
    VISIT_COLUMNS,
    rich_table,
    write_table,
)

if TYPE_CHECKING:
    from rich.console import Console

    from tailwatch.reference.watchlists import Watchlists
    from tailwatch.stays.pipeline import Analysis


def demo_watchlists() -> Watchlists:
    """The demo's single watchlist entry (5A-DCN), clearly marked SIMULATED."""
    from tailwatch.demo.scenario import DEMO_WATCH, SEED
    from tailwatch.reference._watchlist_files import ENTRIES
    from tailwatch.reference.watchlists import Watchlists

    entry = {
        "list": DEMO_WATCH["source"],
        "file": "<built into tailwatch demo>",
        "line": 1,
        "icao24": DEMO_WATCH["icao24"],
        "icao24_from": "list",
        "registration": DEMO_WATCH["registration"],
        "label": DEMO_WATCH["label"],
        "category": DEMO_WATCH["category"],
        "tags": DEMO_WATCH["tags"],
        "sources": [DEMO_WATCH["source"]],
        "notes": "SIMULATED: not a real sighting",
        "typecode": SEED.typecode,
        "type_name": SEED.description,
        "cmpg": "Gov",
        "valid_from": None,
        "valid_until": None,
    }
    return Watchlists(pl.DataFrame([entry], schema=ENTRIES))


def _trip_sentences(analysis: Analysis, watched: set[str]) -> list[str]:
    from tailwatch.reference.airports import AirportIndex
    from tailwatch.report.sentences import Place, TripFacts, TripStop, Who, airport_display_name

    ix = AirportIndex.default()
    visits = analysis.visits

    def place(icao: str | None) -> Place | None:
        if icao is None:
            return None
        ap = ix.airport(icao)
        name = airport_display_name(ap["name"], ap["city"]) if ap else None  # type: ignore[arg-type]
        return Place(icao, name)

    out: list[str] = []
    for t in analysis.trips.filter(pl.col("icao24").is_in(sorted(watched))).iter_rows(named=True):
        v = visits.filter(pl.col("icao24") == t["icao24"]).head(1)
        who = Who(t["icao24"])
        if v.height:
            r = v.row(0, named=True)
            w = r["watch"][0] if r["watch"] else None
            who = Who(
                t["icao24"],
                r["registration"],
                r["aircraft_description"],
                w["label"] if w else None,
                w["source"] if w else None,
                w["category"] if w else None,
            )
        stops = tuple(
            TripStop(
                place(s["airport"]) or Place("?"),
                s["dwell_s"],
                s["kind"] == "stopover",
                s["departure_is_upper_bound"],
            )
            for s in t["stops"]
        )
        facts = TripFacts(
            who=who,
            origin=place(t["origin"]),
            departure_time=t["departure_time"],
            departure_confidence=t["departure_confidence"],
            final=place(t["final_airport"]),
            arrival_time=t["arrival_time"],
            arrival_confidence=t["arrival_confidence"],
            stops=stops,
            destination=place(t["destination"]),
            round_trip=t["round_trip"],
        )
        from tailwatch.report.sentences import trip_sentence

        out.append(trip_sentence(facts))
    return out


def _show(out: Console, analysis: Analysis, banner: str, style: str) -> None:
    out.print(Panel(f"[bold]{banner}[/bold]", style=style, expand=True))
    flights = analysis.detection.flights.sort("icao24", "first_seen")
    out.print(rich_table(flights, FLIGHT_COLUMNS, title=f"{flights.height} flights"))
    visits = analysis.visits
    out.print(rich_table(visits, VISIT_COLUMNS, title=f"{visits.height} visits"))
    watched = set(visits["icao24"].to_list())
    trips = analysis.trips.filter(pl.col("icao24").is_in(sorted(watched)))
    out.print(rich_table(trips, TRIP_COLUMNS, title=f"{trips.height} trips of watched aircraft"))
    out.print("[bold]Visits, in one sentence each[/bold]")
    for s in visits["sentence"]:
        out.print(f"• {s}", markup=False, highlight=False, soft_wrap=True)
    out.print("[bold]Trips[/bold]")
    for route in trips["route"]:
        out.print(f"  {route}", markup=False, highlight=False)
    for s in _trip_sentences(analysis, watched):
        out.print(f"• {s}", markup=False, highlight=False, soft_wrap=True)
    out.print(Panel(f"[bold]{banner}[/bold]", style=style, expand=True))


def _write_all(analysis: Analysis, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "flights": analysis.detection.flights,
        "events": analysis.detection.events,
        "stays": analysis.stays,
        "trips": analysis.trips,
        "visits": analysis.visits,
    }
    for name, df in tables.items():
        write_table(df, folder / f"{name}.parquet")
        write_table(df, folder / f"{name}.csv")


@click.command("demo")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="a real recording instead of the simulation (repeatable)",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="folder to write every table to (.parquet and .csv)",
)
def command(inputs: tuple[Path, ...], output: Path | None) -> int:
    """The seed story end to end: SIMULATED by default, or on a real recording."""
    from tailwatch.detect import detection_params
    from tailwatch.stays.pipeline import analyse

    out = stdout()
    errors = False
    if not inputs:
        from tailwatch.demo.scenario import SEED
        from tailwatch.demo.simulate import simulate
        from tailwatch.sources.validate import validate_positions

        sim = simulate()
        positions, _ = validate_positions(sim.positions, "SIMULATED", "simulated")
        identities = pl.DataFrame(
            {
                "icao24": [SEED.icao24],
                "registration": [SEED.registration],
                "typecode": [SEED.typecode],
                "aircraft_description": [SEED.description],
                "registration_country": ["LY"],
            }
        )
        analysis = analyse(positions, watchlists=demo_watchlists(), identities=identities)
        banner = (
            "SIMULATED DATA\nan invented recording of the seed story, not a real sighting "
            f"({positions.height:,} simulated positions, seed {SEED.seed})"
        )
        _show(out, analysis, banner, "white on red")
    else:
        from tailwatch.cli._inputs import read_inputs
        from tailwatch.cli.visits import load_watchlists

        result = read_inputs(inputs)
        errors = bool(result.errors)
        lists = load_watchlists(())
        note = (
            "plane-alert-db"
            if lists is not None
            else ("no watchlist installed (run `tailwatch data import`): all aircraft shown")
        )
        analysis = analyse(result.positions, watchlists=lists, params=detection_params())
        names = ", ".join(map(str, inputs))
        banner = f"REAL DATA\n{names}: {result.positions.height:,} positions; {note}"
        _show(out, analysis, banner, "white on blue")
    if output is not None:
        _write_all(analysis, output)
        out.print(f"tables written to {output}", markup=False)
    return EXIT_FAILURE if errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "demo_watchlists", "main"]
