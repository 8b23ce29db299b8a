"""Build small POSITIONS frames at real runway coordinates, with answers known by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.reference.airports import AirportIndex

if TYPE_CHECKING:
    from collections.abc import Iterable

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
KM_PER_DEG = 111.195
FT_PER_KM = 3280.84


@dataclass(frozen=True)
class Runway:
    airport: str
    ident: str
    lat: float
    lon: float
    heading: float
    elev: float
    length_km: float


def runway(airport: str, ident: str) -> Runway:
    rw = (
        AirportIndex.default()
        .runway_ends(airport)
        .filter(pl.col("ident") == ident)
        .row(0, named=True)
    )
    return Runway(
        airport,
        ident,
        rw["lat"],
        rw["lon"],
        float(rw["heading_deg"]),
        float(rw["elevation_ft"] or 0.0),
        float(rw["length_ft"] or 8000.0) / FT_PER_KM,
    )


def offset(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """Point ``km`` from (lat, lon) along ``bearing`` (flat-earth, fine for < 100 km)."""
    b = math.radians(bearing)
    dlat = km * math.cos(b) / KM_PER_DEG
    dlon = km * math.sin(b) / (KM_PER_DEG * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


@dataclass
class Point:
    t: datetime
    lat: float
    lon: float
    alt: float | None
    gs: float | None
    track: float | None
    vrate: float | None
    on_ground: bool | None


def held(p: Point, seconds: Iterable[int]) -> list[Point]:
    """``p`` repeated unchanged ``s`` seconds later for each ``s``: a feed re-sending
    its last state."""
    return [replace(p, t=p.t + timedelta(seconds=s)) for s in seconds]


def frame(points: Iterable[Point], icao24: str = "abc123", callsign: str = "TEST1") -> pl.DataFrame:
    rows = [
        {
            "time": p.t,
            "icao24": icao24,
            "callsign": callsign,
            "lat": p.lat,
            "lon": p.lon,
            "alt_baro_ft": p.alt,
            "alt_geom_ft": None,
            "gs_kt": p.gs,
            "track_deg": p.track,
            "vrate_fpm": p.vrate,
            "on_ground": p.on_ground,
            "squawk": None,
            "source_format": "simulated",
            "source_file": "make_traj",
        }
        for p in points
    ]
    return pl.DataFrame(rows, schema=POSITIONS).sort("time")


def parked(rw: Runway, t0: datetime, minutes: float, step_s: float = 10.0) -> list[Point]:
    """Standing on the apron 200 m beside the threshold."""
    lat, lon = offset(rw.lat, rw.lon, rw.heading + 90, 0.2)
    n = int(minutes * 60 / step_s)
    return [
        Point(t0 + timedelta(seconds=i * step_s), lat, lon, None, 0.0, None, 0.0, True)
        for i in range(n)
    ]


def takeoff(rw: Runway, t0: datetime, climb_min: float = 6.0, step_s: float = 5.0) -> list[Point]:
    """Roll from the threshold along the runway, lift off at 60 % of it, climb straight out."""
    pts: list[Point] = []
    t = t0
    # ground roll: 0 -> 140 kt over 0.6 of the runway
    for i in range(8):
        frac = (i + 1) / 8
        lat, lon = offset(rw.lat, rw.lon, rw.heading, 0.6 * rw.length_km * frac**2)
        pts.append(Point(t, lat, lon, None, 140 * frac, rw.heading, 0.0, True))
        t += timedelta(seconds=step_s)
    dist = 0.6 * rw.length_km
    alt = rw.elev
    for _ in range(int(climb_min * 60 / step_s)):
        dist += 160 * 1.852 * step_s / 3600
        alt += 2000 * step_s / 60
        lat, lon = offset(rw.lat, rw.lon, rw.heading, dist)
        pts.append(Point(t, lat, lon, alt, 160.0, rw.heading, 2000.0, False))
        t += timedelta(seconds=step_s)
    return pts


def approach(
    rw: Runway,
    t_end: datetime,
    from_km: float = 25.0,
    step_s: float = 5.0,
    stop_at_ft: float | None = None,
    land: bool = True,
    go_around: bool = False,
    touch_and_go: bool = False,
) -> list[Point]:
    """3° final to the threshold ending at ``t_end``, then rollout / go-around / touch-and-go."""
    speed_kmps = 140 * 1.852 / 3600
    n = int(from_km / speed_kmps / step_s)
    pts: list[Point] = []
    back = (rw.heading + 180) % 360
    for i in range(n, 0, -1):
        d = i * step_s * speed_kmps
        h = d * 1000 * math.tan(math.radians(3)) * 3.28084
        if go_around or touch_and_go:
            h = max(h, 0.0)
        if stop_at_ft is not None and h < stop_at_ft:
            break
        lat, lon = offset(rw.lat, rw.lon, back, d)
        pts.append(
            Point(
                t_end - timedelta(seconds=i * step_s),
                lat,
                lon,
                rw.elev + h,
                140.0,
                rw.heading,
                -750.0,
                False,
            )
        )
    if stop_at_ft is not None:
        return pts
    t = t_end
    if go_around:
        # Level off at 200 ft over the runway and climb away, never touching.
        dist, alt = 0.0, rw.elev + 200
        for _ in range(60):
            lat, lon = offset(rw.lat, rw.lon, rw.heading, dist)
            pts.append(Point(t, lat, lon, alt, 150.0, rw.heading, 1500.0, False))
            dist += 150 * 1.852 * step_s / 3600
            alt += 1500 * step_s / 60
            t += timedelta(seconds=step_s)
        return pts
    if touch_and_go:
        for i in range(4):  # 15-20 s on the runway at ~120 kt
            lat, lon = offset(rw.lat, rw.lon, rw.heading, 0.4 + 0.3 * i)
            pts.append(Point(t, lat, lon, None, 120.0, rw.heading, 0.0, True))
            t += timedelta(seconds=step_s)
        dist, alt = 1.6, rw.elev
        for _ in range(60):
            dist += 150 * 1.852 * step_s / 3600
            alt += 1500 * step_s / 60
            lat, lon = offset(rw.lat, rw.lon, rw.heading, dist)
            pts.append(Point(t, lat, lon, alt, 150.0, rw.heading, 1500.0, False))
            t += timedelta(seconds=step_s)
        return pts
    if land:
        for i in range(12):  # rollout, decelerating to taxi
            frac = (i + 1) / 12
            lat, lon = offset(rw.lat, rw.lon, rw.heading, 0.3 + 1.2 * frac)
            pts.append(Point(t, lat, lon, None, 130 * (1 - frac) + 15, rw.heading, 0.0, True))
            t += timedelta(seconds=step_s)
    return pts


def cruise(
    lat: float,
    lon: float,
    track: float,
    t0: datetime,
    minutes: float,
    alt: float = 35000,
    gs: float = 450,
    step_s: float = 10.0,
) -> list[Point]:
    pts = []
    for i in range(int(minutes * 60 / step_s)):
        la, lo = offset(lat, lon, track, gs * 1.852 * i * step_s / 3600)
        pts.append(Point(t0 + timedelta(seconds=i * step_s), la, lo, alt, gs, track, 0.0, False))
    return pts
