"""``tailwatch flights INPUT... [-o out.csv|.parquet|.json|.geojson]``: one row per flight.

Times are ISO-8601 UTC; an airport is empty when none is claimed. CSV and JSON carry
the evidence as JSON text; Parquet keeps it nested. GeoJSON writes one ``LineString``
feature per flight (its positions, thinned to at most 500 vertices) with the flight
row as properties. Without ``-o``, a rich table.

``--format`` takes either an input reader (as ``tailwatch read``) or an output type
(csv, parquet, json, geojson) when ``-o`` has no telling suffix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.table import Table

from tailwatch.cli._console import stderr, stdout
from tailwatch.cli._inputs import read_inputs
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.detect import Detection, detect, detection_params
from tailwatch.errors import TailwatchError
from tailwatch.sources import FORMATS

OUTPUTS = ("csv", "parquet", "json", "geojson")
_MAX_VERTICES = 500


def with_registration(flights: pl.DataFrame) -> pl.DataFrame:
    """Add ``registration`` from the aircraft registry (null when not installed/unknown)."""
    try:
        from tailwatch.reference.registry import registry

        reg = registry().lookup(flights["icao24"])["registration"]
    except (TailwatchError, ImportError, OSError) as exc:
        # say so once: an empty column with no word looks like unknown aircraft
        stderr().print(f"note: registrations left empty: {exc}", highlight=False)
        reg = pl.Series("registration", [None] * flights.height, dtype=pl.String)
    return flights.with_columns(registration=reg).select(
        "icao24", "registration", pl.exclude("icao24", "registration")
    )


def _iso(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _flat(flights: pl.DataFrame) -> pl.DataFrame:
    """Times as ISO-8601 text, evidence and lists as JSON text (for CSV/JSON)."""
    out = flights.with_columns(
        [
            pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            for c, t in flights.schema.items()
            if isinstance(t, pl.Datetime)
        ]
    )
    nested = [c for c, t in out.schema.items() if isinstance(t, pl.List | pl.Struct)]
    return out.with_columns(
        [
            pl.Series(c, [json.dumps(v, default=_iso) for v in out[c].to_list()], dtype=pl.String)
            for c in nested
        ]
    ).with_columns(pl.col(pl.Enum).cast(pl.String))


def _geojson(det: Detection, flights: pl.DataFrame) -> dict[str, Any]:
    pos = det.positions
    features: list[dict[str, Any]] = []
    props = _flat(flights).to_dicts()
    for row, p in zip(flights.iter_rows(named=True), props, strict=True):
        coords: list[list[float]] = []
        if pos is not None:
            pts = pos.filter(
                (pl.col("icao24") == row["icao24"])
                & pl.col("time").is_between(row["first_seen"], row["last_seen"])
            ).select("lon", "lat")
            step = max(1, pts.height // _MAX_VERTICES)
            coords = [[lo, la] for lo, la in pts.gather_every(step).iter_rows()]
        geom = {"type": "LineString", "coordinates": coords} if len(coords) >= 2 else None
        features.append({"type": "Feature", "geometry": geom, "properties": p})
    return {"type": "FeatureCollection", "features": features}


def write(det: Detection, flights: pl.DataFrame, out: Path, kind: str) -> None:
    if kind == "parquet":
        flights.write_parquet(out)
    elif kind == "csv":
        _flat(flights).write_csv(out)
    elif kind == "json":
        out.write_text(json.dumps(_flat(flights).to_dicts(), indent=1))
    elif kind == "geojson":
        out.write_text(json.dumps(_geojson(det, flights)))


def _table(flights: pl.DataFrame) -> Table:
    table = Table(title=f"{flights.height} flights")
    cols = ("icao24", "registration", "callsign", "takeoff", "landing")
    for c in cols:
        table.add_column(c)

    def end(row: dict[str, Any], kind: str) -> str:
        t = row[f"{kind}_time"]
        when = f"{t:%Y-%m-%d %H:%M}" if t is not None else "?"
        ap = row[f"{kind}_airport"] or "—"
        return f"{ap} {when} ({row[f'{kind}_confidence']})"

    for row in flights.iter_rows(named=True):
        table.add_row(
            row["icao24"],
            row["registration"] or "",
            row["callsign"] or "",
            end(row, "takeoff"),
            end(row, "landing"),
        )
    return table


@click.command("flights")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="write flights (.csv, .parquet, .json, .geojson)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, *OUTPUTS]),
    help="input reader, or output type when -o has no known suffix",
)
def command(inputs: tuple[Path, ...], output: Path | None, fmt: str | None) -> int:
    """One row per flight: take-off and landing airport, time, confidence, evidence."""
    reader = fmt if fmt in FORMATS else None
    result = read_inputs(inputs, format=reader)
    kind = None
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        kind = suffix if suffix in OUTPUTS else (fmt if fmt in OUTPUTS else None)
        if kind is None:
            msg = f"{output}: unknown output type (use .csv, .parquet, .json or .geojson)"
            raise click.BadParameter(msg, param_hint="-o")
    det = detect(result.positions, detection_params(), keep_positions=kind == "geojson")
    flights = with_registration(det.flights)
    if output is not None and kind is not None:
        write(det, flights, output, kind)
        stderr().print(f"{flights.height} flights written to {output}", highlight=False)
    else:
        stdout().print(_table(flights))
    return EXIT_FAILURE if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main", "with_registration", "write"]
