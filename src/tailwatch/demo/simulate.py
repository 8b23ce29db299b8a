"""Simulate an ADS-B recording of the seed story (see :mod:`tailwatch.demo.scenario`).

How a flight is made, all with numpy arrays (no loop per position):

1. a *path*: the departure runway threshold, 12 km out on the runway heading, a great
   circle to a fix 25 km out on the arrival runway's extended centreline, the threshold,
   the roll-out; densified every 100 m;
2. an *altitude* per path point: ``min(climb, descent, cruise)`` where the climb is
   ~330 ft/km below 10,000 ft (2,500 ft/min at 250 kt) and ~150 ft/km above, and the
   descent a 3° path (~172 ft/km) down to the touchdown point 300 m past the threshold;
3. a *speed* per point: take-off roll accelerating to 150 kt, 250 kt below 10,000 ft,
   up to the cruise speed above, slowing to 135 kt at touchdown, roll-out to 20 kt;
4. time = cumulative ``distance / speed``; then the ground parts (taxi at 15 kt between
   the stand and the runway, parked on the stand with the transponder off after a few
   minutes);
5. *sampling*: random gaps of 0.8-4 s, interpolated; positions kept only within radio
   range of a receiver (radio horizon, capped at 350 km), so the cruise over the sea
   has gaps; a few % lost at random; noise on position, 25-ft altitude steps, no
   barometric altitude on the ground (as surface position messages).

Runways are the real thresholds and headings from the airport index; the runway in
use is the one most into the scenario's wind. A fixed seed makes the output identical
on every run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.demo.scenario import SEED, SOURCE, Fix, Flight, Scenario
from tailwatch.reference.airports import EARTH_RADIUS_KM, AirportIndex, bearing_deg, haversine_km

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Arr = NDArray[np.float64]

KT_MS = 1852.0 / 3600.0
FT_PER_KM_3DEG = 1000.0 * 3.28084 * np.tan(np.radians(3.0))  # ~172 ft per km
ROLL_M = 1200.0  # take-off roll to lift-off
TOUCHDOWN_M = 300.0  # touchdown point past the threshold
ROLLOUT_M = 1500.0
TAXI_KT = 15.0
HOLD_S = 40.0  # lined up on the runway before the roll


@dataclass(frozen=True)
class Runway:
    airport: str
    ident: str
    lat: float
    lon: float
    elevation_ft: float
    heading_deg: float


@dataclass(frozen=True)
class Track:
    """Dense truth of one segment: time (s, relative), position and state."""

    t: Arr
    lat: Arr
    lon: Arr
    alt: Arr  # NaN on the ground
    gs: Arr
    on_ground: NDArray[np.bool_]

    def shifted(self, dt: float) -> Track:
        return Track(self.t + dt, self.lat, self.lon, self.alt, self.gs, self.on_ground)

    @property
    def duration(self) -> float:
        return float(self.t[-1] - self.t[0])


def destination(lat: float, lon: float, brg: float, dist_km: float) -> tuple[float, float]:
    """The point ``dist_km`` from (lat, lon) on initial bearing ``brg`` (spherical)."""
    p1, l1, b, d = np.radians(lat), np.radians(lon), np.radians(brg), dist_km / EARTH_RADIUS_KM
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return float(np.degrees(p2)), float((np.degrees(l2) + 540.0) % 360.0 - 180.0)


def _densify(points: list[tuple[float, float]], step_km: float = 0.1) -> tuple[Arr, Arr]:
    """Great-circle interpolation through ``points``, one point every ``step_km``."""
    lats: list[Arr] = []
    lons: list[Arr] = []
    for (la1, lo1), (la2, lo2) in itertools.pairwise(points):
        d = float(haversine_km(la1, lo1, la2, lo2))
        n = max(int(np.ceil(d / step_km)), 1)
        f = np.arange(n) / n
        a = np.radians([la1, lo1, la2, lo2])
        v1 = np.array([np.cos(a[0]) * np.cos(a[1]), np.cos(a[0]) * np.sin(a[1]), np.sin(a[0])])
        v2 = np.array([np.cos(a[2]) * np.cos(a[3]), np.cos(a[2]) * np.sin(a[3]), np.sin(a[2])])
        omega = np.arccos(np.clip(v1 @ v2, -1.0, 1.0))
        if omega < 1e-12:
            v = np.repeat(v1[None, :], n, axis=0)
        else:
            v = (np.sin((1 - f) * omega)[:, None] * v1 + np.sin(f * omega)[:, None] * v2) / np.sin(
                omega
            )
        lats.append(np.degrees(np.arcsin(np.clip(v[:, 2], -1.0, 1.0))))
        lons.append(np.degrees(np.arctan2(v[:, 1], v[:, 0])))
    lats.append(np.array([points[-1][0]]))
    lons.append(np.array([points[-1][1]]))
    return np.concatenate(lats), np.concatenate(lons)


def _path_s(lat: Arr, lon: Arr) -> Arr:
    return np.concatenate([[0.0], np.cumsum(haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]))])


def pick_runway(index: AirportIndex, icao: str, wind_from_deg: float) -> Runway:
    """The runway end most into the wind (landing and taking off into it)."""
    ends = index.runway_ends(icao).filter(~pl.col("closed") & pl.col("lat").is_not_null())
    if ends.height == 0:
        msg = f"no runway ends known for {icao}"
        raise ValueError(msg)
    diff = ((pl.col("heading_deg") - wind_from_deg + 540.0) % 360.0 - 180.0).abs()
    row = ends.with_columns(_d=diff).sort("_d", "ident").row(0, named=True)
    return Runway(
        icao,
        row["ident"],
        row["lat"],
        row["lon"],
        float(row["elevation_ft"] or 0.0),
        float(row["heading_deg"]),
    )


def fly(start: Runway | Fix, end: Runway | Fix, cruise_ft: float, cruise_kt: float) -> Track:
    """An airborne leg (with take-off roll and landing roll-out when ends are runways)."""
    pts: list[tuple[float, float]] = []
    if isinstance(start, Runway):
        pts += [(start.lat, start.lon), destination(start.lat, start.lon, start.heading_deg, 12.0)]
    else:
        pts.append((start.lat, start.lon))
    if isinstance(end, Runway):
        faf = destination(end.lat, end.lon, end.heading_deg + 180.0, 25.0)
        out = destination(end.lat, end.lon, end.heading_deg, (TOUCHDOWN_M + ROLLOUT_M) / 1000)
        pts += [faf, (end.lat, end.lon), out]
    else:
        pts.append((end.lat, end.lon))
    lat, lon = _densify(pts)
    s = _path_s(lat, lon)  # km
    total = s[-1]
    inf = np.full_like(s, np.inf)

    if isinstance(start, Runway):
        x = np.maximum(s - ROLL_M / 1000, 0.0)
        to_10k = max((10000.0 - start.elevation_ft) / 330.0, 0.0)
        climb = np.where(x < to_10k, start.elevation_ft + 330.0 * x, 10000.0 + 150.0 * (x - to_10k))
        a = (150.0 * KT_MS) ** 2 / (2 * ROLL_M)
        v_start = np.where(
            s * 1000 < ROLL_M,
            np.maximum(np.sqrt(2 * a * s * 1000) / KT_MS, 5.0),
            150.0 + 15.0 * (s - ROLL_M / 1000),
        )
        ground_start = s * 1000 < ROLL_M
    else:
        climb = start.altitude_ft + 150.0 * s
        v_start, ground_start = inf, np.zeros_like(s, dtype=bool)

    if isinstance(end, Runway):
        s_td = total - ROLLOUT_M / 1000
        d = s_td - s
        descent = end.elevation_ft + FT_PER_KM_3DEG * np.maximum(d, 0.0)
        b = (135.0**2 - 20.0**2) * KT_MS**2 / (2 * ROLLOUT_M)
        after = np.maximum(-d, 0.0) * 1000
        v_end = np.where(
            d > 0,
            135.0 + 8.0 * d,
            np.sqrt(np.maximum((135.0 * KT_MS) ** 2 - 2 * b * after, (20 * KT_MS) ** 2)) / KT_MS,
        )
        ground_end = d <= 0
    else:
        descent = end.altitude_ft + 150.0 * (total - s)
        v_end, ground_end = inf, np.zeros_like(s, dtype=bool)

    alt = np.minimum(np.minimum(climb, descent), cruise_ft)
    span = max(cruise_ft - 10000.0, 1.0)
    v_alt = np.where(alt < 10000.0, 250.0, 250.0 + (alt - 10000.0) / span * (cruise_kt - 250.0))
    gs = np.minimum(np.minimum(v_alt, v_start), v_end)
    on_ground = ground_start | ground_end
    v_mid = (gs[:-1] + gs[1:]) / 2 * KT_MS
    t = np.concatenate([[0.0], np.cumsum(np.diff(s) * 1000 / v_mid)])
    return Track(t, lat, lon, np.where(on_ground, np.nan, alt), gs, on_ground)


def taxi(points: list[tuple[float, float]], speed_kt: float = TAXI_KT) -> Track:
    """Taxi at constant speed along ``points`` (on the ground)."""
    lat, lon = _densify(points, step_km=0.02)
    s = _path_s(lat, lon)
    t = s * 1000 / (speed_kt * KT_MS)
    n = lat.size
    return Track(t, lat, lon, np.full(n, np.nan), np.full(n, speed_kt), np.ones(n, dtype=bool))


def park(lat: float, lon: float, seconds: float) -> Track:
    """Stationary on the stand."""
    t = np.array([0.0, max(seconds, 0.0)])
    two = np.ones(2)
    return Track(t, lat * two, lon * two, np.full(2, np.nan), 0 * two, np.ones(2, dtype=bool))


def _stand(index: AirportIndex, icao: str) -> tuple[float, float]:
    ap = index.airport(icao)
    if ap is None:
        msg = f"unknown airport {icao}"
        raise ValueError(msg)
    return float(ap["lat"]), float(ap["lon"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Timeline:
    """Segments laid end to end, plus the windows when the transponder is off."""

    track: Track
    off: list[tuple[float, float]]


def _join(segments: list[Track]) -> Track:
    out: list[Track] = []
    t0 = 0.0
    for seg in segments:
        out.append(seg.shifted(t0 - seg.t[0]))
        t0 += seg.duration + 1.0  # one second between segments keeps time increasing
    return Track(
        np.concatenate([s.t for s in out]),
        np.concatenate([s.lat for s in out]),
        np.concatenate([s.lon for s in out]),
        np.concatenate([s.alt for s in out]),
        np.concatenate([s.gs for s in out]),
        np.concatenate([s.on_ground for s in out]),
    )


@dataclass(frozen=True)
class Simulation:
    """A simulated recording and the truth it was made from."""

    positions: pl.DataFrame  # POSITIONS schema
    truth: pl.DataFrame  # one row per flight: what detection should find
    scenario: Scenario


def _watched_timeline(
    sc: Scenario, index: AirportIndex
) -> tuple[_Timeline, list[dict[str, object]]]:
    rw = {a: pick_runway(index, a, sc.wind_from_deg[a]) for a in set(sc.route)}
    stands = {a: _stand(index, a) for a in set(sc.route)}
    legs = [
        fly(rw[a], rw[b], sc.cruise_ft[i], sc.cruise_kt)
        for i, (a, b) in enumerate(zip(sc.route[:-1], sc.route[1:], strict=True))
    ]

    def taxi_out(a: str) -> Track:
        return taxi([stands[a], (rw[a].lat, rw[a].lon)])

    def taxi_in(a: str, leg: Track) -> Track:
        return taxi([(float(leg.lat[-1]), float(leg.lon[-1])), stands[a]])

    def liftoff(leg: Track) -> float:
        return float(leg.t[np.argmax(~leg.on_ground)])

    def touchdown(leg: Track) -> float:
        return float(leg.t[len(leg.t) - np.argmax(~leg.on_ground[::-1])])

    warm = sc.warm_up.total_seconds()
    segs: list[Track] = [park(*stands[sc.route[0]], warm), taxi_out(sc.route[0])]
    segs.append(park(rw[sc.route[0]].lat, rw[sc.route[0]].lon, HOLD_S))
    off: list[tuple[float, float]] = []
    events: list[tuple[str, int]] = []  # (kind, index of the leg segment)
    for i, leg in enumerate(legs):
        events.append(("leg", len(segs)))
        segs.append(leg)
        dest = sc.route[i + 1]
        segs.append(taxi_in(dest, leg))
        if i + 1 < len(legs):
            nxt = legs[i + 1]
            out = taxi_out(dest)
            fixed = (
                (leg.t[-1] - touchdown(leg))
                + segs[-1].duration
                + out.duration
                + HOLD_S
                + liftoff(nxt)
                + 5.0  # the one-second joins between segments
            )
            segs.append(park(*stands[dest], sc.ground_times[i].total_seconds() - fixed))
            segs += [out, park(rw[dest].lat, rw[dest].lon, HOLD_S)]
        else:
            segs.append(park(*stands[dest], sc.parked_on.total_seconds()))
    # absolute offsets of each segment in the joined timeline
    offsets = np.cumsum([0.0] + [s.duration + 1.0 for s in segs[:-1]])
    truth: list[dict[str, object]] = []
    for i, (_, k) in enumerate(events):
        leg = segs[k]
        a, b = sc.route[i], sc.route[i + 1]
        truth.append(
            {
                "icao24": sc.icao24,
                "callsign": sc.callsign,
                "takeoff_airport": a,
                "takeoff_runway": rw[a].ident,
                "takeoff_s": offsets[k] + liftoff(leg),
                "landing_airport": b,
                "landing_runway": rw[b].ident,
                "landing_s": offsets[k] + touchdown(leg),
            }
        )
        # transponder off on the stand after the landing, back on before taxiing
        if i + 1 < len(events):
            p = k + 2  # leg, taxi-in, park
            t_park = offsets[p]
            off.append((t_park + sc.parked_on.total_seconds(), t_park + segs[p].duration - warm))
    return _Timeline(_join(segs), off), truth


def _background_track(
    fl: Flight, sc: Scenario, index: AirportIndex
) -> tuple[Track, dict[str, object]]:
    start = (
        pick_runway(index, fl.origin, sc.wind_from_deg[fl.origin])
        if isinstance(fl.origin, str)
        else fl.origin
    )
    end = (
        pick_runway(index, fl.destination, sc.wind_from_deg[fl.destination])
        if isinstance(fl.destination, str)
        else fl.destination
    )
    leg = fly(start, end, fl.cruise_ft, fl.cruise_kt)
    segs: list[Track] = []
    if isinstance(start, Runway):
        stand = _stand(index, start.airport)
        segs += [
            park(*stand, 120.0),
            taxi([stand, (start.lat, start.lon)]),
            park(start.lat, start.lon, HOLD_S),
        ]
    k = len(segs)
    segs.append(leg)
    if isinstance(end, Runway):
        segs += [taxi([(float(leg.lat[-1]), float(leg.lon[-1])), _stand(index, end.airport)])]
    offsets = np.cumsum([0.0] + [s.duration + 1.0 for s in segs[:-1]])
    lift = (
        offsets[k] + float(leg.t[np.argmax(~leg.on_ground)]) if isinstance(start, Runway) else None
    )
    td = (
        offsets[k] + float(leg.t[len(leg.t) - np.argmax(~leg.on_ground[::-1])])
        if isinstance(end, Runway)
        else None
    )
    truth = {
        "icao24": fl.icao24,
        "callsign": fl.callsign,
        "takeoff_airport": start.airport if isinstance(start, Runway) else None,
        "takeoff_runway": start.ident if isinstance(start, Runway) else None,
        "takeoff_s": lift,
        "landing_airport": end.airport if isinstance(end, Runway) else None,
        "landing_runway": end.ident if isinstance(end, Runway) else None,
        "landing_s": td,
    }
    return _join(segs), truth


def _sample(
    track: Track,
    t0: datetime,
    off: list[tuple[float, float]],
    sc: Scenario,
    rng: np.random.Generator,
) -> dict[str, Arr | NDArray[np.bool_] | NDArray[np.int64]]:
    lo, hi = sc.sample_gap_s
    n_max = int(track.t[-1] / lo) + 2
    t = np.cumsum(rng.uniform(lo, hi, n_max))
    t = t[t <= track.t[-1]]
    keep = rng.random(t.size) >= sc.loss
    for a, b in off:
        keep &= ~((t > a) & (t < b))
    lat = np.interp(t, track.t, track.lat)
    lon = np.interp(t, track.t, track.lon)
    ground = np.interp(t, track.t, track.on_ground.astype(float)) > 0.5
    alt = np.interp(t, track.t, np.nan_to_num(track.alt, nan=0.0))
    gs = np.interp(t, track.t, track.gs)
    # vertical rate and track from the truth's own derivative
    alt_truth = np.nan_to_num(track.alt, nan=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vr_truth = np.gradient(alt_truth, track.t) * 60.0
    vr = np.interp(t, track.t, np.nan_to_num(vr_truth))
    nxt = np.minimum(np.searchsorted(track.t, t, side="right"), track.t.size - 1)
    prv = np.maximum(nxt - 1, 0)
    trk = bearing_deg(track.lat[prv], track.lon[prv], track.lat[nxt], track.lon[nxt])
    # coverage: inside some receiver's radio horizon (altitude above sea level)
    height_m = np.maximum(alt, 0.0) / 3.28084 + 3.0
    heard = np.zeros(t.size, dtype=bool)
    for rx in sc.receivers:
        horizon = 4.12 * (np.sqrt(height_m) + np.sqrt(rx.antenna_m))
        heard |= haversine_km(lat, lon, rx.lat, rx.lon) <= np.minimum(horizon, rx.max_range_km)
    keep &= heard
    n = int(keep.sum())
    base = np.datetime64(t0.replace(tzinfo=None), "us")
    return {
        "time": base + (t[keep] * 1e6).astype("timedelta64[us]"),
        "lat": lat[keep] + rng.normal(0, 3e-5, n),
        "lon": lon[keep] + rng.normal(0, 3e-5, n),
        "alt": np.where(ground[keep], np.nan, np.round(alt[keep] / 25.0) * 25.0),
        "gs": np.maximum(np.round(gs[keep] + rng.normal(0, 0.5, n)), 0.0),
        "trk": np.where(gs[keep] > 1.0, np.round(trk[keep], 1), np.nan),
        "vr": np.where(ground[keep], 0.0, np.round(vr[keep] / 64.0) * 64.0),
        "ground": ground[keep],
    }


def simulate(scenario: Scenario = SEED, index: AirportIndex | None = None) -> Simulation:
    """Generate the scenario's recording (deterministic for a given ``scenario.seed``)."""
    ix = index or AirportIndex.default()
    rng = np.random.default_rng(scenario.seed)
    sc = scenario
    tl, truth = _watched_timeline(sc, ix)
    # place the timeline so the anchor touchdown happens at the anchor time
    anchor_s = float(truth[sc.anchor_index - 1]["landing_s"])  # type: ignore[arg-type]
    t0 = sc.anchor_time - timedelta(seconds=anchor_s)
    tracks: list[tuple[str, str, Track, datetime, list[tuple[float, float]]]] = [
        (sc.icao24, sc.callsign, tl.track, t0, tl.off)
    ]
    rows: list[dict[str, object]] = [{**r, "t0": t0} for r in truth]
    for fl in sc.background:
        tr, tru = _background_track(fl, sc, ix)
        tracks.append((fl.icao24, fl.callsign, tr, fl.start, []))
        rows.append({**tru, "t0": fl.start})

    frames = []
    for icao24, callsign, track, start, off in tracks:
        smp = _sample(track, start, off, sc, rng)
        n = len(smp["time"])
        frames.append(
            pl.DataFrame(
                {
                    "time": pl.Series(smp["time"]).dt.replace_time_zone("UTC"),
                    "icao24": [icao24] * n,
                    "callsign": [callsign] * n,
                    "lat": smp["lat"],
                    "lon": smp["lon"],
                    "alt_baro_ft": smp["alt"],
                    "gs_kt": smp["gs"],
                    "track_deg": smp["trk"],
                    "vrate_fpm": smp["vr"],
                    "on_ground": smp["ground"],
                }
            )
        )
    pos = pl.concat(frames).with_columns(
        pl.col("alt_baro_ft", "track_deg").fill_nan(None),
        alt_geom_ft=(pl.col("alt_baro_ft") + 125.0).fill_nan(None),
        squawk=pl.lit("4521"),
        source_format=pl.lit("simulated"),
        source_file=pl.lit(SOURCE),
    )
    pos = pos.select([pl.col(c).cast(t) for c, t in POSITIONS.items()]).sort("time", "icao24")

    def abs_time(col: str) -> pl.Expr:
        return pl.col("t0") + pl.duration(microseconds=(pl.col(col) * 1e6).round().cast(pl.Int64))

    truth_df = pl.DataFrame(rows).select(
        "icao24",
        "callsign",
        "takeoff_airport",
        "takeoff_runway",
        abs_time("takeoff_s").alias("takeoff_time"),
        "landing_airport",
        "landing_runway",
        abs_time("landing_s").alias("landing_time"),
    )
    return Simulation(pos, truth_df, sc)


__all__ = ["Runway", "Simulation", "Track", "fly", "pick_runway", "simulate"]
