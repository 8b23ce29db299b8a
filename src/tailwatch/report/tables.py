"""Tables for people (rich) and for files (CSV, Parquet, JSON).

CSV cannot hold nested columns (stops, watch entries, evidence): they are written as
JSON text in the cell; Parquet and JSON keep them nested. Times are ISO-8601 UTC.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from rich.table import Table

from tailwatch.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

WRITABLE = (".csv", ".parquet", ".json", ".ndjson")


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    nested = [c for c, t in df.schema.items() if isinstance(t, pl.List | pl.Struct | pl.Array)]
    enum_cols = [c for c, t in df.schema.items() if isinstance(t, pl.Enum | pl.Categorical)]
    return df.with_columns(
        *(
            pl.struct(pl.col(c).alias("v")).struct.json_encode().str.slice(5).str.head(-1).alias(c)
            for c in nested
        ),
        *(pl.col(c).cast(pl.String) for c in enum_cols),
    )


def write_table(df: pl.DataFrame, path: str | Path) -> Path:
    """Write ``df`` by the file's extension: .csv, .parquet, .json (records), .ndjson."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in WRITABLE:
        msg = f"{p}: unknown output format (use one of {', '.join(WRITABLE)})"
        raise InputError(msg)
    if suffix == ".parquet":
        df.write_parquet(p)
    elif suffix == ".csv":
        _flat(df).write_csv(p, datetime_format="%Y-%m-%dT%H:%M:%S%.3fZ")
    elif suffix == ".json":
        df.write_json(p)
    else:
        df.write_ndjson(p)
    return p


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, float):
        return f"{v:,.0f}"
    return str(v)


def rich_table(df: pl.DataFrame, columns: Sequence[str], title: str | None = None) -> Table:
    """A rich table of some columns (times shown UTC, to the second)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    cols = [c for c in columns if c in df.columns]
    for c in cols:
        table.add_column(c)
    for row in df.select(cols).iter_rows():
        table.add_row(*(_cell(v) for v in row))
    return table


FLIGHT_COLUMNS = (
    "icao24",
    "callsign",
    "takeoff_airport",
    "takeoff_time",
    "takeoff_confidence",
    "takeoff_runway",
    "landing_airport",
    "landing_time",
    "landing_confidence",
    "landing_runway",
)
VISIT_COLUMNS = (
    "icao24",
    "registration",
    "airport",
    "arrival_time",
    "arrival_confidence",
    "departure_time",
    "dwell_bound",
)
TRIP_COLUMNS = (
    "icao24",
    "route",
    "departure_time",
    "arrival_time",
    "destination",
    "ends_because",
)

__all__ = [
    "FLIGHT_COLUMNS",
    "TRIP_COLUMNS",
    "VISIT_COLUMNS",
    "WRITABLE",
    "rich_table",
    "write_table",
]
