"""OpenSky Network state vectors: the CSV of the public dumps (plain, ``.csv.gz``, the
``states_*.csv.tar`` archives holding a ``.csv.gz``) and the same columns as Parquet.

``time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,
baroaltitude,geoaltitude,lastposupdate,lastcontact`` in epoch seconds, metres and m/s.

**Time.** A state vector is a snapshot taken every ``time`` (10 s in the dumps); its
position may be older: ``lastposupdate`` is when that position was received. The
position's time is ``lastposupdate`` when present, else ``time``. (Using ``time``
would date a stale position up to minutes late, which moves take-offs and landings.)

Units are converted to feet, knots and ft/min by the validator (``SCALE``), before
the physical limits are checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from tailwatch.sources._blob import Blob
from tailwatch.sources.sniff import Layout, scan_csv, sniff
from tailwatch.sources.validate import Checked, check

FT_PER_M: Final = 1 / 0.3048
KT_PER_MS: Final = 3600 / 1852
FPM_PER_MS: Final = 60 / 0.3048

#: OpenSky column -> canonical column (time is built from two columns).
RENAME: Final = {
    "icao24": "icao24",
    "callsign": "callsign",
    "lat": "lat",
    "lon": "lon",
    "baroaltitude": "alt_baro_ft",
    "geoaltitude": "alt_geom_ft",
    "velocity": "gs_kt",
    "heading": "track_deg",
    "vertrate": "vrate_fpm",
    "onground": "on_ground",
    "squawk": "squawk",
}
#: Canonical column -> factor from OpenSky's SI units.
SCALE: Final = {
    "alt_baro_ft": FT_PER_M,
    "alt_geom_ft": FT_PER_M,
    "gs_kt": KT_PER_MS,
    "vrate_fpm": FPM_PER_MS,
}


def _select(lf: pl.LazyFrame) -> pl.LazyFrame:
    schema = lf.collect_schema()
    lower = {n.strip().lower(): n for n in schema.names()}

    def col(name: str) -> pl.Expr:
        return pl.col(lower[name]) if name in lower else pl.lit(None, pl.String)

    time_cols = [c for c in ("lastposupdate", "time") if c in lower]
    if not time_cols:
        time = pl.lit(None, pl.String)
    elif all(schema[lower[c]] == pl.String for c in time_cols):
        # text: an empty field is null already (polars' CSV reader), coalesce works
        time = pl.coalesce([col(c) for c in time_cols])
    else:
        time = pl.coalesce([col(c).cast(pl.Float64, strict=False) for c in time_cols])
    return lf.select(
        "_row",  # UInt32 from the scan; the quarantine casts its few rows
        time.alias("time"),
        *(col(src).alias(dst) for src, dst in RENAME.items() if src in lower),
    )


#: Types of a clean OpenSky CSV. A file that does not parse with them is read again
#: as text (:func:`stage_text`) so that each bad value is quarantined, not fatal.
_CSV_TYPES: Final = {
    "time": pl.Float64,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "velocity": pl.Float64,
    "heading": pl.Float64,
    "vertrate": pl.Float64,
    "onground": pl.Boolean,
    "baroaltitude": pl.Float64,
    "geoaltitude": pl.Float64,
    "lastposupdate": pl.Float64,
}


def stage(blob: Blob, layout: Layout) -> pl.LazyFrame:
    """Typed read (fast); parse errors surface when collected, then use stage_text."""
    if layout == "parquet":
        source: Path | bytes = blob.path if blob.path is not None else blob.raw()
        # a row index added after the scan costs less than the reader's own (polars 2.1)
        return _select(pl.scan_parquet(source).with_row_index("_row"))
    return _select(scan_csv(blob, _CSV_TYPES))


def stage_text(blob: Blob, layout: Layout) -> pl.LazyFrame:
    """Every CSV field as text: slower, but a bad value reaches the validator."""
    if layout == "parquet":
        return stage(blob, layout)
    return _select(scan_csv(blob))


def check_opensky(staged: pl.LazyFrame | pl.DataFrame, source_file: str) -> Checked:
    return check(staged, source_file, "opensky", scale=SCALE, epoch_only=True)


def read_opensky(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One OpenSky CSV/CSV.gz/Parquet file to ``(positions, quarantine)`` (file order)."""
    blob = Blob(name=str(path), path=Path(path))
    layout = sniff(blob).layout
    try:
        checked = check_opensky(stage(blob, layout), blob.name)
    except pl.exceptions.ComputeError:
        checked = check_opensky(stage_text(blob, layout), blob.name)
    return checked.good, checked.quarantine


__all__ = [
    "FPM_PER_MS",
    "FT_PER_M",
    "KT_PER_MS",
    "RENAME",
    "SCALE",
    "read_opensky",
    "stage",
    "stage_text",
]
