"""Regression tests named after what broke, on hand-built trajectories at real runways."""

from __future__ import annotations

from datetime import timedelta

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
