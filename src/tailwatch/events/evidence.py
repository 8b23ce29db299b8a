"""Evidence: the handful of raw positions that decided an event."""

from __future__ import annotations

import polars as pl

from tailwatch._schema import EVIDENCE


def evidence(
    frame: pl.DataFrame, ends: pl.DataFrame, k: int, max_gap_s: float | None = None
) -> pl.DataFrame:
    """``query, evidence``: up to ``k`` positions each side of the deciding transition.

    ``ends`` has ``query``, ``kind``, ``a_row`` (airborne position at the event) and
    ``g_row`` (ground position at the event, or null). Without a ground position, the
    ``2k`` airborne positions nearest the end of coverage are kept. With ``max_gap_s``,
    only positions joined to the event's airborne or ground position without a
    silence of that long: a sighting hours later did not decide the event (and a live
    feed, which cannot wait for it, gives the same evidence).
    """
    # Signed row numbers: the window may start before row 0 (clipped below).
    ends = ends.with_columns(pl.col("a_row", "g_row").cast(pl.Int64))
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
    out = (
        pl.concat([rows, pos.with_columns(pl.col("alt_ft").cast(pl.Float32))], how="horizontal")
        .filter(pl.col("_ic") == pl.col("icao24"))
        .sort("query", "_row")
    )
    if max_gap_s is not None:
        q, t = pl.col("query"), pl.col("time")
        gap = (q == q.shift(1)) & ((t - t.shift(1)).dt.total_seconds(fractional=True) >= max_gap_s)
        anchors = ends.select(
            "query",
            _a=pl.col("a_row").cast(pl.UInt32),
            _g=pl.col("g_row").cast(pl.UInt32),
        )

        def part_at(anchor: str) -> pl.Expr:
            at = pl.col("_part").filter(pl.col("_row") == pl.col(anchor)).first()
            return at.over("query")

        # The airborne and the ground position that decided the event are both
        # evidence, however long apart (last seen parked, next seen climbing away).
        part = pl.col("_part")
        out = (
            out.with_columns(_part=gap.fill_null(False).cum_sum())
            .join(anchors, on="query", how="left")
            .filter((part == part_at("_a")) | (part == part_at("_g")).fill_null(False))
        )
    return (
        out.group_by("query", maintain_order=True)
        .agg(pl.struct(fields).alias("evidence"))
        .with_columns(pl.col("evidence").cast(EVIDENCE))
    )


__all__ = ["evidence"]
