"""Take-off, landing and touch-and-go events from segments, with airport and confidence.

For each flight end (see ``docs/detection.md``):

* the flight meets a ground run: the ground position next to the transition decides
  the airport (nearest runway within ``runway_max_km``); ``observed`` when the ground
  and airborne positions are at most ``observed_max_gap_s`` apart, else ``inferred``
  (the aircraft was seen on the ground there, the transition itself was not); a
  landing whose first ground row is a position frozen on short final is timed past
  the freeze (:func:`frozen_touchdowns`);
* the flight starts/ends in the air (coverage, or a split gap): ``inferred`` if the
  first/last position is lined up with a runway, low and close enough
  (:func:`tailwatch.events.runway.aligned`), else ``none`` — no airport, the
  position, altitude and the airports around it are recorded instead.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch._schema import CANDIDATES, EVENTS, TIME
from tailwatch.events.evidence import evidence
from tailwatch.events.runway import aligned, nearest_airports, on_airport, runway_for
from tailwatch.flights._geo import angle_diff_deg

if TYPE_CHECKING:
    from tailwatch.flights.params import DetectionParams
    from tailwatch.reference.airports import AirportIndex

_COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def stable_id(*parts: object) -> str:
    """A short deterministic id (same input in batch and live gives the same id)."""
    text = "|".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _compass(deg: float) -> str:
    return _COMPASS[round(deg / 45.0) % 8]


def _rank(df: pl.DataFrame, dist: str) -> pl.DataFrame:
    """Best and runner-up airport per query from (query, airport, <dist>) rows."""
    if df.height == 0:
        return pl.DataFrame(
            schema={
                "query": pl.UInt32(),
                "airport": pl.String(),
                "d": pl.Float64(),
                "runner_up": pl.String(),
                "margin": pl.Float64(),
            }
        )
    per = (
        df.group_by("query", "airport")
        .agg(pl.col(dist).min().alias("d"))
        .sort("query", "d", "airport")
    )
    return per.group_by("query", maintain_order=True).agg(
        pl.col("airport").first(),
        pl.col("d").first(),
        pl.col("airport").get(1, null_on_oob=True).alias("runner_up"),
        (pl.col("d").get(1, null_on_oob=True) - pl.col("d").first()).alias("margin"),
    )


#: How many rows after a frozen touchdown are searched for the ground sighting that
#: confirms it (cleaning merges a frozen feed's repeats, so a few suffice).
_FROZEN_SEARCH_ROWS = 500


def _frozen_air(p: DetectionParams) -> pl.Expr:
    """Rows whose position is frozen while they report flying: fast, flag not set."""
    return (
        pl.col("_static")
        & ~pl.col("on_ground").fill_null(False)
        & (pl.col("gs_kt") >= p.flying_speed_kt).fill_null(False)
    )


def frozen_touchdowns(frame: pl.DataFrame, ends: pl.DataFrame, p: DetectionParams) -> pl.DataFrame:
    """``query, g_frozen_t, fresh_t`` for landings whose first ground row is a frozen report.

    Feeds often stop updating the position on short final (the traffic quickstart
    recording: 29 of Paris' 89 observed landings): the first report of the frozen
    position is fresh, and there the aircraft was still flying at the reported speed;
    the repeats that follow hold it still, which the ground rule reads as stopped. The
    touchdown is later than that first report (``g_frozen_t``), and no later than the
    first row of the ground run that is not such a frozen airborne report (``fresh_t``:
    a ground flag, a slow speed, a new position; null when none follows within
    :data:`_FROZEN_SEARCH_ROWS` rows). ``ends`` has ``query``, ``kind`` and ``g_row``.
    """
    out_schema = {"query": pl.UInt32(), "g_frozen_t": TIME, "fresh_t": TIME}
    cols = ["_static", "on_ground", "gs_kt"]
    land = ends.filter((pl.col("kind") == "landing") & pl.col("g_row").is_not_null())
    at_g = frame.select(*cols, "_first_t", "_seg")[land["g_row"]]
    land = (
        land.select("query", "g_row")
        .with_columns(at_g.select(_frozen_air(p).alias("_fz"), "_first_t", "_seg"))
        .filter("_fz")
    )
    if land.height == 0:
        return pl.DataFrame(schema=out_schema)
    # the rest of the ground run (``_seg`` is sorted: its end by binary search)
    seg_end = frame["_seg"].search_sorted(land["_seg"], side="right")
    rows = (
        land.select(
            "query",
            _r=pl.int_ranges(
                pl.col("g_row") + 1,
                pl.min_horizontal(pl.col("g_row") + 1 + _FROZEN_SEARCH_ROWS, pl.lit(seg_end)),
                dtype=pl.UInt32,
            ),
        )
        .explode("_r")
        .drop_nulls("_r")
    )
    cand = frame.select(*cols, "time")[rows["_r"]]
    fresh = (
        pl.concat([rows, cand], how="horizontal")
        .filter(~_frozen_air(p))
        .group_by("query")
        .agg(pl.col("time").first().alias("fresh_t"))
    )
    return (
        land.select("query", g_frozen_t="_first_t")
        .join(fresh, on="query", how="left")
        .select([pl.col(c).cast(t) for c, t in out_schema.items()])
    )


def build_events(
    frame: pl.DataFrame, segs: pl.DataFrame, params: DetectionParams, index: AirportIndex
) -> pl.DataFrame:
    """Events (EVENTS schema) for every flight end and touch-and-go."""
    p = params
    air = segs.filter(~pl.col("ground"))
    ends = pl.concat(
        [
            air.select(
                "_seg",
                "icao24",
                "callsign",
                kind=pl.lit("takeoff"),
                a_row=pl.col("r0"),
                g_row=pl.when(pl.col("prev_ground")).then(pl.col("r0") - 1),
                other_t=pl.col("prev_t1"),
            ),
            air.select(
                "_seg",
                "icao24",
                "callsign",
                kind=pl.lit("landing"),
                a_row=pl.col("r1"),
                g_row=pl.when(pl.col("next_ground")).then(pl.col("r1") + 1),
                other_t=pl.col("next_t0"),
            ),
        ]
    ).sort("icao24", "a_row", "kind")
    pts = ["time", "lat", "lon", "alt_ft", "alt_msl_ft", "course_deg", "vrate_fpm", "gs_kt"]
    a = frame[ends["a_row"]].select(pts)
    # A flight's last airborne state may be a feed's stale repeat: it was last
    # *reported* new at its first report (see clean), and the landing follows that.
    last_new = frame["_first_t"].gather(ends["a_row"])
    a = a.with_columns(time=pl.when(ends["kind"] == "landing").then(last_new).otherwise(a["time"]))
    ground_rows = ends["g_row"].fill_null(ends["a_row"])
    g = frame[ground_rows].select(pts)
    ends = ends.with_row_index("query").with_columns(
        pl.col("query").cast(pl.UInt32),
        a_time=a["time"],
        a_lat=a["lat"],
        a_lon=a["lon"],
        a_alt=a["alt_ft"],
        a_gs=a["gs_kt"],
        g_time=pl.when(pl.col("g_row").is_not_null()).then(g["time"]),
        g_lat=g["lat"],
        g_lon=g["lon"],
        g_alt=g["alt_ft"],
        g_gs=g["gs_kt"],
    )
    # Airports from the ground position (only rows that have one).
    has_g = ends.filter(pl.col("g_row").is_not_null())
    onap = on_airport(has_g.select(lat="g_lat", lon="g_lon"), index, p)
    onap = onap.with_columns(
        query=has_g["query"][onap["query"]] if onap.height else pl.col("query")
    )
    best_g = _rank(onap, "dist_km").rename(
        {"airport": "g_airport", "d": "g_dist", "runner_up": "g_ru", "margin": "g_margin"}
    )
    # Alignment of the airborne position, for each end's kind.
    parts = []
    for kind in ("takeoff", "landing"):
        sub = ends.filter(pl.col("kind") == kind)
        al = aligned(
            a.filter(ends["kind"] == kind).select(
                "lat", "lon", pl.col("alt_msl_ft").alias("alt_ft"), "course_deg", "vrate_fpm"
            ),
            kind,
            index,
            p,
        )
        if al.height:
            al = al.with_columns(query=sub["query"][al["query"]])
            parts.append(al)
    al_all = (
        pl.concat(parts)
        if parts
        else aligned(
            a.head(0).select("lat", "lon", "alt_ft", "course_deg", "vrate_fpm"), "landing", index, p
        )
    )
    best_a = _rank(al_all.with_columns(s=pl.col("score")), "s").rename(
        {"airport": "a_airport", "d": "a_score", "runner_up": "a_ru", "margin": "a_margin"}
    )
    al_first = al_all.unique("query", keep="first", maintain_order=True).select(
        "query",
        pl.col("runway").alias("a_runway"),
        pl.col("dist_km").alias("a_dist"),
        pl.col("height_ft").alias("a_height"),
    )
    ends = (
        ends.join(best_g, on="query", how="left")
        .join(best_a, on="query", how="left")
        .join(al_first, on="query", how="left")
        .join(frozen_touchdowns(frame, ends, p), on="query", how="left")
    )
    # Runway seen from the positions next to an observed transition.
    rw_pts = pl.concat(
        [
            ends.select("query", lat="a_lat", lon="a_lon", course_deg=a["course_deg"]),
            ends.select("query", lat="g_lat", lon="g_lon", course_deg=g["course_deg"]),
        ]
    )
    rw = runway_for(rw_pts.select("lat", "lon", "course_deg"), index, 0.25, 20.0)
    rw = rw.with_columns(query=rw_pts["query"][rw["query"]]).unique("query", keep="first")
    ends = ends.join(
        rw.rename({"airport": "rw_airport", "runway": "rw_runway"}), on="query", how="left"
    )
    # None-events: the candidate airports ahead of a landing (within 90° of the course)
    # or behind a take-off, nearest first; all around when the course is unknown. One
    # within 5 km is "here", whatever its bearing.
    cands = nearest_airports(
        ends.select(lat="a_lat", lon="a_lon"), index, p.candidates_km, 8 * p.candidates_k
    )
    way = ends.select(
        "query",
        _course=a["course_deg"].cast(pl.Float64)
        + pl.when(pl.col("kind") == "takeoff").then(180.0).otherwise(0.0),
    )
    cands = (
        cands.join(way, on="query", how="left")
        .filter(
            (
                angle_diff_deg(pl.col("bearing_deg").cast(pl.Float64), pl.col("_course")) <= 90.0
            ).fill_null(True)
            | (pl.col("distance_km") <= 5.0)
        )
        .drop("_course")
        .group_by("query", maintain_order=True)
        .head(p.candidates_k)
    )
    cand_lists = cands.group_by("query", maintain_order=True).agg(
        pl.struct(pl.col("airport"), pl.col("distance_km"), pl.col("bearing_deg")).alias(
            "candidates"
        )
    )
    ends = ends.join(cand_lists, on="query", how="left")
    ev = evidence(frame, ends, p.evidence_points, p.stop_gap_s)
    ends = ends.join(ev, on="query", how="left")

    rows: list[dict[str, Any]] = []
    elev_cache: dict[str, float | None] = {}
    # The loop per event sees scalars only: the nested candidates/evidence lists are
    # joined back afterwards (converting them to Python and back cost more than the rest).
    first = pl.col("candidates").list.first().struct
    scalars = ends.with_columns(
        c0_airport=first.field("airport"),
        c0_distance_km=first.field("distance_km"),
        c0_bearing_deg=first.field("bearing_deg"),
    ).drop("candidates", "evidence")
    for r in scalars.iter_rows(named=True):
        rows.append(_decide(r, p, index, elev_cache))
    schema = pl.Schema({**EVENTS, "_seg": pl.UInt32()})
    nested = {"candidates", "evidence"}
    flat = pl.Schema({c: t for c, t in schema.items() if c not in nested} | {"query": pl.UInt32()})
    events = (
        pl.DataFrame(rows, schema=flat, strict=False)
        .join(
            ends.select("query", "candidates", "evidence"),
            on="query",
            how="left",
            maintain_order="left",
        )
        .select(list(schema))
        .cast(schema)
    )
    tg = touch_and_goes(frame, segs, p, index)
    if tg.height:
        events = pl.concat([events, tg.select(list(schema))], how="vertical")
    return events.sort("icao24", "time", "kind")


def _where_on(airport: str, dist_km: float | None, index: AirportIndex) -> str:
    """Where on the airport a ground position lies, as the reason says it: the distance
    to the nearest runway, or to the reference point of an airport whose runways the
    reference data does not place (the only measure there is)."""
    if not index.has_runways(airport):
        return f"{dist_km or 0.0:.1f} km from its reference point; no runway data"
    return f"{dist_km:.1f} km from a runway" if dist_km else "on a runway"


def _decide(
    r: dict[str, Any], p: DetectionParams, index: AirportIndex, elev: dict[str, float | None]
) -> dict[str, Any]:
    kind = r["kind"]
    takeoff = kind == "takeoff"
    out: dict[str, Any] = {
        "_seg": r["_seg"],
        "icao24": r["icao24"],
        "callsign": r["callsign"],
        "kind": kind,
        "query": r["query"],
        "runway": None,
        "runner_up": None,
        "runner_up_margin_km": None,
        "airport": None,
    }
    a_time, g_time = r["a_time"], r["g_time"]
    alt = r["a_alt"]
    alt_txt = "unknown altitude" if alt is None else f"{alt:,.0f} ft"
    gap = abs((a_time - g_time).total_seconds()) if g_time is not None else 0.0
    reach = (
        r["g_row"] is not None
        and r["g_airport"] is not None
        and (gap <= p.observed_max_gap_s or _km(r) <= p.gap_reach_km)
    )
    if reach:
        observed = gap <= p.observed_max_gap_s
        rw = r["rw_runway"] if r["rw_airport"] == r["g_airport"] else None
        out.update(
            airport=r["g_airport"],
            runway=rw,
            runner_up=r["g_ru"],
            runner_up_margin_km=r["g_margin"],
            distance_km=r["g_dist"],
            confidence="observed" if observed else "inferred",
            lat=r["g_lat"],
            lon=r["g_lon"],
            alt_ft=r["g_alt"],
            # Across a gap the event time is the airborne bound; the other is kept.
            time=a_time if (takeoff or not observed) else g_time,
            time_earliest=g_time if takeoff else a_time,
            time_latest=a_time if takeoff else g_time,
        )
        where = _where_on(r["g_airport"], r["g_dist"], index)
        if not takeoff and _froze_on_final(r, a_time, p):
            out.update(_frozen_landing(r, a_time, where))
        elif observed:
            out["reason"] = (
                f"on the ground at {r['g_airport']} ({where}), "
                f"{'airborne' if takeoff else 'landed'} {gap:.0f} s "
                f"{'later' if takeoff else 'after the last airborne position'}"
            )
        else:
            out["reason"] = (
                f"seen on the ground at {r['g_airport']}; the transition fell in a "
                f"{gap / 60:.0f} min signal gap"
            )
        return out
    out.update(lat=r["a_lat"], lon=r["a_lon"], alt_ft=alt)
    if r["a_airport"] is not None:
        # Signal lost (or found) lined up with a runway, low and close.
        dist = r["a_dist"] or 0.0
        shift = _shift(r)
        t = a_time - shift if takeoff else a_time + shift
        # Within a few hundred feet of the threshold elevation and close: the data
        # shows the aircraft at the runway, not just heading for it.
        at_runway = (
            r["a_height"] is not None
            and r["a_height"] <= p.observed_height_ft
            and dist <= p.observed_dist_km
        )
        out.update(
            airport=r["a_airport"],
            runway=r["a_runway"],
            runner_up=r["a_ru"],
            runner_up_margin_km=r["a_margin"],
            distance_km=dist,
            confidence="observed" if at_runway else "inferred",
            time=t,
            time_earliest=r["other_t"] if takeoff else a_time,
            time_latest=a_time if takeoff else r["other_t"],
            reason=(
                f"{'first' if takeoff else 'last'} seen at {alt_txt}, "
                f"{r['a_height']:,.0f} ft above and {dist:.1f} km "
                f"{'past' if takeoff else 'before'} runway {r['a_runway']} of "
                f"{r['a_airport']}, lined up with it"
            ),
        )
        return out
    if r["c0_airport"] is not None:
        side = _compass((r["c0_bearing_deg"] + 180) % 360)
        where = f"{r['c0_distance_km']:.0f} km {side} of {r['c0_airport']}"
    else:
        where = f"no airport within {p.candidates_km:.0f} km {'behind' if takeoff else 'ahead'}"
    # The ground run touches this end in the data (no signal gap between them).
    adjacent = r["g_row"] is not None and gap <= p.observed_max_gap_s
    if r["g_row"] is not None and (r["g_airport"] is not None or not adjacent):
        # Seen on the ground, but across a gap too long and too far from the airborne
        # end to claim that airport: say both, claim neither.
        state = "entered coverage" if takeoff else "left coverage"
        seen = "last seen" if takeoff else "next seen"
        ground = f"at {r['g_airport']}" if r["g_airport"] else "away from any known runway"
        reason = (
            f"{state} at {alt_txt}, {where}; {seen} on the ground {ground} "
            f"{gap / 3600:.0f} h {'earlier' if takeoff else 'later'}, {_km(r):.0f} km away"
        )
    elif r["g_row"] is not None:
        reason = f"on the ground away from any known runway ({where})"
    elif takeoff:
        reason = f"entered coverage at {alt_txt}, {where}"
    else:
        reason = f"left coverage at {alt_txt}, {where}"
    out.update(
        confidence="none",
        distance_km=r["c0_distance_km"],
        # A landing is timed on the ground only when the ground run follows without a
        # gap; across a gap it is when the aircraft was last seen airborne (the ground
        # sighting, maybe days later, bounds it in ``time_latest``).
        time=r["g_time"] if (adjacent and not takeoff) else a_time,
        time_earliest=r["other_t"] if takeoff else a_time,
        time_latest=a_time if takeoff else r["other_t"],
        reason=reason,
    )
    return out


def _shift(r: dict[str, Any]) -> timedelta:
    """Flying time from the airborne end to its runway's threshold (``a_dist``, ``a_gs``)."""
    gs = r["a_gs"] or 140.0
    return timedelta(seconds=3600.0 * (r["a_dist"] or 0.0) / (max(gs, 60.0) * 1.852))


def _froze_on_final(r: dict[str, Any], a_time: datetime, p: DetectionParams) -> bool:
    """The landing's first ground row is a frozen airborne report, reached in flight:
    its position first reported by the last airborne row or within ``speed_baseline_s``
    of it, or reached from it at ``flying_speed_kt`` or more.

    A parked aircraft whose feed repeats a stale speed (Paris GAC443Y at Le Bourget,
    82-101 kt) is also held still, fast and flag-clear; when coverage missed its
    approach's last 500 ft and its roll, its parking spot follows the approach after
    minutes, at a walking pace: that is no frozen final.
    """
    frozen = r["g_frozen_t"]
    if frozen is None:
        return False
    hop_s = (frozen - a_time).total_seconds()
    if hop_s <= p.speed_baseline_s:
        # seconds after a flying report (or by it): a hop that short is too noisy to
        # measure a speed on, and too short to stop and park
        return True
    return bool(_km(r) / 1.852 / (hop_s / 3600.0) >= p.flying_speed_kt)


def _frozen_landing(r: dict[str, Any], a_time: datetime, where: str) -> dict[str, Any]:
    """Time, upper bound and reason of a landing whose first ground row is a frozen
    airborne report (:func:`frozen_touchdowns`).

    The touchdown is timed as a landing lost on final would be: the last airborne
    position plus the flight to the threshold of the runway it is lined up with, kept
    between the frozen position's first report and the ground sighting that confirms
    it. Not lined up with a runway of that airport, it is timed at that first report.
    The reason does not name the confirming sighting: live may emit the event before
    that sighting comes.
    """
    frozen, fresh = r["g_frozen_t"], r["fresh_t"]
    t = frozen
    if r["a_airport"] == r["g_airport"] and r["a_dist"] is not None:
        t = max(frozen, a_time + _shift(r))
    if fresh is not None:
        t = min(t, fresh)
    gs = f"{r['g_gs']:.0f} kt" if r["g_gs"] is not None else "flying speed"
    return {
        "time": t,
        # only a ground sighting bounds it (the frozen repeats prove nothing)
        "time_latest": fresh,
        "reason": (
            f"at {r['g_airport']} ({where}); touchdown not seen: the position froze on "
            f"final at {frozen:%H:%M:%S} ({gs}, not on the ground)"
        ),
    }


def _km(r: dict[str, Any]) -> float:
    """Distance (km) between the ground and airborne positions of an end."""
    from tailwatch.reference.airports import haversine_km

    return float(haversine_km(r["g_lat"], r["g_lon"], r["a_lat"], r["a_lon"]))


def touch_and_goes(
    frame: pl.DataFrame, segs: pl.DataFrame, p: DetectionParams, index: AirportIndex
) -> pl.DataFrame:
    """One event per touch-and-go run (short, fast ground contact between airborne runs)."""
    runs = (
        frame.filter(pl.col("touch_and_go").is_not_null())
        .group_by("touch_and_go")
        .agg(
            pl.col("icao24").first(),
            pl.col("callsign").drop_nulls().last(),
            pl.col("_row").first().alias("r0"),
            pl.col("_row").last().alias("r1"),
            pl.col("time").first(),
            pl.col("time").last().alias("t1"),
            pl.col("lat").first(),
            pl.col("lon").first(),
            pl.col("alt_ft").first(),
            pl.col("course_deg").first(),
            pl.col("_seg").first(),
        )
        .sort("icao24", "time")
    )
    if runs.height == 0:
        return pl.DataFrame(schema=EVENTS)
    onap = _rank(on_airport(runs.select("lat", "lon"), index, p), "dist_km")
    rw = runway_for(runs.select("lat", "lon", "course_deg"), index, 0.25, 20.0)
    runs = runs.with_row_index("query").with_columns(pl.col("query").cast(pl.UInt32))
    runs = runs.join(onap, on="query", how="left").join(
        rw.rename({"airport": "rw_airport"}), on="query", how="left"
    )
    ev = evidence(
        frame,
        runs.select("query", a_row=pl.col("r0"), g_row=pl.col("r1"), kind=pl.lit("touch_and_go")),
        p.evidence_points,
        p.stop_gap_s,
    )
    runs = runs.drop("_seg_right", strict=False)
    runs = runs.join(ev, on="query", how="left")
    # A "touch-and-go" away from a runway is a flag flicker, not an event.
    runs = runs.filter(
        pl.col("airport").is_not_null() & (pl.col("rw_airport") == pl.col("airport"))
    )
    return runs.select(
        event_id=pl.lit(None, pl.String),
        flight_id=pl.lit(None, pl.String),
        icao24="icao24",
        callsign="callsign",
        kind=pl.lit("touch_and_go"),
        time="time",
        time_earliest="time",
        time_latest="t1",
        airport="airport",
        runway=pl.when(pl.col("rw_airport") == pl.col("airport")).then(pl.col("runway")),
        confidence=pl.when(pl.col("airport").is_not_null())
        .then(pl.lit("observed"))
        .otherwise(pl.lit("none")),
        runner_up="runner_up",
        runner_up_margin_km="margin",
        lat="lat",
        lon="lon",
        alt_ft="alt_ft",
        distance_km="d",
        candidates=pl.lit(None, CANDIDATES),
        evidence="evidence",
        reason=pl.lit("brief fast ground contact between two airborne runs"),
        _seg="_seg",
    ).select([pl.col(c).cast(t) for c, t in {**EVENTS, "_seg": pl.UInt32()}.items()])


__all__ = ["build_events", "frozen_touchdowns", "stable_id", "touch_and_goes"]
