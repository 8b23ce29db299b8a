"""Split each aircraft's positions into ground runs and flights (airborne runs).

A flight is a maximal airborne run. An airborne signal gap splits it only when the
data says a landing must have happened in between (see :func:`gap_splits`):

* the gap is longer than ``endurance_s`` (no one stays airborne that long);
* after ``loiter_gap_s`` the aircraft reappears within ``loiter_max_km`` of where it
  vanished (it did not orbit out of sight for hours);
* the callsign changed across a gap of at least ``callsign_gap_s`` (a new flight
  plan *and* time for a stop; a callsign change alone never splits);
* the gap is at least ``stop_gap_s`` and the aircraft vanished lined up on a final
  approach, or reappeared climbing out along a runway (the inferred-event rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tailwatch.events.runway import aligned
from tailwatch.flights._geo import haversine_km
from tailwatch.flights._kernels import course_from_positions, run_ids
from tailwatch.flights._time import seconds

if TYPE_CHECKING:
    from tailwatch.flights.params import DetectionParams
    from tailwatch.reference.airports import AirportIndex


#: Course from positions (rows without a reported track): the baseline is the latest
#: earlier position at least this far away (km) ...
_COURSE_BASELINE_KM = 0.3
#: ... and at most this old (s).
_COURSE_BASELINE_S = 120


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_row`` (global order), ``alt_ft`` and ``course_deg`` (track, else from positions)."""
    frame = frame.with_row_index("_row").with_columns(
        alt_ft=pl.coalesce("alt_baro_ft", "alt_geom_ft"),
        # Altitude for comparisons with field/threshold elevations: pressure altitude
        # corrected by the aircraft's own ground offset where known (see baro_offset).
        alt_msl_ft=pl.coalesce(
            pl.col("alt_baro_ft") - pl.col("baro_offset_ft").fill_null(0.0), "alt_geom_ft"
        ),
    )
    course = frame["track_deg"].cast(pl.Float64).alias("course_deg")
    need = np.flatnonzero(frame["track_deg"].is_null().to_numpy())
    if need.size:
        # Bearing over a baseline of a few hundred metres, only where no track is
        # reported (see course_from_positions); on an aircraft's first rows, towards
        # the next ones (a departure first seen low before any velocity message still
        # lines up with its runway: Paris AFR73KR at 500 ft off CDG 26R).
        derived = course_from_positions(
            frame["_ac"].to_numpy(),
            frame["time"].dt.epoch("us").to_numpy(),
            frame["lat"].to_numpy(),
            frame["lon"].to_numpy(),
            need,
            _COURSE_BASELINE_KM,
            _COURSE_BASELINE_S * 1_000_000,
        )
        course = course.scatter(need, pl.Series(derived).fill_nan(None))
    return frame.with_columns(course)


def gap_splits(frame: pl.DataFrame, params: DetectionParams, index: AirportIndex) -> pl.Series:
    """Boolean per row: an airborne gap before this row ends one flight and starts another."""
    p = params
    same_prev = pl.col("_ac") == pl.col("_ac").shift(1)
    dt = seconds(pl.col("time"), pl.col("time").shift(1))
    cand = frame.filter(
        same_prev & ~pl.col("ground") & ~pl.col("ground").shift(1) & (dt >= p.min_gap_s)
    ).select("_row")
    if cand.height == 0:
        return pl.Series("_split", np.zeros(frame.height, dtype=np.bool_))
    rows = cand["_row"]
    after = frame[rows]
    before = frame[rows - 1]
    cols = ["lat", "lon", pl.col("alt_msl_ft").alias("alt_ft"), "course_deg", "vrate_fpm"]
    land = aligned(before.select(cols), "landing", index, p)
    take = aligned(after.select(cols), "takeoff", index, p)
    land_q = set(land["query"].to_list())
    take_q = set(take["query"].to_list())
    pair = pl.DataFrame(
        {
            "_row": rows,
            "dt": (after["time"] - before["time"]).dt.total_seconds(),
            "dist": pl.select(
                haversine_km(
                    pl.lit(before["lat"]),
                    pl.lit(before["lon"]),
                    pl.lit(after["lat"]),
                    pl.lit(after["lon"]),
                )
            ).to_series(),
            "cs0": before["callsign"],
            "cs1": after["callsign"],
            "inf": [i in land_q or i in take_q for i in range(cand.height)],
        }
    )
    split = pair.filter(
        (pl.col("dt") >= p.endurance_s)
        | ((pl.col("dt") >= p.loiter_gap_s) & (pl.col("dist") <= p.loiter_max_km))
        | ((pl.col("dt") >= p.callsign_gap_s) & (pl.col("cs0") != pl.col("cs1")).fill_null(False))
        | ((pl.col("dt") >= p.stop_gap_s) & pl.col("inf"))
    )["_row"]
    out = np.zeros(frame.height, dtype=np.bool_)  # ``_row`` numbers the frame's rows
    out[split.to_numpy()] = True
    return pl.Series("_split", out)


def segment(frame: pl.DataFrame, params: DetectionParams, index: AirportIndex) -> pl.DataFrame:
    """Add ``_seg`` (segment id) and ``_split`` to a frame from :func:`prepare`."""
    split = gap_splits(frame, params, index)
    seg = run_ids(frame["_ac"].to_numpy(), frame["ground"].to_numpy(), split.to_numpy())
    # flagged sorted: the group-bys on it take the sorted-key path
    return frame.with_columns(split, _seg=pl.Series(seg).set_sorted())


def segments(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per segment: ground/air, first/last row and time, callsign, neighbours."""
    segs = (
        frame.group_by("_seg")
        .agg(
            pl.col("_ac").first(),
            pl.col("icao24").first(),
            pl.col("ground").first(),
            pl.col("_split").first().alias("split_before"),
            pl.col("_row").first().alias("r0"),
            pl.col("_row").last().alias("r1"),
            pl.col("time").first().alias("t0"),
            pl.col("time").last().alias("t1"),
            pl.len().alias("n"),
            pl.col("callsign").drop_nulls().last().alias("callsign"),
        )
        .sort("_seg")
    )
    same_prev = pl.col("_ac") == pl.col("_ac").shift(1)
    same_next = pl.col("_ac") == pl.col("_ac").shift(-1)
    return segs.with_columns(
        prev_ground=pl.when(same_prev & ~pl.col("split_before")).then(pl.col("ground").shift(1)),
        next_ground=pl.when(same_next & ~pl.col("split_before").shift(-1)).then(
            pl.col("ground").shift(-1)
        ),
        prev_t1=pl.when(same_prev).then(pl.col("t1").shift(1)),
        next_t0=pl.when(same_next).then(pl.col("t0").shift(-1)),
    )


__all__ = ["gap_splits", "prepare", "segment", "segments"]
