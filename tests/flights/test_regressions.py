"""Regression tests named after what broke, on hand-built trajectories at real runways."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from tests.flights.make_traj import T0, Point, frame, offset, parked, runway

from tailwatch.detect import detect


def _roll(
    rw_airport: str,
    ident: str,
    gs: float,
    n: int,
    *,
    flag: bool | None,
    alt_over_field: float,
    vrate: float = 0.0,
    start_km: float = 1.0,
) -> list[Point]:
    rw = runway(rw_airport, ident)
    pts = []
    for i in range(n):
        km = start_km + i * gs * 1.852 / 3600.0
        lat, lon = offset(rw.lat, rw.lon, rw.heading, km)
        pts.append(
            Point(
                T0 + timedelta(seconds=i),
                lat,
                lon,
                rw.elev + alt_over_field,
                gs,
                rw.heading,
                vrate,
                flag,
            )
        )
    return pts


def test_taxi_flag_flicker_at_the_data_edge_is_not_a_flight() -> None:
    # A taxiing aircraft at 15 kt whose flag reads "airborne" for its first 20 s of
    # data: the edge-of-coverage rule must not turn that into a landing.
    rw = runway("LSZH", "14")
    pts = _roll("LSZH", "14", 15.0, 20, flag=False, alt_over_field=0.0)
    pts += [
        Point(p.t + timedelta(seconds=20), p.lat, p.lon, None, 15.0, rw.heading, 0.0, True)
        for p in _roll("LSZH", "14", 15.0, 60, flag=True, alt_over_field=0.0, start_km=1.1)
    ]
    det = detect(frame(pts))
    assert det.flights.height == 0
    assert det.events.height == 0


def test_fast_flag_flicker_between_ground_runs_on_a_takeoff_roll_is_not_a_flight() -> None:
    # Flag clear for 10 s at 100 kt in the middle of the roll, ground on both sides:
    # not at a coverage edge, so still noise.
    rw = runway("LSZH", "28")
    pts = parked(rw, T0 - timedelta(minutes=10), 9)
    roll = _roll("LSZH", "28", 100.0, 30, flag=True, alt_over_field=0.0, start_km=0.2)
    for i, p in enumerate(roll):
        if 10 <= i < 20:
            p.on_ground = False
        p.gs = 30.0 if i > 25 else p.gs
    det = detect(frame(pts + roll))
    assert det.flights.height == 0


def test_none_candidates_are_ahead_of_a_landing_and_behind_a_takeoff() -> None:
    # Regression: candidates were the nearest airports all around. Flying due west at
    # 12,000 ft from 15 km east of Le Bourget: LFPB/LFPG-area fields lie ahead, and
    # the first airport listed for the lost landing must be west of the last position;
    # for the take-off (entered coverage) the listed airports lie east, behind it.
    rw = runway("LFPB", "27")
    lat, lon = offset(rw.lat, rw.lon, 90.0, 15.0)
    pts = [
        Point(
            T0 + timedelta(seconds=5 * i),
            *offset(lat, lon, 270.0, 0.6 * i),
            12000.0,
            250.0,
            270.0,
            0.0,
            False,
        )
        for i in range(12)
    ]
    ev = detect(frame(pts)).events
    for r in ev.iter_rows(named=True):
        assert r["confidence"] == "none"
        assert r["candidates"]
        for c in r["candidates"]:
            if c["distance_km"] > 5.0:
                # bearing from the aircraft to the airport
                b = c["bearing_deg"]
                west = 180.0 <= b <= 360.0
                assert west if r["kind"] == "landing" else not west, (r["kind"], c)


def _shift(pts: list[Point], ft: float) -> list[Point]:
    return [
        Point(
            p.t,
            p.lat,
            p.lon,
            None if p.alt is None else p.alt + ft,
            p.gs,
            p.track,
            p.vrate,
            p.on_ground,
        )
        for p in pts
    ]


def test_high_qnh_pressure_altitude_does_not_make_a_lost_approach_observed() -> None:
    # Regression: alt_baro_ft is pressure altitude. At QNH ~1029 hPa (Paris, 2021-10-07)
    # it reads ~450 ft low: an approach lost ~460 ft above LFPB's threshold, 2.7 km out,
    # read ~10 ft and was called "observed" (at the runway). The aircraft's own ground
    # stop at LFPB 30 min earlier shows the offset; corrected, it is "inferred".
    from tests.flights.make_traj import approach, takeoff

    from tailwatch.flights.params import DetectionParams

    rw = runway("LFPB", "27")
    ground = [Point(p.t, p.lat, p.lon, rw.elev, 0.0, None, 0.0, True) for p in parked(rw, T0, 10)]
    pts = ground + takeoff(rw, T0 + timedelta(minutes=10))
    pts += approach(rw, T0 + timedelta(minutes=40), stop_at_ft=450)
    pts = _shift(pts, -450.0)
    landing = detect(frame(pts)).events.row(-1, named=True)
    assert (landing["kind"], landing["airport"], landing["runway"], landing["confidence"]) == (
        "landing",
        "LFPB",
        "27",
        "inferred",
    )
    # Without the correction (no ground samples accepted) the same data read "observed".
    raw = detect(frame(pts), DetectionParams(baro_offset_max_ft=0.0)).events.row(-1, named=True)
    assert raw["confidence"] == "observed"


def _frozen_final(rw_airport: str, ident: str, height_ft: float) -> list[Point]:
    """Final approach to ``ident`` lost ~500 ft up, then the feed freezes for 5 min: the
    last position repeats every second with its altitude wobbling by up to 75 ft
    around ``height_ft`` over the runway (an
    OpenSky-style stale position; the bench's perturbed Paris copies, Beauvais 12).
    The last three repeats read the highest altitudes. Then an hour of silence and
    the aircraft reappears climbing out, 5 km from the field."""
    from tests.flights.make_traj import approach, cruise

    rw = runway(rw_airport, ident)
    pts = approach(rw, T0 + timedelta(minutes=30), stop_at_ft=450)
    last = pts[-1]
    wobble = [-75.0, -50.0, -25.0, 0.0, 25.0, 50.0, 75.0]
    for i in range(1, 301):
        alt = rw.elev + height_ft + (75.0 if i > 297 else wobble[i % 7])
        pts.append(
            Point(
                last.t + timedelta(seconds=i),
                last.lat,
                last.lon,
                alt,
                157.0,
                rw.heading,
                -960.0,
                False,
            )
        )
    lat, lon = offset(rw.lat, rw.lon, rw.heading, 5.0)
    pts += cruise(
        lat, lon, rw.heading, last.t + timedelta(minutes=65), 10, alt=rw.elev + 1700, gs=200
    )
    return pts


def test_frozen_final_with_a_wobbling_altitude_makes_no_take_off_before_a_gap() -> None:
    # Regression: the repeats lying near field height read "ground" and the last three
    # "air"; being followed by a gap, not by ground, those three were taken as a
    # flight: a take-off "on the ground away from any known runway" and a second
    # landing a minute after the first. Across a coverage gap a short low airborne
    # stretch is judged as at the end of the data, and one that never moves is no
    # flight.
    # 365-515 ft over the field: the low repeats read "ground"
    det = detect(frame(_frozen_final("LFOB", "12", 440.0)))
    kinds = det.events.select("kind", "airport").rows()
    assert det.flights.height == 2, det.events
    assert kinds[0][0] == "takeoff"
    assert kinds[1] == ("landing", "LFOB")
    assert [k for k, _ in kinds[2:]] == ["takeoff", "landing"]


def test_frozen_final_is_timed_from_the_first_report_of_its_position() -> None:
    # Regression: the repeats of a frozen position were only merged when every value
    # repeated; with a wobbling altitude the landing was dated from the last repeat,
    # 5 min late. The approach reaches the threshold at T0 + 30 min.
    det = detect(frame(_frozen_final("LFOB", "12", 550.0)))
    landing = det.events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFOB", "inferred")
    assert abs(landing["time"] - (T0 + timedelta(minutes=30))) < timedelta(seconds=30)


def test_data_ending_at_the_touchdown_row_before_a_long_gap_is_a_landing() -> None:
    # Regression: OpenSky's 10-s state vectors can end a flight at the touchdown row
    # (flag set, no altitude). That lone ground row, with the aircraft seen airborne
    # again an hour later, was taken for a flag flicker in flight: "left coverage at
    # unknown altitude". (The Paris recording re-sampled as OpenSky state vectors,
    # 3986e4 at CDG 08R.)
    from tests.flights.make_traj import approach, cruise

    rw = runway("LFPG", "08R")
    pts = approach(rw, T0 + timedelta(minutes=20), step_s=10.0)
    first_ground = next(i for i, q in enumerate(pts) if q.on_ground)
    pts = pts[: first_ground + 1]
    lat, lon = offset(rw.lat, rw.lon, rw.heading, 8.0)
    pts += cruise(lat, lon, rw.heading, T0 + timedelta(minutes=90), 10, alt=rw.elev + 3000, gs=220)
    det = detect(frame(pts))
    landing = det.events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPG", "observed")
    assert abs(landing["time"] - (T0 + timedelta(minutes=20))) <= timedelta(seconds=20)
