"""Real recordings from ../shared/data, with outcomes checked by hand in the data first."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from tests.data_paths import ADSB

from tailwatch.detect import Detection, DetectionParams, detect
from tailwatch.reference.airports import AirportIndex, haversine_km
from tailwatch.sources import read_positions


@functools.cache
def _detect(name: str) -> Detection:
    return detect(read_positions([ADSB / name]).positions)


def _at(h: int, m: int, day: tuple[int, int, int] = (2021, 10, 7)) -> datetime:
    return datetime(*day, h, m, tzinfo=UTC)


def _one(det: Detection, icao: str, kind: str, near: datetime, tol_min: float = 3.0) -> dict:
    ev = det.events.filter(
        (pl.col("icao24") == icao)
        & (pl.col("kind") == kind)
        & ((pl.col("time") - near).abs() <= pl.duration(minutes=tol_min))
    )
    assert ev.height == 1, det.events.filter(pl.col("icao24") == icao)
    return ev.row(0, named=True)


@pytest.mark.parametrize(
    ("icao", "when"),
    [
        ("4241bb", _at(13, 50)),
        ("477ff6", _at(13, 52)),
        ("a0046f", _at(12, 54)),
        ("06a133", _at(14, 11)),
    ],
)
def test_paris_state_and_vip_departures_from_le_bourget(icao: str, when: datetime) -> None:
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), icao, "takeoff", when)
    assert (ev["airport"], ev["confidence"]) == ("LFPB", "observed")


def test_paris_hungarian_falcon_flickering_flag_is_one_flight() -> None:
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    assert det.flights.filter(pl.col("icao24") == "477ff6").height == 1


def test_paris_french_air_force_falcon_lands_at_villacoublay() -> None:
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), "3b77e4", "landing", _at(14, 52))
    assert ev["airport"] == "LFPV"
    assert ev["confidence"] in ("observed", "inferred")


@pytest.mark.parametrize(
    ("icao", "kind", "when", "airport"),
    [
        ("02a195", "landing", _at(14, 25), "LFPO"),  # TAR722
        ("0a0046", "takeoff", _at(13, 4), "LFPO"),  # DAH1011
        ("344487", "landing", _at(14, 33), "LFPO"),  # AEA1297
        ("392af9", "landing", _at(13, 35), "LFPG"),  # AFR73VJ
        ("7103d7", "landing", _at(14, 55), "LFPG"),  # SVA127
        ("8964b4", "takeoff", _at(14, 43), "LFPG"),  # UAE74
    ],
)
def test_paris_airliners_get_their_airport(
    icao: str, kind: str, when: datetime, airport: str
) -> None:
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), icao, kind, when)
    assert ev["airport"] == airport
    assert ev["confidence"] in ("observed", "inferred")


@pytest.mark.parametrize(
    ("icao", "when"),
    [("39856f", _at(13, 49)), ("44023f", _at(13, 44)), ("4ca1b2", _at(13, 27))],
)
def test_paris_cdg_departures_first_seen_past_the_runway_are_not_le_bourget(
    icao: str, when: datetime
) -> None:
    # Regression: first seen at ~1,000-1,250 ft over the far end of CDG's 08L/08R; Le
    # Bourget's runway 07, 14 km west, points the same way and used to win because the
    # CDG climb was judged from the far end (too high) and nothing judged LFPB too low.
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), icao, "takeoff", when)
    assert (ev["airport"], ev["confidence"]) == ("LFPG", "inferred")


def test_paris_departure_seen_climbing_out_of_le_bourget_runway_25_is_inferred() -> None:
    # VLJ681N: first position of the recording at 2,050 ft, 2.5 km past LFPB 25, on its
    # axis and climbing 2,500 ft/min.
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), "39a415", "takeoff", _at(11, 59))
    assert (ev["airport"], ev["runway"], ev["confidence"]) == ("LFPB", "25", "inferred")


def test_paris_no_airport_without_low_evidence_near_it() -> None:
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    index = AirportIndex.default()
    claimed = det.events.filter(pl.col("airport").is_not_null())
    assert claimed.height > 50
    for ev in claimed.iter_rows(named=True):
        ap = index.airport(ev["airport"])
        assert ap is not None
        close_low = [
            p
            for p in ev["evidence"]
            if float(haversine_km(p["lat"], p["lon"], ap["lat"], ap["lon"])) < 15.0
            and (p["alt_ft"] is None or p["alt_ft"] - float(ap["elevation_ft"]) < 2500.0)
        ]
        assert close_low, ev


SAVAN_DAY = (2022, 3, 1)


def _savan(day: int, h: int, m: int) -> datetime:
    return datetime(2022, 3 if day > 15 else 4, day, h, m, tzinfo=UTC)


def test_savan_toulouse_departures_and_returns_and_le_bourget_night() -> None:
    det = _detect("savan_39b415_2022-03.json.gz")
    obs = det.events.filter(pl.col("confidence") == "observed").select(
        "kind", "airport", pl.col("time").dt.strftime("%m-%d %H:%M")
    )
    assert obs.rows() == [
        ("takeoff", "LFBO", "03-21 08:37"),
        ("landing", "LFBO", "03-21 17:36"),
        ("takeoff", "LFBO", "03-22 07:45"),
        ("landing", "LFBO", "03-23 15:57"),
        ("takeoff", "LFBO", "03-24 07:39"),
        ("landing", "LFBO", "03-24 16:24"),
        ("takeoff", "LFBO", "03-25 07:36"),
        ("landing", "LFBO", "03-25 16:32"),
        ("takeoff", "LFBO", "03-28 06:38"),
        ("landing", "LFPB", "03-28 15:08"),  # the night at Le Bourget...
        ("takeoff", "LFPB", "03-29 06:44"),  # ...and away the next morning
        ("landing", "LFBO", "03-29 15:20"),
        ("takeoff", "LFBO", "04-15 06:41"),
        ("landing", "LFBO", "04-15 15:15"),
    ]


def test_savan_ground_time_is_not_a_flight_and_gaps_claim_no_airport() -> None:
    det = _detect("savan_39b415_2022-03.json.gz")
    assert det.flights.height == 17  # SAVAN01..17
    assert sorted(det.flights["callsign"].to_list()) == [f"SAVAN{i:02d}" for i in range(1, 18)]
    none = det.events.filter(pl.col("confidence") == "none")
    assert none["airport"].null_count() == none.height
    # The one inferred end: lost at 1,575 ft lined up with Avignon's runway 17.
    inferred = det.events.filter(pl.col("confidence") == "inferred")
    assert inferred.select("airport", "runway").rows() == [("LFMV", "17")]


def test_readsb_n899dn_four_legs_last_landing_denver() -> None:
    det = _detect("readsb_trace_full_ac671b.json")
    assert det.flights["callsign"].to_list() == ["DAL1812", "DAL2418", "DAL1615", "DAL2927"]
    assert det.flights["landing_airport"].to_list() == ["KMSP", None, "KMSP", "KDEN"]
    assert det.flights["takeoff_airport"].to_list() == [None, "KMSP", None, "KMSP"]
    assert det.flights["landing_confidence"][-1] == "observed"


@pytest.mark.parametrize(
    ("name", "kind", "airport", "when"),
    [
        ("noisy_landing.json.gz", "landing", "LSZH", datetime(2019, 11, 11, 18, 10, tzinfo=UTC)),
        ("noisy_takeoff.json.gz", "takeoff", "LSZH", datetime(2019, 11, 11, 17, 40, tzinfo=UTC)),
        ("noisy_ground.json.gz", "takeoff", "LSZH", datetime(2019, 11, 11, 14, 20, tzinfo=UTC)),
        ("noisy_time_issue.json.gz", "landing", "LSZH", datetime(2022, 7, 13, 14, 0, tzinfo=UTC)),
    ],
)
def test_noisy_recordings_give_the_true_event_only(
    name: str, kind: str, airport: str, when: datetime
) -> None:
    det = _detect(name)
    claimed = det.events.filter(pl.col("airport").is_not_null())
    match = claimed.filter(pl.col("kind") == kind)
    assert match["airport"].to_list() == [airport]
    assert abs((match["time"][0] - when).total_seconds()) <= 180
    assert det.flights.height == 1
    # The other end is either out of coverage (no airport) or, for the Porto-Zurich
    # flight with broken timestamps, its climb out of Porto seen from 350 ft.
    others = claimed.filter(pl.col("kind") != kind)
    assert others.select("kind", "airport").rows() in ([], [("takeoff", "LPPR")])


def test_zurich_ground_movement_is_not_flights() -> None:
    det = _detect("zurich_airport_onground.json.gz")
    # Two of the ten aircraft only taxi (with garbled altitudes up to 39,000 ft,
    # flickering flags, stale ground speeds): no flight. Eight fly in this file: four
    # climb away through 2,500-31,000 ft at 150-500 kt, SWR5220 also comes back, and the
    # four below are caught at the very edge of the data.
    assert sorted(det.flights["icao24"].to_list()) == [
        "0083c3",
        "4690e2",
        "4891b6",
        "4b160e",
        "4b1614",
        "4b18b8",
        "4d20cd",
        "c01074",
    ]
    for ic in ("4b17e5", "4b17fd"):
        assert det.events.filter(pl.col("icao24") == ic).height == 0
    assert det.events.filter(pl.col("kind") == "touch_and_go").height == 0
    # Every airport claimed in this file is Zurich.
    assert set(det.events["airport"].drop_nulls()) == {"LSZH"}


@pytest.mark.parametrize(
    ("icao", "kind", "runway", "other_alt"),
    [
        # CAI3208: data starts at 1,600 ft (184 ft over the field), 122 kt, on the
        # centreline of 14, flag set 28 s later.
        ("0083c3", "landing", "14", 1600.0),
        # VJT796: data starts at 1,450 ft, 115 kt, on the axis of 28.
        ("4d20cd", "landing", "28", 1450.0),
        # EDW229: data starts at 1,475 ft, 141 kt, on the axis of 28, flag 19 s later
        # (its first chunk used to be compared with the previous aircraft's, see
        # test_glitch_edge_rule_does_not_compare_with_the_previous_aircraft).
        ("4b18b8", "landing", "28", 1475.0),
        # ENT57BW: rolls on 28 and lifts off; the data ends 16 s later at 2,175 ft, 165 kt.
        ("4891b6", "takeoff", "28", 2175.0),
    ],
)
def test_zurich_short_airborne_run_at_the_data_edge_is_a_real_flight_end(
    icao: str, kind: str, runway: str, other_alt: float
) -> None:
    # Regression: persistence used to erase these < 30 s low airborne runs as noise.
    det = _detect("zurich_airport_onground.json.gz")
    fl = det.flights.filter(pl.col("icao24") == icao)
    assert fl.height == 1
    f = fl.row(0, named=True)
    other = "takeoff" if kind == "landing" else "landing"
    assert (f[f"{kind}_airport"], f[f"{kind}_confidence"], f[f"{kind}_runway"]) == (
        "LSZH",
        "observed",
        runway,
    )
    assert (f[f"{other}_airport"], f[f"{other}_confidence"]) == (None, "none")
    ev = det.events.filter((pl.col("icao24") == icao) & (pl.col("kind") == other)).row(
        0, named=True
    )
    assert ev["alt_ft"] == other_alt


def test_glitch_edge_rule_does_not_compare_with_the_previous_aircraft() -> None:
    # Regression: the edge-glitch rule compared a track's first chunk with the size of
    # the previous aircraft's last chunk (an unmasked shift), so over a whole file the
    # first minutes of 8 Paris aircraft were dropped as a "glitch" and detect() over
    # the file differed from detect() per aircraft. CDG departures 3944ee / 3946ea are
    # first seen over the far end of 26R / 08L.
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    some = ["3944ee", "3946ea", "06a2b1", "344695", "3cc1c8", "4cac5e", "4d21ec", "4d22d2"]
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    whole = det.events.filter(pl.col("icao24").is_in(some)).sort("event_id")
    per = pl.concat([detect(pos.filter(pl.col("icao24") == ic)).events for ic in some]).sort(
        "event_id"
    )
    assert whole.equals(per)
    for ic, when, runway in (("3944ee", _at(12, 13), "26R"), ("3946ea", _at(13, 59), "08L")):
        ev = _one(det, ic, "takeoff", when)
        assert (ev["airport"], ev["runway"], ev["confidence"]) == ("LFPG", runway, "inferred")


def test_savan_gap_to_a_ground_stop_far_away_is_not_called_off_runway() -> None:
    # Regression: SAVAN01 leaves coverage at 12,950 ft near Figari (Corsica); the
    # aircraft is next seen on the ground at Toulouse five days later. The event (no
    # airport: too long and too far to claim LFBO) used to say "on the ground away from
    # any known runway (22 km NE of LFKF)", which reads as a landing in a Corsican field.
    # It was also timed at that LFBO sighting, 117 h late: the landing is timed when
    # last seen airborne, and the sighting only bounds it (time_latest). Last seen is
    # 11:27:52: the feed then repeats that very state every second until 11:32:52.
    det = _detect("savan_39b415_2022-03.json.gz")
    ev = _one(det, "39b415", "landing", _savan(16, 11, 28), tol_min=0.5)
    assert (ev["airport"], ev["confidence"]) == (None, "none")
    assert ev["reason"].startswith("left coverage at 12,950 ft")
    assert "next seen on the ground at LFBO" in ev["reason"]
    assert abs((ev["time_latest"] - _savan(21, 8, 33)).total_seconds()) < 120


@pytest.mark.parametrize(
    ("icao", "when", "runway", "confidence"),
    [
        # AFR73KR: first row at 500 ft over the far end of 26R, no track for 6 s
        ("394c0c", _at(12, 51), "26R", "observed"),
        # first rows at 875 / 1,025 ft just past 08L, no track yet
        ("392ae2", _at(13, 53), "08L", "inferred"),
        ("3950d1", _at(13, 48), "08L", "inferred"),
    ],
)
def test_paris_departure_first_seen_without_a_track_still_lines_up(
    icao: str, when: datetime, runway: str, confidence: str
) -> None:
    # Regression: the course of a row without a reported track came from the previous
    # position only, so an aircraft's very first row had none and could line up with
    # nothing: three CDG departures were "entered coverage at 500-1,025 ft, no airport".
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    ev = _one(det, icao, "takeoff", when, tol_min=1.0)
    assert (ev["airport"], ev["runway"], ev["confidence"]) == ("LFPG", runway, confidence)


@pytest.mark.parametrize(
    ("icao", "last_new", "repeated_until"),
    [
        # 1,000 ft, 5.8 km before Beauvais 30 at 185 kt; the feed repeats it to 12:56:31
        ("4d2238", datetime(2021, 10, 7, 12, 51, 32, tzinfo=UTC), _at(12, 56)),
        # 4.6 km before Beauvais 12, first reported at 13:05:48 at 875 ft; the altitude
        # still changes (800 ft at 13:05:52), the position is repeated to 13:10:51
        ("4d227b", datetime(2021, 10, 7, 13, 5, 48, tzinfo=UTC), _at(13, 10)),
    ],
)
def test_paris_landing_follows_the_last_new_position_not_its_stale_repeats(
    icao: str, last_new: datetime, repeated_until: datetime
) -> None:
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    ev = _one(det, icao, "landing", last_new, tol_min=2.5)
    assert (ev["airport"], ev["confidence"]) == ("LFOB", "inferred")
    assert ev["time_earliest"] == last_new
    # about a minute after the last new position (the distance left at its speed)
    assert 45 <= (ev["time"] - last_new).total_seconds() <= 75
    flight = det.flights.filter(pl.col("flight_id") == ev["flight_id"])
    assert flight["last_seen"][0] >= repeated_until


def test_paris_touchdown_after_a_position_frozen_on_short_final() -> None:
    # 06a2b1 on CDG's 26L final: new positions every second down to 250 ft (1.1 km from
    # the runway) at 160 kt at 12:37:15, descending 832 ft/min; from there the position
    # never changes again. 160 kt and a clear flag repeat until 12:38:11, the first
    # ground flag. Checked by hand: 300 ft above the field at ~830 ft/min is ~21 s of
    # flight, a touchdown about 12:37:36, not at the freeze.
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), "06a2b1", "landing", _at(12, 37))
    assert (ev["airport"], ev["confidence"]) == ("LFPG", "observed")
    frozen = datetime(2021, 10, 7, 12, 37, 15, tzinfo=UTC)
    assert ev["time_earliest"] < frozen
    assert 15 <= (ev["time"] - frozen).total_seconds() <= 30
    assert ev["time_latest"] == datetime(2021, 10, 7, 12, 38, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("icao", "start"),
    [("4bc844", _at(14, 14)), ("3999e4", _at(14, 8)), ("4409a9", _at(14, 3))],
)
def test_paris_parked_aircraft_with_stale_speed_and_garbled_altitude_do_not_take_off(
    icao: str, start: datetime
) -> None:
    # Regression: PGT90Y at LFPO, PEA302 and GAC443Y at LFPB sit on one position for
    # minutes while the feed repeats a stale ground speed (82-101 kt) and altitudes of
    # 21,000-60,900 ft. They used to get an 'observed' take-off and leave coverage at
    # 35,000 ft a kilometre from the field. An airborne run that flies no distance is
    # ground.
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    ev = det.events.filter(
        (pl.col("icao24") == icao) & (pl.col("kind") == "takeoff") & (pl.col("time") >= start)
    )
    assert ev.height == 0, ev


def test_paris_final_approach_that_freezes_on_the_runway_is_a_landing() -> None:
    # AFR15XV (398567) is at 250 ft on CDG's 26L approach at 12:16:52, then its feed
    # freezes on that position with a garbled 35,000 ft for 4 min: a landing at LFPG,
    # not 'left coverage at 35,000 ft'.
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), "398567", "landing", _at(12, 17))
    assert ev["airport"] == "LFPG"
    assert ev["confidence"] in ("observed", "inferred")


@pytest.mark.parametrize(
    ("icao", "when", "airport"),
    [("4d02ad", _at(13, 55), "LFPB"), ("3950c7", _at(14, 42), "LFPO")],
)
def test_paris_one_garbled_altitude_does_not_lift_a_taxi(
    icao: str, when: datetime, airport: str
) -> None:
    # Regression: JFA14R's and AFR13FQ's taxi runs carried a single altitude, a garbled
    # one thousands of feet up; the whole taxi was read as airborne and the take-off
    # came out as 'entered coverage'. They roll and lift off at LFPB 09 and LFPO.
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), icao, "takeoff", when)
    assert (ev["airport"], ev["confidence"]) == (airport, "observed")


def test_paris_hungarian_falcon_sampled_every_10_s_like_opensky_state_vectors() -> None:
    # OpenSky state vectors carry one position per 10 s. Sampled so, HUAF408's taxi had
    # a single (garbled, 4,407 ft) altitude and its LFPB take-off was lost.
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    one = pos.filter(pl.col("icao24") == "477ff6")
    sparse = (
        one.with_columns(_b=pl.col("time").dt.truncate("10s"))
        .unique("_b", keep="first")
        .drop("_b")
        .sort("time")
    )
    ev = _one(detect(sparse), "477ff6", "takeoff", _at(13, 52))
    assert (ev["airport"], ev["confidence"]) == ("LFPB", "observed")


def test_paris_frozen_feed_after_landing_is_not_a_take_off() -> None:
    # Regression: after landing at CDG, AFR96EU's (3944f5) feed repeats one position for
    # its last 22 s with a garbled 25,000 ft; it used to 'take off' and leave coverage
    # at 25,000 ft 6 km from the field.
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    after = det.events.filter(
        (pl.col("icao24") == "3944f5")
        & (pl.col("kind") == "takeoff")
        & (pl.col("time") > _at(13, 5))
    )
    assert after.height == 0, after
    assert _one(det, "3944f5", "landing", _at(13, 9))["airport"] == "LFPG"


def test_paris_touchdown_hidden_by_a_burst_of_garbled_altitudes_is_a_landing() -> None:
    # AFR84UW (3946e2) is at 250 ft lined up with CDG 08R at 14:28:33; its on-ground
    # flag shows at 14:28:34. Its last minute then reads 19,950 (x5), 37,975 (x2), 125
    # (x2) and 37,975/38,000 ft (to 14:29:35) on a frozen position. No one chunk of
    # that burst outweighs its neighbour, so it used to be kept: 'left coverage at
    # 38,000 ft, 2 km S of LFPG'.
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    ev = _one(det, "3946e2", "landing", _at(14, 29))
    assert (ev["airport"], ev["confidence"], ev["runway"]) == ("LFPG", "observed", "08R")
    assert _at(14, 28) <= ev["time"] <= _at(14, 29)
    burst = det.rejected.filter(
        (pl.col("icao24") == "3946e2")
        & (pl.col("time") > datetime(2021, 10, 7, 14, 28, 33, tzinfo=UTC))
    )
    # all 19 rows of the burst (the two 125 ft ones sit between 37,975s: a spike too)
    assert burst.height == 19
    assert set(burst["reason"]) == {"altitude_glitch"}


def test_noisy_climb_is_not_cut_off_the_track_end() -> None:
    # noisy_takeoff's climb ends at 21,925 ft at 17:47:45 with altitudes jittering by
    # 400-900 ft from one second to the next: noise, not a garbled end burst. Its last
    # 20 s must stay; of its last 45 s only the lone 38,000 ft spike goes.
    det = _detect("noisy_takeoff.json.gz")
    assert det.flights["last_seen"].to_list() == [datetime(2019, 11, 11, 17, 47, 45, tzinfo=UTC)]
    late = det.rejected.filter(pl.col("time") > datetime(2019, 11, 11, 17, 47, tzinfo=UTC))
    assert late["alt_baro_ft"].to_list() == [38000.0]


def test_zurich_edge_landings_survive_opensky_10_s_sampling() -> None:
    # OpenSky's state vectors come every 10 s. Keeping one row in ten (whole seconds
    # divisible by 10) leaves the three aircraft caught on short final with two or
    # three airborne rows each; they still land on their runways. (ENT57BW's 16 s
    # after lift-off keep one airborne row: too little, and no event is invented.)
    pos = read_positions([ADSB / "zurich_airport_onground.json.gz"]).positions
    sparse = pos.filter(pl.col("time").dt.epoch("s") % 10 == 0)
    det = detect(sparse, index=AirportIndex.default())
    got = {
        (r["icao24"], r["kind"], r["airport"], r["runway"])
        for r in det.events.filter(pl.col("airport").is_not_null()).iter_rows(named=True)
    }
    assert {
        ("0083c3", "landing", "LSZH", "14"),
        ("4d20cd", "landing", "LSZH", "28"),
        ("4b18b8", "landing", "LSZH", "28"),
    } <= got
    assert "4891b6" not in det.flights["icao24"].to_list()
    assert {a for _, _, a, _ in got} == {"LSZH"}


def _as_opensky_state_vectors(pos: pl.DataFrame) -> pl.DataFrame:
    """The recording as OpenSky publishes state vectors: a snapshot of every aircraft
    every 10 s holding its last position so far (stale between updates), timed by
    that position's own time (``lastposupdate``), no altitude on the ground."""
    ep = pl.col("time").dt.epoch("s")
    snaps = (
        pos.group_by("icao24")
        .agg(lo=(ep.min() // 10 + 1) * 10, hi=ep.max() + 60)
        .select("icao24", snap=pl.int_ranges("lo", "hi", 10))
        .explode("snap")
        .with_columns(pl.from_epoch("snap", time_unit="s").dt.replace_time_zone("UTC"))
        .with_columns(pl.col("snap").dt.cast_time_unit("us"))
        .sort("snap")
    )
    ground = pl.col("on_ground").fill_null(False)
    return (
        # both sorted by time (polars cannot check that per "by" group)
        snaps.join_asof(
            pos.sort("time"), left_on="snap", right_on="time", by="icao24", check_sortedness=False
        )
        .drop_nulls("time")
        .with_columns(
            alt_baro_ft=pl.when(~ground).then("alt_baro_ft"),
            alt_geom_ft=pl.when(~ground).then("alt_geom_ft"),
        )
        .drop("snap")
        .unique(maintain_order=True)
    )


def test_paris_as_opensky_state_vectors_keeps_every_airport_claim() -> None:
    # OpenSky's 10-s state vectors of the same day: every landing airport survives
    # (3986e4's data ends at its touchdown row before an hour's gap: see
    # test_data_ending_at_the_touchdown_row_before_a_long_gap_is_a_landing); one take-off
    # (39a415, LFPB `inferred` from 1,000 ft) becomes `none`; no airport is added or
    # changed, and matched events stay within a minute.
    full = _detect("paris_2021-10-07_quickstart.json.gz").events
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    sparse = detect(_as_opensky_state_vectors(pos), index=AirportIndex.default()).events

    def claims(ev: pl.DataFrame) -> pl.DataFrame:
        return ev.filter(pl.col("airport").is_not_null()).select(
            "icao24", "kind", "airport", "time"
        )

    a, b = claims(full), claims(sparse)
    key = ["icao24", "kind", "airport"]
    lost = a.join(b, on=key, how="anti")
    assert lost.select("icao24", "kind", "airport").rows() == [("39a415", "takeoff", "LFPB")]
    assert b.join(a, on=key, how="anti").height == 0
    matched = a.sort("time").join_asof(
        b.sort("time").with_columns(t_b=pl.col("time")),
        on="time",
        by=key,
        strategy="nearest",
    )
    dt = (matched["t_b"] - matched["time"]).dt.total_seconds().abs().drop_nulls()
    assert dt.len() == a.height - 1
    assert dt.max() <= 60


def _with_position_noise(pos: pl.DataFrame, sigma_m: float, seed: int) -> pl.DataFrame:
    """Gaussian noise of ``sigma_m`` on each reported position (MLAT-like); a feed's
    stale repeats of a position stay exact repeats of its noisy value."""
    rows = pos.sort("icao24", "time")
    moved = (
        (pl.col("lat") != pl.col("lat").shift(1))
        | (pl.col("lon") != pl.col("lon").shift(1))
        | (pl.col("icao24") != pl.col("icao24").shift(1))
    ).fill_null(True)
    run = rows.select(moved.cum_sum() - 1).to_series().to_numpy()
    rng = np.random.default_rng(seed)
    deg = sigma_m / 111_320.0
    dlat = rng.normal(0.0, deg, int(run.max()) + 1)[run]
    dlon = rng.normal(0.0, deg, int(run.max()) + 1)[run] / np.cos(np.radians(rows["lat"]))
    return rows.with_columns(lat=pl.col("lat") + dlat, lon=pl.col("lon") + dlon)


def test_savan_with_mlat_like_position_noise_keeps_its_positions_and_airports() -> None:
    # Regression: every hop that broke the speed test by a few hundred metres cut the
    # track, and each stretch between two such cuts was thrown away as a "glitch":
    # with 150 m of noise 60,727 of savan's 193,447 positions (31 %) were rejected.
    # A stretch is now only a glitch when a hop into or out of it is clearly out of
    # reach (0.8 km beyond the speed limit).
    pos = read_positions([ADSB / "savan_39b415_2022-03.json.gz"]).positions
    clean = _detect("savan_39b415_2022-03.json.gz")
    noisy = detect(_with_position_noise(pos, 150.0, seed=1))
    assert noisy.counts.get("rejected_impossible_jump", 0) < 0.005 * pos.height
    claims = ["icao24", "kind", "airport", "confidence"]
    assert (
        noisy.events.filter(pl.col("airport").is_not_null())
        .select(claims)
        .equals(clean.events.filter(pl.col("airport").is_not_null()).select(claims))
    )


def test_paris_one_second_spike_of_1_5_km_is_still_rejected() -> None:
    # 3991e0 at 4,425 ft, 207 kt: at 14:54:53 one position 1.5 km north of the track,
    # the next back on it (hops 1,510 m and 1,484 m in 1 s each).
    det = _detect("paris_2021-10-07_quickstart.json.gz")
    spike = det.rejected.filter(
        (pl.col("icao24") == "3991e0") & (pl.col("reason") == "impossible_jump")
    )
    assert spike["time"].to_list() == [datetime(2021, 10, 7, 14, 54, 53, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("icao", "when", "runway"),
    [
        # Its take-off roll has no velocity messages; at 12:53:41-45 the position repeats
        # while the flag clears. The bearing of a repeated position used to read 0 (due
        # north): no runway. Over 300 m of roll it is 248 degrees: runway 25.
        ("3c8502", datetime(2021, 10, 7, 12, 53, 45, tzinfo=UTC), "25"),
        ("5000fa", datetime(2021, 10, 7, 13, 59, 43, tzinfo=UTC), "09"),  # 85 degrees
    ],
)
def test_paris_take_off_roll_without_track_still_names_its_runway(
    icao: str, when: datetime, runway: str
) -> None:
    ev = _one(_detect("paris_2021-10-07_quickstart.json.gz"), icao, "takeoff", when, 0.1)
    assert (ev["airport"], ev["confidence"], ev["runway"]) == ("LFPB", "observed", runway)


def test_paris_with_50_m_position_noise_keeps_every_airport_claim() -> None:
    # Courses derived from 1 s hops swung by tens of degrees with 50 m of noise and two
    # Le Bourget / Orly take-offs lost their airport; now they come from 300 m of track.
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    clean = _detect("paris_2021-10-07_quickstart.json.gz").events
    noisy = detect(_with_position_noise(pos, 50.0, seed=1)).events
    claims = ["icao24", "kind", "airport"]
    assert (
        noisy.filter(pl.col("airport").is_not_null())
        .select(claims)
        .sort(claims)
        .equals(clean.filter(pl.col("airport").is_not_null()).select(claims).sort(claims))
    )


def test_paris_helicopter_in_slow_flight_makes_no_stops_once_known_as_rotorcraft() -> None:
    # F-HMAC (39b002), an EC-120 helicopter (tar1090-db type EC20, ICAO class H1T),
    # leaves Toussus LFPN and works for 50 min around Etrechy and Etampes, mostly at
    # 50-70 kt and 750-850 ft pressure altitude, the flag clear throughout. As an
    # aeroplane, slower than 45 kt over the 40 s baseline reads "taxiing": five stops
    # in fields (e.g. 13:39:15 at 775 ft, 50 kt). As a rotorcraft it flies until it
    # stops moving, at Etampes LFOX at the end of the data.
    pos = read_positions([ADSB / "paris_2021-10-07_quickstart.json.gz"]).positions
    mine = pos.filter(pl.col("icao24") == "39b002")
    as_plane = detect(mine).events
    in_fields = as_plane.filter(
        (pl.col("kind") == "landing") & pl.col("reason").str.contains("away from any known runway")
    )
    assert in_fields.height == 5
    ev = detect(mine, DetectionParams(rotorcraft=frozenset({"39b002"}))).events
    got = [
        (r["kind"], r["airport"], r["confidence"], r["time"].strftime("%H:%M:%S"))
        for r in ev.iter_rows(named=True)
    ]
    # on the ground with the flag set until 13:23:00; the next row (13:23:28) moves
    # at 16 kt with an altitude: lifting off (climbing from 13:23:40)
    assert got == [
        ("takeoff", "LFPN", "observed", "13:23:28"),
        ("landing", "LFOX", "observed", "14:12:58"),
    ]
