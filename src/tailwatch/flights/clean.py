"""Cleaning: dedupe, order, and set aside positions that are not evidence.

Rules (all per aircraft, vectorised over every aircraft at once):

* rows without time/icao24/lat/lon, or with coordinates off the globe, are not
  evidence (``no_position``, ``invalid_position``);
* duplicates (same aircraft, same time) keep one row, chosen by a total order on the
  values so the result does not depend on input order;
* stale repeats (a row identical in position, altitude, speed, track and flag to both
  its neighbours) are merged: feeds re-send the last state when they lose an
  aircraft, which would otherwise look like an aircraft standing still in the air.
  The run's last row is kept; ``_first_t`` is when a row's position was first
  reported (a repeated position is stale, whatever else changed);
* **impossible jumps**: consecutive positions whose implied speed exceeds
  ``max_speed_kt`` cut the track into *chunks*. A chunk that is short in time
  (``max_glitch_s``) and whose neighbours on both sides are reachable from each
  other is a glitch (a spike, or a burst of spoofed positions); its neighbours are
  kept. At the ends of a track a short chunk against one at least three times longer
  is a glitch too (one side of an impossible jump is wrong: the smaller one), and
  so is a burst of small chunks at a track's end that the rest of the track cannot
  reach (:func:`_ragged_ends`). Reason ``impossible_jump``;
* **altitude glitches**: the same on barometric altitudes with ``max_vrate_fpm``:
  a short plateau entered and left by impossible climbs whose two sides agree.
  Reason ``altitude_glitch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tailwatch._schema import POSITIONS, REJECTED
from tailwatch.flights._geo import KM_PER_NM, haversine_km
from tailwatch.flights._kernels import altitude_chunks, chunk_bounds, position_chunks
from tailwatch.flights._time import seconds
from tailwatch.sources.order import SOURCE_ROW

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from tailwatch.flights.params import DetectionParams

_SORT_KEYS = ["icao24", "time", "lat", "lon", "alt_baro_ft", "gs_kt", "track_deg", "on_ground"]


def _cast(have: pl.Schema, target: pl.Schema) -> list[pl.Expr]:
    """``target``'s columns cast to its types; a caller that regrouped the rows may
    have left columns detection does not read behind, with ``_src`` to fetch them."""
    if SOURCE_ROW not in have:
        return [pl.col(c).cast(t) for c, t in target.items()]
    return [*(pl.col(c).cast(t) for c, t in target.items() if c in have), pl.col(SOURCE_ROW)]


#: Margins of the ragged-end rule (:func:`_ragged_ends`): only values this far beyond
#: reach are cut off a track's end. Garbled altitudes are off by thousands of feet,
#: garbled positions by many kilometres; noise is a few hundred feet / metres.
_ROOMY_FT = 2000.0
_ROOMY_KM = 5.0
#: A position chunk is only a glitch when a hop into or out of it is out of reach by
#: this much (:func:`_glitch_chunks`): beyond MLAT noise (~100-300 m), well within
#: the errors of garbled or spoofed positions (kilometres to hundreds of kilometres).
_CLEAR_KM = 0.8


def _hop(
    p_time: str, n_time: str, p_cols: str, n_cols: str, value_cols: list[str]
) -> dict[str, str]:
    """Column renames giving a pair test (``feasible``, ``roomy``, ``clear``) the hop it
    reads, ``p_time``/``p_<col>`` -> ``n_time``/``n_<col>``, from the columns named
    ``p_time`` / ``n_time`` and ``p_cols`` / ``n_cols`` (formats of the value column)."""
    return {
        "p_time": p_time,
        "n_time": n_time,
        **{f"p_{c}": p_cols.format(c) for c in value_cols},
        **{f"n_{c}": n_cols.format(c) for c in value_cols},
    }


def _glitch_chunks(
    frame: pl.DataFrame,
    valid: pl.Series,
    chunk: NDArray[np.int64],
    value_cols: list[str],
    feasible: pl.Expr,
    params: DetectionParams,
    roomy: pl.Expr,
    clear: pl.Expr | None = None,
) -> pl.Series:
    """Boolean per row: the row belongs to a glitch chunk.

    ``chunk`` numbers the chunks: a new one starts at each new aircraft and at each
    ``valid`` row that cannot follow the previous valid row; ``feasible`` is evaluated
    on a per-chunk table with ``p_<col>`` (previous chunk's last values, ``p_time``)
    and ``n_<col>`` (next chunk's first values, ``n_time``) and says whether the
    previous and next chunks can be joined; ``roomy`` is the same with a wide
    margin, for :func:`_ragged_ends`. ``clear`` (same columns), when given, says a hop
    is out of reach by a clear margin: a chunk is then only a glitch when the hop into
    it or out of it is clearly out of reach. Noisy positions (MLAT, low-accuracy
    transponders) break the strict test by a few hundred metres every few dozen rows;
    without this each stretch between two such hops was thrown away whole.
    """
    # One compiled pass finds each chunk's first and last valid row (chunk numbers do
    # not decrease along the valid rows); only those rows are gathered.
    valid_np = valid.to_numpy()
    first, last, count = chunk_bounds(chunk, valid_np)
    ends = frame.select("_ac", "time", *value_cols)
    head, tail = ends[first], ends[last]
    chunks = pl.concat(
        [
            head.select(
                "_ac",
                t0="time",
                _chunk=pl.Series(chunk[first]),
                **{f"f_{c}": c for c in value_cols},
            ),
            tail.select(
                t1="time",
                n=pl.Series(count),
                **{f"l_{c}": c for c in value_cols},
            ),
        ],
        how="horizontal",
    )
    same_prev = pl.col("_ac") == pl.col("_ac").shift(1)
    same_next = pl.col("_ac") == pl.col("_ac").shift(-1)
    chunks = chunks.with_columns(
        has_p=same_prev.fill_null(False),
        has_n=same_next.fill_null(False),
        # Only the same aircraft's neighbouring chunks: the edge rule below compares a
        # track's first/last chunk with its neighbour, never with another aircraft's.
        p_n=pl.when(same_prev).then(pl.col("n").shift(1)),
        n_n=pl.when(same_next).then(pl.col("n").shift(-1)),
        p_time=pl.col("t1").shift(1),
        n_time=pl.col("t0").shift(-1),
        **{f"p_{c}": pl.col(f"l_{c}").shift(1) for c in value_cols},
        **{f"n_{c}": pl.col(f"f_{c}").shift(-1) for c in value_cols},
    )
    short = seconds(pl.col("t1"), pl.col("t0")) <= params.max_glitch_s
    inner = (
        pl.col("has_p")
        & pl.col("has_n")
        & short
        & feasible.fill_null(False)
        & (pl.col("n") <= pl.max_horizontal("p_n", "n_n"))
    )
    edge = (
        (pl.col("has_p") ^ pl.col("has_n")) & short & (pl.coalesce("p_n", "n_n") >= 3 * pl.col("n"))
    )
    if clear is not None:
        # the hop into the chunk (previous chunk's last row -> its first) and out of it
        into = chunks.select(**_hop("p_time", "t0", "p_{}", "f_{}", value_cols)).select(clear)
        out = chunks.select(**_hop("t1", "n_time", "l_{}", "n_{}", value_cols)).select(clear)
        chunks = chunks.with_columns(
            _into=into.to_series().fill_null(False) & chunks["has_p"],
            _out=out.to_series().fill_null(False) & chunks["has_n"],
        )
        inner = inner & (pl.col("_into") | pl.col("_out"))
        edge = edge & (pl.col("_into") | pl.col("_out"))
    flagged = chunks.with_columns(_bad=(inner | edge).fill_null(False))
    bad = pl.concat(
        [
            flagged.filter(pl.col("_bad"))["_chunk"],
            _ragged_ends(flagged.filter(~pl.col("_bad")), value_cols, roomy, params),
        ]
    )
    flagged_ids = np.zeros(int(chunk.max(initial=0)) + 1, dtype=np.bool_)
    flagged_ids[bad.to_numpy()] = True
    return pl.Series("glitch", flagged_ids[chunk] & valid_np)


def _ragged_ends(
    chunks: pl.DataFrame, value_cols: list[str], roomy: pl.Expr, params: DetectionParams
) -> pl.Series:
    """``_chunk`` of the small chunks at a track's end (or start) that the track itself
    could not reach.

    A track can end in a burst of garbled values alternating with good ones: Paris
    3946e2 on CDG's runway reports 250 ft, then 19,950, 37,975, 125 and 38,000 ft
    within a minute. No single chunk there is three times its neighbour, so the edge
    rule of :func:`_glitch_chunks` keeps all of them. Here the chunks that remain
    after that rule are first merged with their predecessor where the two join up;
    then, at each end, the first merged chunk that outweighs everything beyond it
    three times over (within ``max_glitch_s``) is the anchor, and every chunk beyond
    it that it cannot reach (or be reached from) is a glitch.

    "Join up" and "reach" are judged with a wide margin (``roomy``): noisy altitudes
    that break the strict rate test by a few hundred feet (the noisy_takeoff
    recording) are a climb, not a glitch, and must not be cut off the track's end.
    """
    c = pl.col
    same_prev = c("_ac") == c("_ac").shift(1)
    linked = chunks.with_columns(
        p_time=c("t1").shift(1),
        n_time=c("t0"),
        **{f"p_{v}": c(f"l_{v}").shift(1) for v in value_cols},
        **{f"n_{v}": c(f"f_{v}") for v in value_cols},
    ).with_columns(_sc=(~(same_prev & roomy).fill_null(False)).cum_sum())
    ends = [f"{e}_{v}" for e in "fl" for v in value_cols]
    merged = (
        linked.group_by("_sc", maintain_order=True)
        .agg(
            c("_ac").first(),
            c("n").sum(),
            c("t0").first(),
            c("t1").last(),
            *(c(e).first() if e.startswith("f_") else c(e).last() for e in ends),
        )
        .with_columns(
            _before=c("n").cum_sum().over("_ac") - c("n"),
            _after=c("n").sum().over("_ac") - c("n").cum_sum().over("_ac"),
        )
    )
    limit = params.max_glitch_s
    # tail: the last anchor of each aircraft; head: the first
    tail_ok = (
        (c("_after") > 0)
        & (c("n") >= 3 * c("_after"))
        & (seconds(c("t1").last().over("_ac"), c("t0").shift(-1)) <= limit)
    )
    head_ok = (
        (c("_before") > 0)
        & (c("n") >= 3 * c("_before"))
        & (seconds(c("t1").shift(1), c("t0").first().over("_ac")) <= limit)
    )
    merged = merged.with_columns(
        _tail=pl.when(tail_ok).then(c("_sc")).max().over("_ac"),
        _head=pl.when(head_ok).then(c("_sc")).min().over("_ac"),
    )
    anchor_cols = ["_ac", "t0", "t1", *ends]

    def beyond(anchor: str, *, after: bool) -> pl.DataFrame:
        """Merged chunks past each aircraft's ``anchor``, as (earlier -> later) pairs."""
        past = c("_sc") > c(anchor) if after else c("_sc") < c(anchor)
        pairs = merged.filter(past).join(
            merged.filter(c("_sc") == c(anchor)).select(anchor_cols), on="_ac", suffix="_a"
        )
        early, late = ("_a", "") if after else ("", "_a")
        hop = _hop(f"t1{early}", f"t0{late}", f"l_{{}}{early}", f"f_{{}}{late}", value_cols)
        return pairs.select("_sc", **hop)

    tail, head = beyond("_tail", after=True), beyond("_head", after=False)
    stray = pl.concat([tail, head]).filter((~roomy).fill_null(False))["_sc"]
    return linked.filter(c("_sc").is_in(stray.implode()))["_chunk"]


def _dedupe_sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Sorted by (icao24, time), one row per key, independent of input order.

    Readers usually deliver sorted rows: that is checked in one pass and the sort
    skipped. Rows sharing (icao24, time) — rare — are ordered by all their values and
    the first kept, so which one survives does not depend on input order.
    """
    ic, t = pl.col("icao24"), pl.col("time")
    in_order = (ic > ic.shift(1)) | ((ic == ic.shift(1)) & (t >= t.shift(1)))
    if not frame.select(in_order.fill_null(True).all()).item():
        frame = frame.sort("icao24", "time")
    same = (ic == ic.shift(1)) & (t == t.shift(1))
    dup = (same | same.shift(-1)).fill_null(False)
    mask = frame.select(dup).to_series()
    if not mask.any():
        return frame
    kept = (
        frame.filter(mask)
        .sort(_SORT_KEYS, nulls_last=True)
        .unique(subset=["icao24", "time"], keep="first", maintain_order=True)
    )
    return pl.concat([frame.filter(~mask), kept]).sort("icao24", "time")


def clean(
    positions: pl.DataFrame | pl.LazyFrame, params: DetectionParams
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Return (clean positions sorted by icao24/time, rejected rows, rows merged).

    Rows merged = exact (icao24, time) duplicates + stale repeats (see below). The
    positions carry ``_ac``, the aircraft numbered 1, 2, ... in row order.
    """
    lf = positions.lazy()
    lf = lf.select(_cast(lf.collect_schema(), POSITIONS))
    missing = (
        pl.col("time").is_null()
        | pl.col("icao24").is_null()
        | pl.col("lat").is_null()
        | pl.col("lon").is_null()
    )
    off_globe = ~(pl.col("lat").is_between(-90.0, 90.0) & pl.col("lon").is_between(-180.0, 180.0))
    ic = pl.col("icao24")
    # Contiguous columns: the input may come in many chunks (a reader's morsels, row
    # groups), and every gather and shift below costs ~2x more on a chunked column.
    # (The in-memory engine keeps the input's chunks; the streaming one makes more.)
    tagged_df = lf.collect(engine="in-memory").rechunk()
    # Lower-case once per run of equal values, not once per row (rows come grouped by
    # aircraft), and only when some address is not lower-case already (readers
    # normalise them): re-gathering 10 M strings costs more than the rest of the pass.
    run_start = (ic != ic.shift(1)).fill_null(True)
    firsts = tagged_df.select(ic.filter(run_start)).to_series()
    if not firsts.eq_missing(firsts.str.to_lowercase()).all():
        tagged_df = tagged_df.with_columns(
            icao24=ic.filter(run_start).str.to_lowercase().gather(run_start.cum_sum() - 1)
        )
    tagged_df = tagged_df.with_columns(
        reason=pl.when(missing)
        .then(pl.lit("no_position"))
        .when(off_globe | (pl.col("lat").is_nan() | pl.col("lon").is_nan()))
        .then(pl.lit("invalid_position")),
    )
    bad_rows = tagged_df["reason"].is_not_null()
    rejected_parts = [tagged_df.filter(bad_rows).lazy()]
    valid = (tagged_df.filter(~bad_rows) if bad_rows.any() else tagged_df).drop("reason")
    del tagged_df
    n_in = valid.height
    frame = _dedupe_sorted(valid)
    del valid
    duplicates = int(n_in) - frame.height

    # Stale repeats: a feed that lost the aircraft keeps re-sending its last state
    # (OpenSky state vectors do). A row identical to both neighbours carries no new
    # information and would fake a stationary aircraft; the first and last of a run
    # are kept so the time span is not lost.
    state = ["lat", "lon", "alt_baro_ft", "gs_kt", "track_deg", "on_ground"]
    # The rules below run on a narrow frame (integer aircraft code, the state columns)
    # and masks of the rows still in play; the wide rows are filtered once at the end.
    narrow = frame.select(
        "time",
        *state,
        _ac=(pl.col("icao24") != pl.col("icao24").shift(1)).fill_null(True).cum_sum(),
    )

    def as_before(cols: list[str]) -> pl.Expr:
        return pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift(1)) for c in cols)

    same_spot = as_before(["lat", "lon", "_ac"])  # the position of the row before
    again = same_spot & as_before([c for c in state if c not in ("lat", "lon")])
    marks = narrow.select(
        _again=again.fill_null(False),
        # A repeated position is not a sighting at its own time: it was first reported
        # at the first row that gave it. A landing is timed from that first report: an
        # airborne aircraft whose feed kept re-sending its last position for 5 min (its
        # altitude may still change: OpenSky updates it from messages it cannot place)
        # was not still there 5 min later.
        _first_t=pl.when(~same_spot.fill_null(False)).then(pl.col("time")).forward_fill(),
    )
    stale = marks["_again"] & marks["_again"].shift(-1, fill_value=False)
    n_stale = int(stale.sum())
    ac_np, t_np = narrow["_ac"].to_numpy(), narrow["time"].dt.epoch("us").to_numpy()

    # Impossible horizontal jumps.
    in_play = ~stale
    chunk = position_chunks(
        ac_np,
        t_np,
        narrow["lat"].to_numpy(),
        narrow["lon"].to_numpy(),
        in_play.to_numpy(),
        params.position_slack_km,
        params.max_speed_kt,
    )
    gap_h = seconds(pl.col("n_time"), pl.col("p_time")).clip(1.0, None) / 3600.0
    apart = haversine_km(pl.col("p_lat"), pl.col("p_lon"), pl.col("n_lat"), pl.col("n_lon"))
    feasible = (apart - params.position_slack_km) / KM_PER_NM / gap_h <= params.max_speed_kt
    roomy = (apart - _ROOMY_KM) / KM_PER_NM / gap_h <= params.max_speed_kt
    clear = (apart - _CLEAR_KM) / KM_PER_NM / gap_h > params.max_speed_kt
    pos_glitch = _glitch_chunks(
        narrow, in_play, chunk, ["lat", "lon"], feasible, params, roomy, clear
    )
    rejected_parts.append(
        frame.filter(pos_glitch).lazy().with_columns(reason=pl.lit("impossible_jump"))
    )
    in_play = in_play & ~pos_glitch

    # Altitude glitches (barometric altitude only; geometric is rarely glitchy alone).
    has_alt = in_play & narrow["alt_baro_ft"].is_not_null()
    chunk = altitude_chunks(
        ac_np,
        t_np,
        narrow["alt_baro_ft"].fill_null(np.nan).to_numpy(),
        has_alt.to_numpy(),
        params.max_vrate_fpm,
        params.altitude_slack_ft,
    )
    gap_s = seconds(pl.col("n_time"), pl.col("p_time")).clip(1.0, None)
    climb = (pl.col("n_alt_baro_ft") - pl.col("p_alt_baro_ft")).abs()
    reach = params.max_vrate_fpm / 60.0 * gap_s
    alt_glitch = _glitch_chunks(
        narrow,
        has_alt,
        chunk,
        ["alt_baro_ft"],
        climb <= reach + params.altitude_slack_ft,
        params,
        climb <= reach + _ROOMY_FT,
    )
    rejected_parts.append(
        frame.filter(alt_glitch).lazy().with_columns(reason=pl.lit("altitude_glitch"))
    )
    in_play = in_play & ~alt_glitch
    # the aircraft code (1, 2, ... in row order) and first-report times travel on
    frame = frame.with_columns(narrow["_ac"], marks["_first_t"])
    if not in_play.all():
        frame = frame.filter(in_play)

    rejected_lf = pl.concat(rejected_parts, how="vertical")
    rejected = (
        rejected_lf.select(_cast(rejected_lf.collect_schema(), REJECTED))
        .sort("icao24", "time", "reason", nulls_last=True)
        .collect()
    )
    return frame, rejected, duplicates + n_stale


__all__ = ["clean"]
