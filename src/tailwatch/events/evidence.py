"""Evidence: the handful of raw positions that decided an event."""

from __future__ import annotations

import polars as pl

from tailwatch._schema import EVIDENCE


def evidence(frame: pl.DataFrame, ends: pl.DataFrame, k: int) -> pl.DataFrame:
    """``query, evidence``: up to ``k`` positions each side of the deciding transition.

    ``ends`` has ``query``, ``kind``, ``a_row`` (airborne position at the event) and
    ``g_row`` (ground position at the event, or null). Without a ground position, the
    ``2k`` airborne positions nearest the end of coverage are kept.
    """
    lo_hi = ends.select(
        "query",
        lo=pl.when(pl.col("g_row").is_not_null())
        .then(pl.min_horizontal("a_row", "g_row") - (k - 1))
        .when(pl.col("kind") == "takeoff")
        .then(pl.col("a_row"))
        .otherwise(pl.col("a_row") - (2 * k - 1)),
        hi=pl.when(pl.col("g_row").is_not_null())
        .then(pl.max_horizontal("a_row", "g_row") + (k - 1))
        .when(pl.col("kind") == "takeoff")
        .then(pl.col("a_row") + (2 * k - 1))
        .otherwise(pl.col("a_row")),
        icao24=pl.lit(None, pl.String),
    )
    anchor = frame[ends["a_row"]]["icao24"]
    lo_hi = lo_hi.with_columns(
        icao24=anchor,
        lo=pl.col("lo").clip(0, frame.height - 1),
        hi=pl.col("hi").clip(0, frame.height - 1),
    )
    rows = lo_hi.select(
        "query", "icao24", _row=pl.int_ranges("lo", pl.col("hi") + 1, dtype=pl.UInt32)
    ).explode("_row")
    fields = ["time", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "on_ground"]
    # ``_row`` is the frame's row number: gather the few rows, never join the frame.
    pos = frame.select(pl.col("icao24").alias("_ic"), *fields)[rows["_row"]]
    return (
        pl.concat([rows, pos.with_columns(pl.col("alt_ft").cast(pl.Float32))], how="horizontal")
        .filter(pl.col("_ic") == pl.col("icao24"))
        .sort("query", "_row")
        .group_by("query", maintain_order=True)
        .agg(pl.struct(fields).alias("evidence"))
        .with_columns(pl.col("evidence").cast(EVIDENCE))
    )


__all__ = ["evidence"]
