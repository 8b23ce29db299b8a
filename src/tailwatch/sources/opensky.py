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
from tailwatch.sources.sniff import Layout, sniff
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
        pl.col("_row").cast(pl.Int64),
        time.alias("time"),
        *(col(src).alias(dst) for src, dst in RENAME.items() if src in lower),
    )


def stage(blob: Blob, layout: Layout) -> pl.LazyFrame:
    if layout == "parquet":
        source: Path | bytes = blob.path if blob.path is not None else blob.raw()
        return _select(pl.scan_parquet(source, row_index_name="_row"))
    csv_source: Path | bytes = (
        blob.path if blob.path is not None and not blob.gzipped else blob.content()
    )
    lf = pl.scan_csv(
        csv_source,
        infer_schema=False,  # text: a bad value is seen and quarantined, not nulled
        quote_char=None,  # OpenSky never quotes; a stray quote must not eat lines
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
        row_index_name="_row",
    )
    return _select(lf)


def check_opensky(staged: pl.LazyFrame | pl.DataFrame, source_file: str) -> Checked:
    return check(staged, source_file, "opensky", scale=SCALE, epoch_only=True)


def read_opensky(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One OpenSky CSV/CSV.gz/Parquet file to ``(positions, quarantine)`` (file order)."""
    blob = Blob(name=str(path), path=Path(path))
    checked = check_opensky(stage(blob, sniff(blob).layout), blob.name)
    return checked.good, checked.quarantine


__all__ = ["FPM_PER_MS", "FT_PER_M", "KT_PER_MS", "RENAME", "SCALE", "read_opensky", "stage"]
