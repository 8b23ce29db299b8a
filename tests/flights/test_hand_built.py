"""Hand-built trajectories at real runways, each with the answer worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from tests.flights.make_traj import (
    T0,
    Point,
    Runway,
    approach,
    cruise,
    frame,
    held,
    offset,
    parked,
    runway,
    takeoff,
)

from tailwatch._schema import EVENTS, FLIGHTS
from tailwatch.detect import DetectionParams, detect


def _events(df: pl.DataFrame) -> list[tuple[str, str | None, str]]:
    ev = detect(df).events
    return [(r["kind"], r["airport"], r["confidence"]) for r in ev.iter_rows(named=True)]


def test_overflight_at_fl350_has_no_airport() -> None:
    rw = runway("LFPG", "27L")
    det = detect(frame(cruise(rw.lat, rw.lon - 0.5, 90.0, T0, 20)))
    assert det.events["airport"].null_count() == det.events.height
    assert set(det.events["confidence"]) == {"none"}
    assert det.events.schema == EVENTS
    assert det.flights.schema == FLIGHTS
    assert det.flights.height == 1


def test_departure_observed_and_arrival_observed() -> None:
    a, b = runway("LFPB", "27"), runway("LFPO", "06")
    pts = parked(a, T0, 10) + takeoff(a, T0 + timedelta(minutes=10))
    pts += approach(b, T0 + timedelta(minutes=60)) + parked(b, T0 + timedelta(minutes=62), 5)
    ev = detect(frame(pts)).events
    assert [(r["kind"], r["airport"], r["confidence"]) for r in ev.iter_rows(named=True)] == [
        ("takeoff", "LFPB", "observed"),
        ("landing", "LFPO", "observed"),
    ]
    tk = ev.row(0, named=True)
    assert abs((tk["time"] - (T0 + timedelta(minutes=10, seconds=40))).total_seconds()) < 60
    assert tk["runway"] == "27"
    assert 1 <= len(tk["evidence"]) <= 8


def test_stop_at_an_airport_without_runway_data_names_what_was_measured() -> None:
    # Bengaluru VOBL: airportsdata places it (13.1979 N, 77.7063 E), OurAirports'
    # runways of it carry no coordinates. A landing 1.5 km west of the reference
    # point, rolling east, is on the ground there; the distance is to the reference
    # point, and the reason must not call it a runway distance.
    from tailwatch.reference.airports import AirportIndex

    index = AirportIndex.default()
    assert not index.has_runways("VOBL")
    assert index.has_runways("LFPB")
    lat, lon = offset(13.1979, 77.7063, 270.0, 1.5)
    rw = Runway("VOBL", "09", lat, lon, 90.0, 3000.0, 3.0)
    pts = approach(rw, T0 + timedelta(minutes=10)) + parked(rw, T0 + timedelta(minutes=12), 30)
    ev = detect(frame(pts)).events
    landing = ev.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"], landing["runway"]) == (
        "VOBL",
        "observed",
        None,
    )
    # the roll's first ground row: 0.3 + 1.2/12 km past the 1.5 km-out "threshold"
    assert "(1.1 km from its reference point; no runway data)" in landing["reason"]
    # lost on final there: no runway to line up with, so no airport is claimed
    lost = detect(frame(approach(rw, T0 + timedelta(minutes=10), stop_at_ft=400))).events
    assert lost.filter(pl.col("kind") == "landing")["airport"].to_list() == [None]


@pytest.mark.parametrize(("threshold_km", "airport"), [(3.1, "VOBL"), (3.7, None)])
def test_airport_without_runway_positions_reaches_as_far_as_its_runways_are_long(
    threshold_km: float, airport: str | None
) -> None:
    # VOBL's runways are listed 13,123 ft (4.0 km) long without positions: a roll
    # anywhere on them is within half that plus 1 km (3.0 km) of the reference
    # point. The first ground row lies 0.4 km past the threshold: 2.7 km from the
    # reference point (beyond the 2.5 km of a small field) is VOBL; 3.3 km is not.
    lat, lon = offset(13.1979, 77.7063, 270.0, threshold_km)
    rw = Runway("VOBL", "09", lat, lon, 90.0, 3000.0, 4.0)
    pts = approach(rw, T0 + timedelta(minutes=10)) + parked(rw, T0 + timedelta(minutes=12), 30)
    landing = detect(frame(pts)).events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert landing["airport"] == airport
    assert landing["confidence"] == ("observed" if airport else "none")


def test_approach_lost_at_800ft_aligned_is_inferred() -> None:
    rw = runway("LFPB", "27")
    ev = detect(frame(approach(rw, T0 + timedelta(minutes=30), stop_at_ft=800))).events
    landing = ev.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"], landing["runway"]) == (
        "LFPB",
        "inferred",
        "27",
    )


@pytest.mark.parametrize("repeat_min", [0, 5])
def test_stale_repeats_of_the_last_state_do_not_delay_the_landing(repeat_min: int) -> None:
    # The feed re-sends the last state (800 ft on final, 140 kt) every second for 5 min
    # after losing the aircraft, as OpenSky-derived and traffic files do. The aircraft
    # was last *seen* at the first report: the landing follows ~1 min after it (the
    # 800 ft point is 4.3 km out at 140 kt), not 5 min later.
    rw = runway("LFPB", "27")
    pts = approach(rw, T0 + timedelta(minutes=30), stop_at_ft=800)
    last = pts[-1]
    pts += held(last, range(1, repeat_min * 60 + 1))
    det = detect(frame(pts))
    landing = det.events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "inferred")
    after = (landing["time"] - last.t).total_seconds()
    assert 60 <= after <= 120
    assert landing["time_earliest"] == last.t
    # the repeats are merged, and the flight still ends at the feed's last row
    assert det.flights["last_seen"][0] == pts[-1].t


def test_lost_at_12000ft_claims_no_airport() -> None:
    rw = runway("LLBG", "12")
    lat, lon = offset(rw.lat, rw.lon, 45.0, 40.0)
    pts = cruise(lat, lon, 225.0, T0, 1, alt=12000, gs=250, step_s=5)
    ev = detect(frame(pts)).events
    landing = ev.filter(pl.col("kind") == "landing").row(0, named=True)
    assert landing["airport"] is None
    assert landing["confidence"] == "none"
    assert "left coverage at 12,000 ft" in landing["reason"]
    assert any(c["airport"] == "LLBG" for c in landing["candidates"])


def test_go_around_is_not_a_landing() -> None:
    rw = runway("LFPO", "06")
    pts = approach(rw, T0 + timedelta(minutes=20), go_around=True)
    assert [k for k, _, _ in _events(frame(pts))] == ["takeoff", "landing"]  # coverage ends
    ev = detect(frame(pts)).events
    assert ev.filter(pl.col("kind") == "landing")["confidence"].to_list() == ["none"]


def test_touch_and_go_is_its_own_event() -> None:
    rw = runway("LFPO", "06")
    ev = detect(frame(approach(rw, T0 + timedelta(minutes=20), touch_and_go=True))).events
    tg = ev.filter(pl.col("kind") == "touch_and_go")
    assert tg.height == 1
    assert tg["airport"][0] == "LFPO"
    assert ev.filter(pl.col("kind") == "landing")["airport"].to_list() == [None]


def test_parked_three_days_without_signal_is_one_stay() -> None:
    a = runway("LFPB", "27")
    pts = approach(a, T0) + parked(a, T0 + timedelta(minutes=2), 10)
    later = T0 + timedelta(days=3)
    pts += parked(a, later, 10) + takeoff(a, later + timedelta(minutes=10))
    det = detect(frame(pts))
    ev = det.events.filter(pl.col("airport").is_not_null())
    assert [(r["kind"], r["airport"]) for r in ev.iter_rows(named=True)] == [
        ("landing", "LFPB"),
        ("takeoff", "LFPB"),
    ]
    assert det.flights.height == 2  # arrival, then departure three days later


def test_two_airports_close_together_decided_by_runway() -> None:
    # Le Bourget and Charles de Gaulle: ~9 km apart; a departure from each.
    for ap, ident in (("LFPB", "27"), ("LFPG", "27L")):
        rw = runway(ap, ident)
        pts = parked(rw, T0, 5) + takeoff(rw, T0 + timedelta(minutes=5))
        ev = detect(frame(pts)).events
        assert ev.filter(pl.col("kind") == "takeoff")["airport"].to_list() == [ap]


def test_spoofed_500km_jump_is_rejected_and_changes_nothing() -> None:
    a = runway("LFPB", "27")
    pts = parked(a, T0, 5) + takeoff(a, T0 + timedelta(minutes=5))
    clean = detect(frame(pts))
    spoof = pts[:]
    p = spoof[60]
    lat, lon = offset(p.lat, p.lon, 180.0, 500.0)
    spoof[60] = Point(p.t, lat, lon, p.alt, p.gs, p.track, p.vrate, p.on_ground)
    det = detect(frame(spoof))
    assert det.counts.get("rejected_impossible_jump") == 1
    assert det.rejected["reason"].to_list() == ["impossible_jump"]
    assert det.events.drop("evidence").equals(clean.events.drop("evidence"))


def test_shuffled_and_duplicated_rows_give_the_same_events() -> None:
    a, b = runway("LFPB", "27"), runway("LFPO", "06")
    pts = parked(a, T0, 5) + takeoff(a, T0 + timedelta(minutes=5))
    pts += approach(b, T0 + timedelta(minutes=60))
    df = frame(pts)
    messy = pl.concat([df, df.sample(fraction=0.5, seed=1)]).sample(
        fraction=1.0, shuffle=True, seed=2
    )
    assert detect(messy).events.equals(detect(df).events)


@pytest.mark.parametrize("alt", [2000.0, 5000.0])
def test_spurious_ground_flag_at_altitude_makes_no_event(alt: float) -> None:
    rw = runway("LFBO", "14L")
    lat, lon = offset(rw.lat, rw.lon, 0.0, 60.0)
    pts = cruise(lat, lon, 90.0, T0, 10, alt=alt, gs=200, step_s=5)
    pts = [
        Point(p.t, p.lat, p.lon, p.alt, p.gs, p.track, p.vrate, i % 7 == 3)
        for i, p in enumerate(pts)
    ]
    det = detect(frame(pts))
    assert det.flights.height == 1
    assert det.events["airport"].null_count() == det.events.height


def test_garbled_altitude_on_a_frozen_feed_after_touchdown_is_still_a_landing() -> None:
    # Short final to LFPB 27 down to ~60 ft, then the feed freezes: one position just
    # past the threshold, a stale 120 kt and a Gillham-garbled 37,975/38,000 ft, every
    # 3 s for 6 min (longer than max_glitch_s, so cleaning keeps it). The frozen run
    # is ground; it must not be flipped to "air, positions went stale" (an aircraft
    # cannot climb 38,000 ft in 5 s), which left the flight "at 38,000 ft, 1 km from
    # LFPB" instead of landed there.
    rw = runway("LFPB", "27")
    t_end = T0 + timedelta(minutes=30)
    pts = approach(rw, t_end, land=False)
    lat, lon = offset(rw.lat, rw.lon, rw.heading, 0.5)
    pts += [
        Point(
            t_end + timedelta(seconds=3 * i),
            lat,
            lon,
            38000.0 - 25 * (i % 2),
            120.0,
            rw.heading,
            -512.0,
            False,
        )
        for i in range(120)
    ]
    ev = detect(frame(pts)).events
    landing = ev.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "observed")
    assert abs((landing["time"] - t_end).total_seconds()) <= 10


def test_burst_of_garbled_altitudes_after_touchdown_is_still_a_landing() -> None:
    # Short final to LFPB 27 down to ~60 ft, then within one minute, on a frozen
    # position past the threshold: 19,950 ft x5, 37,975 x2, field+125 x2, then
    # 38,000/37,975 x10 (Paris AFR84UW's pattern). No single chunk of the burst is
    # three times its neighbour; together they are a glitch at the track's end.
    rw = runway("LFPB", "27")
    t_end = T0 + timedelta(minutes=30)
    pts = approach(rw, t_end, land=False)
    lat, lon = offset(rw.lat, rw.lon, rw.heading, 0.5)
    burst = [19950.0] * 5 + [37975.0] * 2 + [rw.elev + 125] * 2 + [38000.0, 37975.0] * 5
    pts += [
        Point(t_end + timedelta(seconds=2 + 3 * i), lat, lon, alt, 120.0, rw.heading, -512.0, False)
        for i, alt in enumerate(burst)
    ]
    det = detect(frame(pts), keep_positions=True)
    landing = det.events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "observed")
    assert abs((landing["time"] - t_end).total_seconds()) <= 10
    # 3 of the 19,950s are a stale run merged into its last row; the other 16 rows go
    assert det.counts["merged_duplicates_or_repeats"] == 3
    assert det.rejected.height == 16
    assert set(det.rejected["reason"]) == {"altitude_glitch"}
    assert det.positions is not None
    assert det.positions.filter(pl.col("time") > t_end).height == 0


@pytest.mark.parametrize(("height_ft", "speed_kt"), [(500.0, 30.0), (800.0, 20.0)])
def test_helicopter_in_slow_flight_near_a_runway_does_not_land(
    height_ft: float, speed_kt: float
) -> None:
    # A helicopter comes in at 1,500 ft, orbits for 4 min 1.5 km south of Le Bourget's
    # runway 27 threshold at 500 (800) ft over the field and 30 (20) kt, flag clear,
    # then leaves north. Slower than any aeroplane can fly, it used to read "taxiing":
    # landing and take-off at LFPB, observed. It never came below 500 ft.
    rw = runway("LFPB", "27")
    c_lat, c_lon = offset(rw.lat, rw.lon, 180.0, 1.5)
    pts, t = [], T0
    for i in range(36):
        lat, lon = offset(c_lat, c_lon, 180.0, (36 - i) * 0.28)
        pts.append(Point(t, lat, lon, rw.elev + 1500, 110.0, 0.0, 0.0, False))
        t += timedelta(seconds=5)
    for i in range(48):  # a 0.3 km circle, 15 degrees every 5 s
        lat, lon = offset(c_lat, c_lon, (i * 15) % 360, 0.3)
        track = float((i * 15 + 90) % 360)
        pts.append(Point(t, lat, lon, rw.elev + height_ft, speed_kt, track, 0.0, False))
        t += timedelta(seconds=5)
    for i in range(36):
        lat, lon = offset(c_lat, c_lon, 0.0, (i + 1) * 0.28)
        pts.append(Point(t, lat, lon, rw.elev + 1500, 110.0, 0.0, 0.0, False))
        t += timedelta(seconds=5)
    det = detect(frame(pts))
    assert det.flights.height == 1
    assert [(k, a, c) for k, a, c in _events(frame(pts))] == [
        ("takeoff", None, "none"),
        ("landing", None, "none"),
    ]


def _helicopter_work(land_for_min: float, flag: bool | None = False) -> list[Point]:
    """A helicopter in open country, 13 km from the nearest field (LFJU): in at 1,500 ft
    and 110 kt, 4 min circling at 40 kt and 300 ft above the ground (a 0.3 km circle,
    15 degrees every 5 s: the positions move 56 m per 5 s), then ``land_for_min``
    standing on a pad (altitude still reported, ground speed 0), out north. ``flag``:
    the ground flag throughout (None: a source without one).
    """
    c_lat, c_lon = 46.60, 2.90
    ground = 650.0  # ft: the pad's elevation, about the fields' around it
    pts, t = [], T0
    for i in range(36):
        lat, lon = offset(c_lat, c_lon, 180.0, (36 - i) * 0.28)
        pts.append(Point(t, lat, lon, 1500.0, 110.0, 0.0, 0.0, False))
        t += timedelta(seconds=5)
    for i in range(48):
        lat, lon = offset(c_lat, c_lon, (i * 15) % 360, 0.3)
        track = float((i * 15 + 90) % 360)
        pts.append(Point(t, lat, lon, ground + 300, 40.0, track, 0.0, flag))
        t += timedelta(seconds=5)
    for i in range(int(land_for_min * 12)):
        # a receiver's decodes of a standing aircraft differ by a few metres
        lat, lon = offset(c_lat, c_lon, (i * 137) % 360, 0.003 * (i % 3))
        pts.append(Point(t, lat, lon, ground, 0.0, None, 0.0, flag))
        t += timedelta(seconds=5)
    for i in range(36):
        lat, lon = offset(c_lat, c_lon, 0.0, (i + 1) * 0.28)
        pts.append(Point(t, lat, lon, 1500.0, 110.0, 0.0, 0.0, False))
        t += timedelta(seconds=5)
    return pts


def _kinds(events: pl.DataFrame) -> list[tuple[str, str | None, str, str]]:
    return [
        (r["kind"], r["airport"], r["confidence"], r["reason"].split(" (")[0])
        for r in events.iter_rows(named=True)
    ]


@pytest.mark.parametrize("flag", [False, None])
def test_rotorcraft_circling_slowly_far_from_any_field_keeps_flying(flag: bool | None) -> None:
    # Slower than an aeroplane can fly and no field near to measure a height over: as
    # an aeroplane it reads "taxiing" in a field. Known as a rotorcraft, it is flying
    # while its positions move (flag clear, or no flag at all: MLAT, some archives).
    pts = frame(_helicopter_work(land_for_min=0, flag=flag))
    edges = [
        ("takeoff", None, "none", "entered coverage at 1,500 ft, 31 km NE of LFLT"),
        ("landing", None, "none", "left coverage at 1,500 ft, 4 km SW of LFJU"),
    ]
    rotor = DetectionParams(rotorcraft=frozenset({"abc123"}))
    assert _kinds(detect(pts, rotor).events) == edges
    as_plane = _kinds(detect(pts).events)
    assert ("landing", None, "none", "on the ground away from any known runway") in as_plane


def test_rotorcraft_landing_on_a_pad_is_a_stop_away_from_any_runway() -> None:
    # The same work, then 5 min standing on a pad with the altitude still reported:
    # standing still is on the ground for a helicopter too. No airport is named.
    pts = frame(_helicopter_work(land_for_min=5))
    rotor = DetectionParams(rotorcraft=frozenset({"abc123"}))
    ev = detect(pts, rotor).events
    assert _kinds(ev) == [
        ("takeoff", None, "none", "entered coverage at 1,500 ft, 31 km NE of LFLT"),
        ("landing", None, "none", "on the ground away from any known runway"),
        ("takeoff", None, "none", "on the ground away from any known runway"),
        ("landing", None, "none", "left coverage at 1,500 ft, 4 km SW of LFJU"),
    ]
    landed = ev.filter(pl.col("kind") == "landing").row(0, named=True)["time"]
    left = ev.filter(pl.col("kind") == "takeoff").row(1, named=True)["time"]
    # standing from T0 + 7 min (36 + 48 rows of 5 s) for 5 min
    assert abs((landed - (T0 + timedelta(minutes=7))).total_seconds()) <= 30
    assert abs((left - (T0 + timedelta(minutes=12))).total_seconds()) <= 30


def test_taxi_on_a_deep_low_with_a_clear_flag_is_still_a_taxi() -> None:
    # A transponder that never sets the ground flag, on a 980 hPa day: pressure
    # altitude reads 700 ft above the field while it taxis at 12 kt for 5 min. The
    # GNSS height says it is on the field: a taxi, then a take-off from Le Bourget.
    rw = runway("LFPB", "27")
    pts = []
    for i in range(60):
        lat, lon = offset(rw.lat, rw.lon, rw.heading + 90, 0.3)
        lat, lon = offset(lat, lon, rw.heading + 180, 1.5 - i * 0.025)
        pts.append(
            Point(T0 + timedelta(seconds=5 * i), lat, lon, rw.elev, 12.0, rw.heading, 0.0, False)
        )
    pts += takeoff(rw, T0 + timedelta(minutes=6))
    pts = [
        Point(
            p.t,
            p.lat,
            p.lon,
            (p.alt if p.alt is not None else rw.elev) + 700,
            p.gs,
            p.track,
            p.vrate,
            False,
        )
        for p in pts
    ]
    df = frame(pts).with_columns(alt_geom_ft=(pl.col("alt_baro_ft") - 700).cast(pl.Float32))
    ev = detect(df).events
    assert ev.select("kind", "airport", "confidence").rows() == [
        ("takeoff", "LFPB", "observed"),
        ("landing", None, "none"),  # left coverage climbing
    ]


@pytest.mark.parametrize("confirmed", [True, False])
def test_position_frozen_on_short_final_times_the_touchdown_after_it(confirmed: bool) -> None:
    # Final to LFPB 27 at 140 kt, one report a second, until the feed stops updating
    # the position ~1.75 km out at ~300 ft: the same position, altitude, 140 kt and a
    # clear flag repeat for 40 s. Then (``confirmed``) a ground flag at that spot.
    # The aircraft was flying when the frozen position was first reported: the
    # touchdown is ~24 s later (1.75 km at 140 kt), not at the freeze, and no later
    # than the ground flag; without one, nothing bounds it from above.
    rw = runway("LFPB", "27")
    t_end = T0 + timedelta(minutes=30)
    pts = approach(rw, t_end, step_s=1.0, stop_at_ft=300)
    last = pts[-1]
    pts += held(last, range(1, 41))  # approach() flies 140 kt, flag clear
    flag_t = last.t + timedelta(seconds=50)
    if confirmed:
        pts.append(Point(flag_t, last.lat, last.lon, None, 140.0, last.track, 0.0, True))
    landing = detect(frame(pts)).events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "observed")
    to_threshold_s = (t_end - last.t).total_seconds()  # ~24 s: approach() flies 140 kt
    assert 20 <= to_threshold_s <= 28
    assert abs((landing["time"] - last.t).total_seconds() - to_threshold_s) <= 3
    assert landing["time_earliest"] <= last.t
    assert landing["time_latest"] == (flag_t if confirmed else None)
    assert "froze on final" in landing["reason"]


def test_ordinary_landing_roll_is_still_timed_at_the_first_ground_row() -> None:
    # Positions keep moving down to the runway and along the rollout, and the parked
    # aircraft repeats its spot with the flag set: nothing froze in flight.
    rw = runway("LFPB", "27")
    t_end = T0 + timedelta(minutes=30)
    pts = approach(rw, t_end) + parked(rw, t_end + timedelta(minutes=2), 5)
    landing = detect(frame(pts)).events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "observed")
    assert landing["time"] == t_end
    assert "froze" not in landing["reason"]


def test_parked_position_with_a_stale_speed_after_a_gap_is_no_frozen_final() -> None:
    # Coverage stops 500 ft up on final to LFPB 27 and resumes 4 min later on the
    # apron, where the feed repeats a stale 100 kt and a garbled 36,000 ft (Paris
    # GAC443Y's pattern). Held still, fast and flag-clear like a frozen final, but the
    # spot was not reached in flight (2.9 km in 4 min): timed at the first ground row.
    rw = runway("LFPB", "27")
    t_end = T0 + timedelta(minutes=30)
    pts = approach(rw, t_end, stop_at_ft=500)
    lat, lon = offset(rw.lat, rw.lon, rw.heading + 90, 0.2)
    park_t = t_end + timedelta(minutes=4)
    apron = Point(park_t, lat, lon, 36000.0, 100.0, rw.heading, 0.0, False)
    pts += [apron, *held(apron, range(5, 125, 5))]
    landing = detect(frame(pts)).events.filter(pl.col("kind") == "landing").row(0, named=True)
    assert (landing["airport"], landing["confidence"]) == ("LFPB", "observed")
    assert landing["time"] == park_t
    assert "froze" not in landing["reason"]
