"""Ground or air, per position, from several unreliable signals and persistence.

The transponder's on-ground flag alone is not trusted (it flickers airborne, some
transponders never set it, some report it at altitude). Each position gets a *raw*
state from flag, height over the nearest field and speed:

====================================================  ========
condition (first that holds)                          state
====================================================  ========
height > air_height_ft, moving (or speed unknown)     air
height > air_height_ft, static and no reported speed  ground  (altitude glitch on a parked aircraft)
slower than taxi_speed_kt (and not high)              ground
flag true (and not high)                              ground
faster than air_speed_kt, flag false/unknown          air
flag false, height unknown or > ground_height_ft      air
otherwise                                             unknown
====================================================  ========

Unknown positions take the state of the previous known one (then the next).
Persistence then removes runs too short to be real: a short, low airborne run between
two ground runs is noise; a short ground run between two airborne runs is a
touch-and-go if it stays fast, else a flicker (kept airborne).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tailwatch.flights._geo import bearing_deg
from tailwatch.flights._kernels import NO_CELL, cell_runs, fill_states, implied_speed, run_ids
from tailwatch.flights._time import seconds

if TYPE_CHECKING:
    from tailwatch.flights.params import DetectionParams
    from tailwatch.reference.airports import AirportIndex

#: Two positions closer than this are the same (receiver position noise is ~10-50 m).
_HELD_KM = 0.05
#: Consecutive reports this close are one repeated position (a 60 kt aircraft moves
#: 31 m between 1 s reports, so it never qualifies).
_SAME_SPOT_KM = 0.005

#: Positions above this (ft) are never near a field we could land on: skip the lookup.
_LOOKUP_MAX_ALT_FT = 16000.0


def field_elevation(frame: pl.DataFrame, index: AirportIndex, radius_km: float) -> pl.Series:
    """Elevation (ft) of the nearest airport within ``radius_km`` of each low position."""
    # Query once per ~1 km cell, not once per position; and look each cell up once
    # per run of consecutive rows in it (an aircraft's rows are consecutive).
    alt = frame["alt_baro_ft"]
    low = alt.is_null() | (alt < _LOOKUP_MAX_ALT_FT)
    run_cell, run = cell_runs(frame["lat"].to_numpy(), frame["lon"].to_numpy(), low.to_numpy())
    cells = np.unique(run_cell[run_cell != NO_CELL])
    if cells.size == 0:
        return pl.repeat(None, frame.height, dtype=pl.Float32, eager=True).alias("field_elev_ft")
    clat = np.floor_divide(cells + 20_000, 40_000)  # clon is within +-18,000
    clon = cells - clat * 40_000
    near = index.near(clat / 100.0, clon / 100.0, radius_km, k=1)
    elev = np.full(cells.size + 1, np.nan, dtype=np.float32)  # the last: no cell
    elev[near["query"].to_numpy()] = near["elevation_ft"].fill_null(np.nan).to_numpy()
    at = np.searchsorted(cells, run_cell)
    at[run_cell == NO_CELL] = cells.size
    return pl.Series("field_elev_ft", elev[at][run], dtype=pl.Float32).fill_nan(None)


def baro_offset(frame: pl.DataFrame, p: DetectionParams) -> pl.Series:
    """Per-position pressure-altitude offset (ft) measured on the aircraft's own ground stops.

    ``alt_baro_ft`` is pressure altitude (1013.25 hPa): on a high-QNH day it reads
    hundreds of feet below true altitude (Paris 2021-10-07, QNH ~1029 hPa: -225 ft on
    the ground at LFPB, 218 ft). Where the aircraft itself reports a baro altitude while
    parked or taxiing (flag set, slower than ``taxi_speed_kt``, within
    ``baro_offset_max_ft`` of the field), the median of (altitude - field elevation)
    over that stop is the offset, applied within ``baro_offset_s`` of the stop (QNH
    moves ~1 hPa/h at most in normal weather). Elsewhere null: no correction. Only the
    aircraft's own positions are used, so detection stays a per-aircraft function.
    ``frame`` carries ``_ac`` (aircraft by integer code: the as-of join by it is far
    cheaper than by the address string).
    """
    dev = pl.col("alt_baro_ft") - pl.col("field_elev_ft")
    sample = (
        pl.col("on_ground").fill_null(False)
        & (pl.coalesce(pl.col("gs_kt").cast(pl.Float64), "implied_kt") < p.taxi_speed_kt)
        & (dev.abs() <= p.baro_offset_max_ft)
    ).fill_null(False)
    samples = frame.lazy().filter(sample).select("_ac", "time", _dev=dev)
    gap = pl.duration(seconds=int(p.baro_offset_s))
    # One stop = samples of one aircraft without a gap longer than baro_offset_s.
    stop = (
        (
            (pl.col("_ac") != pl.col("_ac").shift(1)).fill_null(True)
            | ((pl.col("time") - pl.col("time").shift(1)) > gap).fill_null(True)
        )
        .cum_sum()
        .set_sorted()
    )
    stops = (
        samples.with_columns(_stop=stop)
        .group_by("_stop")
        .agg(
            pl.col("_ac").first(),
            pl.col("time").first().alias("_t0"),
            pl.col("time").last().alias("_t1"),
            pl.col("_dev").median().alias("_off"),
            pl.len().alias("_n"),
        )
        # Stale repeats are merged in cleaning: a parked aircraft can leave only the
        # first and last row of a long stretch, hence two samples suffice.
        .filter(pl.col("_n") >= 2)
    )
    # Both ends of a stop as keys, so a nearest as-of join finds it from either side.
    keys = (
        pl.concat(
            [
                stops.select("_ac", _t=pl.col("_t0"), _off="_off"),
                stops.select("_ac", _t=pl.col("_t1"), _off="_off"),
            ]
        )
        .sort("_ac", "_t")
        .collect()
    )
    if keys.height == 0:
        return pl.repeat(None, frame.height, dtype=pl.Float32, eager=True).alias("baro_offset_ft")
    out = frame.select("_ac", "time").join_asof(
        keys,
        left_on="time",
        right_on="_t",
        by="_ac",
        strategy="nearest",
        tolerance=timedelta(seconds=p.baro_offset_s),
        check_sortedness=False,
    )
    return out["_off"].cast(pl.Float32).alias("baro_offset_ft")


def _implied_speed(frame: pl.DataFrame, p: DetectionParams) -> tuple[pl.Series, pl.Series]:
    """``implied_kt``, the speed (kt) implied by positions ~``speed_baseline_s`` before
    and after each one, and ``_static``, whether the position is static (see
    :func:`~tailwatch.flights._kernels.implied_speed`).

    A time baseline (not a row count) so that stale, repeated positions followed by a
    jump (common on the ground) do not read as motion. Falls back to the adjacent
    positions when the aircraft has no neighbour within ``speed_tolerance_s``.
    A position held unchanged for ``static_air_s`` against its neighbour is parked,
    however far apart in time the two rows are (cleaning merges a feed's stale repeats
    into the first and last row, so no neighbour falls within the speed baseline); so
    is one in a chain of repeats of the very same spot spanning ``static_air_s`` (a
    feed that repeats a position while some other value changes, e.g. a garbled
    altitude: nothing flying reports one position twice).
    ``frame`` is sorted by (icao24, time), times unique per aircraft, and carries
    ``_ac`` (aircraft by integer code), as cleaning leaves it.
    """
    implied, static = implied_speed(
        frame["_ac"].to_numpy(),
        frame["time"].dt.epoch("us").to_numpy(),
        frame["lat"].to_numpy(),
        frame["lon"].to_numpy(),
        round(p.speed_baseline_s * 1e6),
        round(p.speed_tolerance_s * 1e6),
        p.taxi_speed_kt,
        p.static_air_s,
        _HELD_KM,
        _SAME_SPOT_KM,
    )
    return (
        pl.Series("implied_kt", implied, dtype=pl.Float64).fill_nan(None),
        pl.Series("_static", static, dtype=pl.Boolean),
    )


#: Slow flight above the field is only told from a taxi this close to an airport, where
#: the field's elevation stands for the ground's (km from its reference point).
_HOVER_FIELD_KM = 8.0


def _hovering(frame: pl.DataFrame, candidate: pl.Expr, index: AirportIndex) -> pl.Series:
    """``candidate`` rows within :data:`_HOVER_FIELD_KM` of an airport (few rows: the
    lookup runs on those only)."""
    cand = frame.select(candidate.alias("_hover")).to_series()
    if not cand.any():
        return cand
    rows = np.flatnonzero(cand.to_numpy())
    near = index.near(
        frame["lat"].to_numpy()[rows], frame["lon"].to_numpy()[rows], _HOVER_FIELD_KM, k=1
    )
    out = np.zeros(frame.height, dtype=np.bool_)
    out[rows[near["query"].to_numpy()]] = True
    return pl.Series("_hover", out)


#: A rotorcraft whose positions move at least this fast (kt) is not standing.
_ROTOR_MOVING_KT = 10.0


def _rotor_moving(frame: pl.DataFrame, p: DetectionParams) -> pl.Expr:
    """Rows of known rotorcraft (``p.rotorcraft``) whose positions are moving."""
    # the frame's few addresses looked up in the set, not the registry's ~43,000 listed
    mine = [a for a in frame["icao24"].unique().to_list() if a in p.rotorcraft]
    moving = (pl.col("implied_kt") >= _ROTOR_MOVING_KT).fill_null(False)
    return pl.col("icao24").is_in(pl.Series(mine, dtype=pl.String).implode()) & moving


def add_state(frame: pl.DataFrame, params: DetectionParams, index: AirportIndex) -> pl.DataFrame:
    """Add ``field_elev_ft``, ``height_ft``, ``speed_kt``, ``raw_ground`` and ``ground``.

    ``frame`` is :func:`~tailwatch.flights.clean.clean`'s output (with ``_ac``).
    """
    p = params
    frame = frame.with_columns(field_elevation(frame, index, p.field_search_km))
    frame = frame.with_columns(*_implied_speed(frame, params))
    frame = frame.with_columns(baro_offset(frame, params))
    frame = frame.with_columns(
        # No field lies above the lookup ceiling, so a higher altitude is a height.
        height_ft=pl.col("alt_baro_ft")
        - pl.col("baro_offset_ft").fill_null(0.0)
        - pl.coalesce(
            "field_elev_ft",
            pl.when(pl.col("alt_baro_ft") >= _LOOKUP_MAX_ALT_FT).then(pl.lit(0.0, pl.Float32)),
        ),
        speed_kt=pl.coalesce(pl.col("gs_kt").cast(pl.Float64), "implied_kt"),
    )
    h, v, flag = pl.col("height_ft"), pl.col("speed_kt"), pl.col("on_ground")
    high = (h > p.air_height_ft).fill_null(False)
    moving = (v >= p.taxi_speed_kt).fill_null(True)
    gs_unknown = pl.col("gs_kt").is_null()
    has_alt = pl.col("alt_baro_ft").is_not_null() | pl.col("alt_geom_ft").is_not_null()
    # Positions that did not move over the speed baseline: whatever the (possibly
    # stale) ground speed and (possibly garbled) altitude say, it is not flying.
    # Only where the altitude does not say "flying low" (stale positions happen at the
    # edge of coverage): no altitude, a ground flag, near the field, or a glitch-high one.
    static = pl.col("_static") & (
        ~has_alt
        | flag.fill_null(False)
        | (h <= p.ground_height_ft).fill_null(False)
        | (pl.col("alt_baro_ft") >= _LOOKUP_MAX_ALT_FT).fill_null(False)
    )
    geom_height = pl.col("alt_geom_ft") - pl.col("field_elev_ft")
    hovering = _hovering(
        frame,
        (
            (flag == False)  # noqa: E712
            & (h > p.ground_height_ft)
            & (v < p.taxi_speed_kt)
            # a reported speed: a parked aircraft's garbled altitude comes without one
            # (OpenSky), as in the rule for ``high`` below
            & ~gs_unknown
            # pressure altitude can be ~1,000 ft off on a deep low: GNSS height agrees
            & (geom_height.is_null() | (geom_height > p.ground_height_ft))
        ).fill_null(False),
        index,
    )
    raw = (
        pl.when(static)
        .then(pl.lit(True))
        # An altitude far above the field with no reported speed, while the transponder
        # says "on ground": a garbled altitude on a parked or taxiing aircraft.
        .when(high & gs_unknown & flag.fill_null(False))
        .then(pl.lit(True))
        .when(high & (moving | ~gs_unknown))
        .then(pl.lit(False))
        # Slow, but well above a known field while the transponder says "airborne": a
        # helicopter in slow flight or a hover, not a taxi. (Without a field nearby the
        # height is unknown and the speed decides, as before.)
        .when(pl.lit(hovering))
        .then(pl.lit(False))
        .when((v < p.taxi_speed_kt).fill_null(False))
        .then(pl.lit(True))
        .when(flag.fill_null(False))
        .then(pl.lit(True))
        # Fast with a clear flag: flying if the altitude (airborne position messages
        # carry one, surface ones do not) or the positions themselves confirm it.
        .when(
            (v >= p.air_speed_kt).fill_null(False)
            & (has_alt | (pl.col("implied_kt") >= p.air_speed_kt).fill_null(False))
        )
        .then(pl.lit(False))
        .when(
            (flag == False).fill_null(False)  # noqa: E712
            & has_alt
            & (h.is_null() | (h > p.ground_height_ft))
        )
        .then(pl.lit(False))
        .otherwise(None)
    )
    if p.rotorcraft:
        # A rotorcraft slower than any aeroplane still flies while it moves: reported
        # as airborne (an altitude, which surface messages lack, or a clear flag) and
        # no ground flag set, it is in slow flight wherever it is (a helipad is no
        # known field). Standing or hovering in one spot, the rules above judge it as
        # any aircraft.
        airborne_report = has_alt | (flag == False).fill_null(False)  # noqa: E712
        flying = _rotor_moving(frame, p) & ~flag.fill_null(False) & airborne_report
        raw = pl.when(flying).then(pl.lit(False)).otherwise(raw)
    frame = frame.with_columns(raw_ground=raw)
    # Unknown takes the previous known state of the same aircraft, else the next one.
    ground = fill_states(
        frame["_ac"].to_numpy(), frame["raw_ground"].cast(pl.Int8).fill_null(-1).to_numpy()
    )
    frame = frame.with_columns(ground=pl.Series(ground))
    return _persist(frame, p, index)


def _runs(frame: pl.DataFrame, gap_s: float | None = None) -> pl.DataFrame:
    """Number the runs of one state (``_run``), also cut at gaps of ``gap_s``."""
    cut = None
    if gap_s is not None:
        t = frame["time"].dt.epoch("us").to_numpy()
        cut = np.zeros(t.shape[0], dtype=np.bool_)
        cut[1:] = np.diff(t) >= gap_s * 1e6  # a new aircraft starts a run anyway
    run = run_ids(frame["_ac"].to_numpy(), frame["ground"].to_numpy(), cut)
    # A running count is non-decreasing: flagged sorted, the group-bys on it take
    # polars' sorted-key path (~9x faster than hashing 10 M keys).
    return frame.with_columns(_run=pl.Series(run).set_sorted())


def _run_table(frame: pl.DataFrame, gap_s: float) -> pl.DataFrame:
    """One row per run: its state, size, extent, and its neighbours of the same
    aircraft (``g_prev``/``g_next``, the gaps to them, and ``near_prev``/``near_next``:
    that gap is shorter than ``gap_s``, i.e. not a coverage gap)."""
    runs = (
        frame.group_by("_run")
        .agg(
            pl.col("_ac").first(),
            pl.col("ground").first(),
            pl.len().alias("n"),
            seconds(pl.col("time").last(), pl.col("time").first()).alias("dur_s"),
            pl.col("height_ft").max().alias("hmax"),
            pl.col("height_ft").min().alias("hmin"),
            pl.col("speed_kt").min().alias("vmin"),
            pl.col("time").first().alias("t0"),
            pl.col("time").last().alias("t1"),
            pl.col("_static").any().alias("any_static"),
            pl.col("_static").all().alias("all_static"),
            pl.col("height_ft").is_not_null().sum().alias("n_height"),
        )
        .sort("_run")
    )
    same_prev = pl.col("_ac") == pl.col("_ac").shift(1)
    same_next = pl.col("_ac") == pl.col("_ac").shift(-1)
    return runs.with_columns(
        g_prev=pl.when(same_prev).then(pl.col("ground").shift(1)),
        g_next=pl.when(same_next).then(pl.col("ground").shift(-1)),
        gap_before_s=pl.when(same_prev).then(seconds(pl.col("t0"), pl.col("t1").shift(1))),
        gap_after_s=pl.when(same_next).then(seconds(pl.col("t0").shift(-1), pl.col("t1"))),
    ).with_columns(
        near_prev=(pl.col("gap_before_s") < gap_s).fill_null(False),
        near_next=(pl.col("gap_after_s") < gap_s).fill_null(False),
    )


def _flip(frame: pl.DataFrame, runs: pl.DataFrame, flip: pl.Expr) -> pl.DataFrame:
    flips = runs.filter(flip)["_run"]
    if flips.len() == 0:
        return frame
    return frame.with_columns(
        ground=pl.when(pl.col("_run").is_in(flips.implode()))
        .then(~pl.col("ground"))
        .otherwise("ground")
    )


def _edge_flights(
    frame: pl.DataFrame, runs: pl.DataFrame, p: DetectionParams, index: AirportIndex
) -> pl.DataFrame:
    """``_run`` of short airborne runs at a coverage edge that are real flight ends.

    Data (or a long signal gap) can start with an aircraft on short final, or stop just
    after lift-off: the airborne run is short only because coverage is. It is kept when
    it flies (median reported *and* implied speed at least ``flying_speed_kt``; a
    taxiing aircraft whose flag flickers moves at 15 kt) and, at the end that touches
    the ground run, it is lined up with a runway (:func:`aligned`), descending onto it
    (landing) or climbing away from it (take-off).
    """
    edge, edge_after = ~pl.col("near_prev"), ~pl.col("near_next")
    fast = (pl.col("vmed") >= p.flying_speed_kt).fill_null(False) & (
        pl.col("imed") >= p.flying_speed_kt
    ).fill_null(True)
    runs = runs.filter(~pl.col("ground") & (pl.col("n") >= p.min_edge_points))
    if runs.height == 0:
        return runs.select("_run")
    # One pass over the few runs in question (not a per-run aggregate over every row):
    # speed medians for the flying test, and the ends for the runway test.
    ends = ("lat", "lon", "alt_baro_ft", "alt_geom_ft", "track_deg", "baro_offset_ft")
    per_run = (
        frame.filter(pl.col("_run").is_in(runs["_run"].implode()))
        .group_by("_run")
        .agg(
            pl.col("speed_kt").median().alias("vmed"),
            pl.col("implied_kt").median().alias("imed"),
            # The end that touches the ground run: last point of a landing, first of
            # a take-off; the vertical trend over the whole run.
            *[pl.col(c).last().alias(f"l_{c}") for c in ends],
            *[pl.col(c).first().alias(f"f_{c}") for c in ends],
            pl.col("vrate_fpm").median().alias("vz"),
            # Course over the run when the track is not reported (surface/old feeds).
            bearing_deg(
                pl.col("lat").first(),
                pl.col("lon").first(),
                pl.col("lat").last(),
                pl.col("lon").last(),
            ).alias("run_course"),
            (
                pl.coalesce("alt_baro_ft", "alt_geom_ft").drop_nulls().last()
                - pl.coalesce("alt_baro_ft", "alt_geom_ft").drop_nulls().first()
            ).alias("dh"),
        )
    )
    lands = edge & (pl.col("g_next") == True)  # noqa: E712
    takes_off = edge_after & (pl.col("g_prev") == True)  # noqa: E712
    pts = (
        runs.join(per_run, on="_run", how="left", maintain_order="left")
        .filter(fast & (lands | takes_off))
        .with_columns(
            kind=pl.when(lands).then(pl.lit("landing")).otherwise(pl.lit("takeoff")),
        )
        .sort("_run")
    )
    if pts.height == 0:
        return pts.select("_run")
    from tailwatch.events.runway import aligned  # events builds on flights' geometry

    keep = []
    for kind in ("landing", "takeoff"):
        sub = pts.filter(pl.col("kind") == kind)
        if sub.height == 0:
            continue
        e = "l" if kind == "landing" else "f"
        trend = (pl.col("dh") <= 0) if kind == "landing" else (pl.col("dh") >= 0)
        sub = sub.filter(trend.fill_null(False))
        q = sub.select(
            lat=f"{e}_lat",
            lon=f"{e}_lon",
            alt_ft=pl.coalesce(
                pl.col(f"{e}_alt_baro_ft") - pl.col(f"{e}_baro_offset_ft").fill_null(0.0),
                f"{e}_alt_geom_ft",
            ),
            course_deg=pl.coalesce(pl.col(f"{e}_track_deg").cast(pl.Float64), "run_course"),
            vrate_fpm="vz",
        )
        ok = aligned(q, kind, index, p)
        keep.append(sub[ok["query"].unique().sort()].select("_run"))
    return pl.concat(keep) if keep else pts.select("_run").head(0)


def _persist(frame: pl.DataFrame, p: DetectionParams, index: AirportIndex) -> pl.DataFrame:
    """Remove runs too short to be real; mark touch-and-goes in ``touch_and_go``.

    Two passes, so that alternating short runs resolve in a fixed order: first short
    low airborne runs become ground (noise while parked/taxiing) unless they are a
    flight entering or leaving coverage (:func:`_edge_flights`), then short ground
    runs between airborne runs become airborne (touch-and-go, or a flag flicker).
    """
    # Runs end at coverage gaps here, so that a short low airborne stretch at a gap's
    # edge is judged like one at the end of the data.
    frame = _runs(frame, p.min_gap_s)
    runs = _run_table(frame, p.min_gap_s)
    # An airborne neighbour across a coverage gap says nothing about this run: a short
    # low airborne run after a ground run and before a gap is judged as one at the end
    # of the data would be (a frozen feed's last rows after its "ground" ones are no
    # take-off); it still needs a ground run beside it, adjacent or not.
    g_prev = pl.when("near_prev").then(pl.col("g_prev"))
    g_next = pl.when("near_next").then(pl.col("g_next"))
    short_air = (
        ~pl.col("ground")
        # Fewer than min_air_points is too little to call a flight at any height
        # (a garbled altitude on a parked aircraft); a brief low hop is noise too, and
        # so is a run that never moves (a frozen feed whose altitude wobbles).
        & (
            (pl.col("n") < p.min_air_points)
            | (
                (pl.col("dur_s") < p.min_air_s)
                & (pl.col("hmax") <= p.air_height_ft).fill_null(True)
            )
            | pl.col("all_static")
        )
        & g_prev.fill_null(True)
        & g_next.fill_null(True)
        & ((pl.col("g_prev") == True) | (pl.col("g_next") == True))  # noqa: E712
    )
    real = _edge_flights(frame, runs.filter(short_air), p, index)
    short_air = short_air & ~pl.col("_run").is_in(real["_run"].implode())
    frame = _runs(_flip(frame, runs, short_air).drop("_run"))
    runs = _run_table(frame, p.min_gap_s)
    # Between two airborne runs, each within a coverage gap of it: a low ground run
    # that ends what is seen before an hour's silence is a landing (OpenSky's 10-s
    # state vectors often end at the touchdown row), not a flag flicker in flight.
    # Across a gap a high one still is (a frozen position with a garbled 32,750 ft
    # altitude at the end of a savan flight), and so is one that never moves (Paris
    # 440612 frozen 1.6 km before CDG 26L at 142 kt: its landing is judged from the air).
    flicker_anyway = (pl.col("hmax") > p.air_height_ft).fill_null(False) | pl.col("all_static")
    air_before = (pl.col("g_prev") == False) & (pl.col("near_prev") | flicker_anyway)  # noqa: E712
    air_after = (pl.col("g_next") == False) & (pl.col("near_next") | flicker_anyway)  # noqa: E712
    short_ground = (
        pl.col("ground")
        & ((pl.col("dur_s") < p.min_ground_s) | (pl.col("n") < p.min_ground_points))
        & air_before
        & air_after
    )
    tg = (
        short_ground
        & (pl.col("n") >= 2)
        & (pl.col("vmin") >= p.touch_and_go_min_kt).fill_null(False)
        # A held (frozen) position is a stale feed, not a roll along the runway.
        & ~pl.col("any_static")
        & (pl.col("hmax") <= p.ground_height_ft).fill_null(True)
    )
    # A "ground" run whose every known height is well above the field is an airborne
    # aircraft whose positions went stale, not a landing.
    # It takes several heights, most of the run's, to say so: one garbled altitude on a
    # taxiing aircraft (HUAF408 sampled every 10 s: 4,407 ft) must not lift the taxi.
    # Unless those heights cannot be reached from where the aircraft just was: 29,800 ft
    # seconds after short final is a garbled altitude on an aircraft that has just
    # landed, not a stale airborne one (the bench's copies of Paris 3cc1c8 at LFPB,
    # whose altitudes are perturbed by a few feet: 31 of 36 lost their landing).
    high_ground = (
        pl.col("ground")
        & (pl.col("hmin") > p.air_height_ft).fill_null(False)
        & (pl.col("n_height") >= p.min_ground_points)
        & (pl.col("n_height") * 2 >= pl.col("n"))
    )
    # the last known height before each candidate (a few runs: not a per-run aggregate
    # over every row)
    cand = runs.filter(high_ground & (pl.col("g_prev") == False))  # noqa: E712
    before = (
        frame.filter(pl.col("_run").is_in((cand["_run"] - 1).implode()))
        .group_by("_run")
        .agg(hlast_prev=pl.col("height_ft").drop_nulls().last())
        .with_columns(pl.col("_run") + 1)
    )
    unreachable = cand.join(before, on="_run").filter(
        pl.col("hmin") - pl.col("hlast_prev")
        > p.max_vrate_fpm / 60.0 * pl.col("gap_before_s").clip(1.0, None) + p.altitude_slack_ft
    )["_run"]
    stale_air = high_ground & ~pl.col("_run").is_in(unreachable.implode())
    frame = _flip(frame, runs, short_ground | stale_air)
    tg_runs = runs.filter(tg)["_run"]
    return frame.with_columns(
        touch_and_go=pl.when(pl.col("_run").is_in(tg_runs.implode())).then(pl.col("_run"))
    ).drop("_run")


__all__ = ["add_state", "field_elevation"]
