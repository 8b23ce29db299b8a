"""readsb / dump1090 ``aircraft.json`` snapshots: one file, a directory or a tar of them.

``{"now": epoch_s, "aircraft": [{"hex", "flight", "lat", "lon", "alt_baro", "alt_geom",
"gs", "track", "baro_rate", "geom_rate", "squawk", "seen_pos", ...}]}``.

A position's time is ``now - seen_pos`` (``seen_pos`` is how old the position is when
the snapshot is written; without it, ``now``). ``alt_baro`` is ``"ground"`` on the
ground, as in traces. Older dump1090 builds write ``altitude``, ``speed`` and
``vert_rate`` instead of ``alt_baro``, ``gs`` and ``baro_rate``: both are read.
Aircraft without a position (Mode S only, or position lost) are counted as
``no_position``: they are not bad records, there is just no position.
The same position repeated in consecutive snapshots has the same time and values:
it is an exact duplicate and dropped as such by :func:`read_positions`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from tailwatch.errors import UnreadableFileError
from tailwatch.sources import _json
from tailwatch.sources._blob import Blob
from tailwatch.sources.validate import check

if TYPE_CHECKING:
    from tailwatch.sources.sniff import Layout

_KEYS: Final = (
    "hex",
    "flight",
    "lat",
    "lon",
    "alt_baro",
    "alt_geom",
    "gs",
    "track",
    "baro_rate",
    "geom_rate",
    "squawk",
    "seen_pos",
    # dump1090-mutability and dump1090-fa before 3.6 (2018): "altitude" ("ground" on
    # the ground), "speed" and "vert_rate" instead of alt_baro, gs and baro_rate
    "altitude",
    "speed",
    "vert_rate",
)


def _aircraft_frame(blob: Blob, data: bytes) -> tuple[pl.DataFrame, str]:
    schema: dict[str, pl.DataType] = {
        "now": pl.String(),
        "aircraft": pl.List(pl.Struct(dict.fromkeys(_KEYS, pl.String))),
    }
    try:
        doc = pl.read_json(data, schema=schema)
    except pl.exceptions.PolarsError:
        doc = None
    if doc is not None and doc.height == 1:
        aircraft = doc["aircraft"][0]
        now = doc["now"][0]
        if isinstance(aircraft, pl.Series) and isinstance(now, str):
            frame = aircraft.struct.unnest() if aircraft.len() else _empty()
            return frame.with_row_index("_row"), now
    parsed: Any = _json.loads(blob.name, data)
    if not isinstance(parsed, dict) or not isinstance(parsed.get("aircraft"), list):
        raise UnreadableFileError(blob.name, "not an aircraft.json snapshot (no 'aircraft' list)")
    frame = _json.records_frame(parsed["aircraft"], _KEYS)
    frame = frame.with_row_index("_row").rename({"_raw_bad": "_raw"}).drop("_ok")
    now_value = parsed.get("now")
    return frame, now_value if isinstance(now_value, str) else ""


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(_KEYS, pl.String))


def stage(blob: Blob, layout: Layout | None = None) -> pl.DataFrame:
    frame, now = _aircraft_frame(blob, blob.content())
    num = {
        k: pl.col(k).str.strip_chars().cast(pl.Float64, strict=False)
        for k in ("seen_pos", "baro_rate")
    }
    now_s = pl.lit(now).str.strip_chars().cast(pl.Float64, strict=False)
    time = now_s - num["seen_pos"].fill_null(0.0)
    time_text = pl.when(time.is_not_null()).then(time.cast(pl.String)).otherwise(pl.lit(now))
    baro = pl.coalesce("alt_baro", "altitude")
    ground = baro.str.strip_chars() == "ground"
    extra = [c for c in ("_problem", "_detail", "_raw") if c in frame.columns]
    return frame.select(
        pl.col("_row").cast(pl.Int64),
        time_text.alias("time"),
        pl.col("hex").alias("icao24"),
        pl.col("flight").alias("callsign"),
        pl.col("lat"),
        pl.col("lon"),
        pl.when(ground).then(None).otherwise(baro).alias("alt_baro_ft"),
        pl.col("alt_geom").alias("alt_geom_ft"),
        pl.coalesce("gs", "speed").alias("gs_kt"),
        pl.col("track").alias("track_deg"),
        pl.coalesce("baro_rate", "geom_rate", "vert_rate").alias("vrate_fpm"),
        pl.when(ground)
        .then(pl.lit("true"))
        .when(baro.is_not_null())
        .then(pl.lit("false"))
        .alias("on_ground"),
        pl.col("squawk"),
        *extra,
    )


def read_aircraft_json(path: str | Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One snapshot file to ``(positions, quarantine)``."""
    blob = Blob(name=str(path), path=Path(path))
    checked = check(stage(blob), blob.name, "aircraft_json", epoch_only=True)
    return checked.good, checked.quarantine


__all__ = ["read_aircraft_json", "stage"]
