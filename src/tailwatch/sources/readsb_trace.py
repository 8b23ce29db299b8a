"""readsb / tar1090 traces: ``trace_full_<hex>.json`` and ``trace_recent_<hex>.json``.

Gzipped or not (readsb gzips them whatever the name), one file or a globe_history
tree (``YYYY/MM/DD/traces/xx/trace_full_<hex>.json``). Top level: ``icao``,
``timestamp`` (epoch s); ``trace`` rows are
``[dt_s, lat, lon, alt, gs_kt, track, flags, vrate_fpm, details|null, source_type,
alt_geom, geom_rate, ias, roll]``.

Decoding, checked against readsb's ``sprintTracePoint`` (json_out.c)::

    flags = (alt_is_geom << 3) | (rate_is_geom << 2) | (leg_start << 1) | stale

- ``alt`` is ``"ground"`` when the aircraft reports being on the ground:
  ``on_ground=True`` and no altitude (the field elevation is not in the trace). A
  number means airborne (``on_ground=False``); null means unknown.
- ``alt`` holds the *geometric* altitude when flag 8 is set (no barometric one was
  valid): it goes to ``alt_geom_ft``, ``alt_baro_ft`` stays null.
- ``vrate`` is geometric when flag 4 is set; either way it is the vertical rate. When
  null, ``geom_rate`` (index 11) is used.
- stale points (flag 1) are real positions received before a gap: kept.
- the leg-start flag (2) has no column in the schema; it bounds the callsign fill.

The callsign and squawk come in the sparse ``details`` objects; each is carried
forward to the following points until it changes, within a leg (a new leg may be a
new flight number).

Addresses starting with ``~`` are not ICAO addresses (TIS-B/ADS-R track numbers) and
could collide with a real aircraft's: their points are quarantined as
``non_icao_address``, never mixed into an aircraft's positions.
"""

from __future__ import annotations

from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from tailwatch.errors import UnreadableFileError
from tailwatch.sources import _json
from tailwatch.sources._blob import Blob
from tailwatch.sources.validate import check

if TYPE_CHECKING:
    from tailwatch.sources.sniff import Layout

FLAG_STALE: Final = 1
FLAG_LEG_START: Final = 2
FLAG_VRATE_GEOM: Final = 4
FLAG_ALT_GEOM: Final = 8

_FIELDS: Final = (
    "dt",
    "lat",
    "lon",
    "alt",
    "gs",
    "track",
    "flags",
    "vrate",
    "details",
    "source_type",
    "alt_geom",
    "geom_rate",
)


def _details(values: list[Any], key: str) -> pl.Series:
    out = [d.get(key) if isinstance(d, dict) else None for d in values]
    return _json.text_series(key, out)


def stage(blob: Blob, layout: Layout | None = None) -> pl.DataFrame:
    doc = _json.loads(blob.name, blob.content())
    if not isinstance(doc, dict) or not isinstance(doc.get("trace"), list):
        raise UnreadableFileError(blob.name, "not a readsb trace (no 'trace' list)")
    rows: list[Any] = doc["trace"]
    is_row = [isinstance(r, list) for r in rows]
    cols = list(zip_longest(*(r if ok else [] for r, ok in zip(rows, is_row, strict=True))))
    n = len(rows)
    series = {
        name: _json.text_series(name, list(cols[i]) if i < len(cols) else [None] * n)
        for i, name in enumerate(_FIELDS)
        if name != "details"
    }
    details = list(cols[8]) if len(cols) > 8 else [None] * n
    base = str(doc.get("timestamp", ""))
    icao = doc.get("icao")
    frame = pl.DataFrame(series).with_columns(
        _details(details, "flight").alias("_flight"),
        _details(details, "squawk").alias("_squawk"),
        pl.Series("_is_row", is_row, dtype=pl.Boolean),
        pl.lit(icao if isinstance(icao, str) else None, pl.String).alias("icao24"),
    )
    return _decode(frame, base)


def _num(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().cast(pl.Float64, strict=False)


def _decode(frame: pl.DataFrame, base: str) -> pl.DataFrame:
    flags = _num("flags").cast(pl.Int64, strict=False).fill_null(0)
    ground = pl.col("alt") == "ground"
    alt_is_geom = (flags & FLAG_ALT_GEOM) != 0
    # text stays text so a garbage value is quarantined with what it was
    alt_text = pl.when(ground).then(None).otherwise(pl.col("alt"))
    base_s = pl.lit(base).str.strip_chars().cast(pl.Float64, strict=False)
    time = base_s + _num("dt")
    time_text = pl.when(pl.col("dt").is_not_null()).then(
        pl.when(time.is_not_null()).then(time.cast(pl.String)).otherwise(pl.lit("<bad>"))
    )
    leg = (flags & FLAG_LEG_START != 0).cum_sum()
    callsign = pl.col("_flight").str.strip_chars()
    callsign = pl.when(callsign != "").then(callsign)
    return (
        frame.with_row_index("_row")
        .with_columns(leg.alias("_leg"))
        .select(
            pl.col("_row").cast(pl.Int64),
            time_text.alias("time"),
            pl.col("icao24"),
            callsign.forward_fill().over("_leg").alias("callsign"),
            pl.col("lat"),
            pl.col("lon"),
            pl.when(alt_is_geom).then(None).otherwise(alt_text).alias("alt_baro_ft"),
            pl.when(alt_is_geom & ~ground)
            .then(pl.col("alt"))
            .otherwise(pl.col("alt_geom"))
            .alias("alt_geom_ft"),
            pl.col("gs").alias("gs_kt"),
            pl.col("track").alias("track_deg"),
            pl.coalesce(pl.col("vrate"), pl.col("geom_rate")).alias("vrate_fpm"),
            pl.when(ground)
            .then(pl.lit("true"))
            .when(pl.col("alt").is_not_null())
            .then(pl.lit("false"))
            .alias("on_ground"),
            pl.col("_squawk").forward_fill().over("_leg").alias("squawk"),
            pl.when(~pl.col("_is_row")).then(pl.lit("malformed_record")).alias("_problem"),
            pl.when(~pl.col("_is_row")).then(pl.lit("trace point is not a list")).alias("_detail"),
        )
    )


def read_readsb_trace(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One trace file to ``(positions, quarantine)``, in trace order."""
    blob = Blob(name=str(path), path=Path(path))
    checked = check(stage(blob), blob.name, "readsb_trace", epoch_only=True)
    return checked.good, checked.quarantine


__all__ = [
    "FLAG_ALT_GEOM",
    "FLAG_LEG_START",
    "FLAG_STALE",
    "FLAG_VRATE_GEOM",
    "read_readsb_trace",
    "stage",
]
